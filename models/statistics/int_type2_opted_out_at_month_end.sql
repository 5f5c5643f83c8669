-- R8 at the last day of each reporting month (through R10's periods, period_covers): the
-- patients opted out as known then, attributed to a practice or not. Read by R12's
-- attribution and by England's current_type2_opt_outs.
-- Incremental (docs/rules.md §7): only the months reporting_months_touched names are
-- derived again (the pre-hook clears them first, so a month can also lose patients).
{%- set touched = reporting_months_touched(with_counts=true) %}
{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='append',
        pre_hook="{{ clear_reporting_months(reporting_months_touched(with_counts=true)) }}",
    )
}}
with

months as (
    select * from {{ ref('int_reporting_months') }}
    {%- if is_incremental() %}
        where {{ reporting_month_in(touched) }}
    {%- endif %}
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
        periods.nhs_number,
        {{ build_started_at() }} as derived_at
    from months
    inner join periods on {{ period_covers('periods', 'months.month_end') }}
)

select * from opted_out
