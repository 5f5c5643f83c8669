-- R11: per practice and reporting month, the valid rows on the latest extract_date of the
-- month decide. Identical duplicates are one row; different values on that date make
-- every row of that date conflicting_counts, and the practice has no counts that month.
-- A table (rows of practices × months, small): five models and tests read it, and
-- PostgreSQL planned the view's windows under a test's group by as a 189 s nested loop at
-- 1/4 scale (docs/benchmarks.md, Engines).
{{ config(materialized='table') }}
with

valid_rows as (
    select
        source_file,
        row_number,
        extract_date,
        cast({{ dbt.date_trunc('month', 'extract_date') }} as date) as reporting_month,
        practice_code,
        registered_patients,
        type1_opt_outs
    from {{ ref('int_practice_count_rows_received') }}
    where rejection_reason is null
),

with_latest as (
    select
        *,
        max(extract_date) over (partition by practice_code, reporting_month) as latest_extract_date
    from valid_rows
),

latest_values as (
    select
        practice_code,
        reporting_month,
        count(
            distinct cast(registered_patients as {{ dbt.type_string() }})
            || '/' || cast(type1_opt_outs as {{ dbt.type_string() }})
        ) as distinct_values
    from with_latest
    where extract_date = latest_extract_date
    group by practice_code, reporting_month
),

resolved as (
    select
        with_latest.source_file,
        with_latest.row_number,
        with_latest.extract_date,
        with_latest.reporting_month,
        with_latest.practice_code,
        with_latest.registered_patients,
        with_latest.type1_opt_outs,
        with_latest.extract_date = with_latest.latest_extract_date as is_latest_in_month,
        with_latest.extract_date = with_latest.latest_extract_date
        and latest_values.distinct_values > 1 as is_conflicting
    from with_latest
    inner join latest_values
        on
            with_latest.practice_code = latest_values.practice_code
            and with_latest.reporting_month = latest_values.reporting_month
)

select * from resolved
