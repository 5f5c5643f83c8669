-- The reporting months of the statistics: every month in which an extract of either feed
-- was accepted, with its first and last day.
{{ config(materialized='view') }}
with

months as (
    select distinct cast({{ dbt.date_trunc('month', 'extract_date') }} as date) as reporting_month
    from {{ ref('int_opt_out_code_receipts') }}
    where rejection_reason is null
    union
    select distinct reporting_month
    from {{ ref('int_practice_counts_monthly') }}
),

bounded as (
    select
        reporting_month,
        cast({{ dbt.last_day('reporting_month', 'month') }} as date) as month_end
    from months
)

select * from bounded
