-- Implements R12: in each month, each patient with an accepted opt_out_codes row that month is
-- attributed to the practice of the row with the latest extract_date (tie: smallest
-- practice code; a malformed code counts as UNKNOWN, R6), and flagged if opted out as
-- known at the last day of the month (int_type2_opted_out_at_month_end).
-- Incremental (docs/rules.md §7): only the months reporting_months_touched names are
-- derived again, from the historic record's rows of those months.
{%- set touched = reporting_months_touched() %}
{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='append',
        pre_hook="{{ clear_reporting_months(reporting_months_touched()) }}",
    )
}}
with

-- Under the number the patient is known by now (SPEC §9): a patient is counted once.
dated_rows as (
    select
        {{ patient_number('received.nhs_number', 'links') }} as nhs_number,
        {{ practice_code_or_unknown('received.practice_code', 'received.practice_code_is_valid') }} as practice_code,
        received.extract_date,
        cast({{ dbt.date_trunc('month', 'received.extract_date') }} as date) as reporting_month
    from {{ ref('int_opt_out_code_rows_received') }} as received
    left join {{ ref('int_nhs_number_patients') }} as links on received.nhs_number = links.nhs_number
    where received.rejection_reason is null
    {%- if is_incremental() %}
        -- The range first, so the scan skips the blocks of other months.
        and received.extract_date >= cast('{{ touched | first | default('1900-01-01') }}' as date)
        and {{ reporting_month_in(touched, dbt.date_trunc('month', 'received.extract_date')) }}
    {%- endif %}
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
        ranked.nhs_number,
        ranked.practice_code
    from ranked
    where ranked.preference = 1
),

opted_out as (
    select * from {{ ref('int_type2_opted_out_at_month_end') }}
    {%- if is_incremental() %}
        where {{ reporting_month_in(touched) }}
    {%- endif %}
),

flagged as (
    select
        attributed.reporting_month,
        attributed.nhs_number,
        attributed.practice_code,
        opted_out.nhs_number is not null as is_opted_out_at_month_end,
        {{ build_started_at() }} as derived_at
    from attributed
    left join opted_out
        on
            attributed.reporting_month = opted_out.reporting_month
            and attributed.nhs_number = opted_out.nhs_number
)

select * from flagged
