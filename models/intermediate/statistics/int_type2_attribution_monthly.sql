-- R12: in each month, each patient with an accepted opt_out_codes row that month is
-- attributed to the practice of the row with the latest extract_date (tie: smallest
-- practice code; a malformed code counts as UNKNOWN, R6), and flagged if opted out as
-- known at the last day of the month (R8 via the periods of R10).
{{ config(materialized='table') }}
with

dated_rows as (
    select
        nhs_number,
        practice_code,
        extract_date,
        cast({{ dbt.date_trunc('month', 'extract_date') }} as date) as reporting_month
    from {{ ref('int_opt_out_code_rows_dated') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by nhs_number, reporting_month
            order by extract_date desc, practice_code asc
        ) as preference
    from dated_rows
),

attributed as (
    select
        ranked.reporting_month,
        months.month_end,
        ranked.nhs_number,
        ranked.practice_code
    from ranked
    inner join {{ ref('int_reporting_months') }} as months
        on ranked.reporting_month = months.reporting_month
    where ranked.preference = 1
),

periods as (
    select * from {{ ref('opt_out_periods') }}
),

-- A join, not a correlated exists: engines without DuckDB's decorrelation (PostgreSQL)
-- would scan every period for every patient-month.
flagged as (
    select
        attributed.reporting_month,
        attributed.nhs_number,
        attributed.practice_code,
        count(periods.nhs_number) > 0 as is_opted_out_at_month_end
    from attributed
    left join periods
        on
            attributed.nhs_number = periods.nhs_number
            and periods.applied_from <= attributed.month_end
            and (periods.applied_to is null or periods.applied_to > attributed.month_end)
    group by attributed.reporting_month, attributed.nhs_number, attributed.practice_code
)

select * from flagged
