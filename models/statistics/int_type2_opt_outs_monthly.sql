-- R12's counts: per reporting month and practice, the patients attributed to the practice
-- that month who were opted out at its last day (int_type2_attribution_monthly).
-- Incremental (docs/rules.md §7): the months reporting_months_touched names — the months
-- the attribution derived again in this build — are counted again.
{%- set touched = reporting_months_touched() %}
{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='append',
        pre_hook="{{ clear_reporting_months(reporting_months_touched()) }}",
    )
}}
with

attributed as (
    select * from {{ ref('int_type2_attribution_monthly') }}
    {%- if is_incremental() %}
        where {{ reporting_month_in(touched) }}
    {%- endif %}
),

counted as (
    select
        reporting_month,
        practice_code,
        count(*) filter (where is_opted_out_at_month_end) as type2_opt_outs,
        {{ build_started_at() }} as derived_at
    from attributed
    group by reporting_month, practice_code
)

select * from counted
