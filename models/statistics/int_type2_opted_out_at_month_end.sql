-- R8 at the last day of each reporting month (through R10's periods, period_covers): the
-- patients opted out as known then, attributed to a practice or not. Read by R12's
-- attribution and by England's current_type2_opt_outs.
with

months as (
    select * from {{ ref('int_reporting_months') }}
),

periods as (
    select
        nhs_number,
        status_from as applied_from,
        status_to as applied_to
    from {{ ref('int_type2_status_changes') }}
    where is_opted_out
),

opted_out as (
    select distinct
        months.reporting_month,
        periods.nhs_number
    from months
    inner join periods on {{ period_covers('periods', 'months.month_end') }}
)

select * from opted_out
