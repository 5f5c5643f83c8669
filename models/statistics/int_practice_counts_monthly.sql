-- R11: one row per practice and reporting month that has counts: the values on the
-- latest extract_date of the month, unless they conflict.
{{ config(materialized='view') }}
with

resolved as (
    select * from {{ ref('int_practice_count_rows_resolved') }}
),

monthly as (
    select distinct
        reporting_month,
        practice_code,
        registered_patients,
        type1_opt_outs
    from resolved
    where is_latest_in_month and not is_conflicting
)

select * from monthly
