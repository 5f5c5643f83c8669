{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='delete+insert',
        unique_key='nhs_number',
        pre_hook="{{ clear_relinked_numbers() }}",
    )
}}
-- Implements R7: one row per event (nhs_number, opt_out_type, action, recorded_date);
-- repeats across rows, files and months are one event, received on the earliest
-- extract_date that carried it.
-- Incremental (docs/rules.md §7): the patients with a row of int_opt_out_code_first_arrivals
-- rewritten since the last checked build are derived again, whole.
-- With changed NHS numbers (SPEC §9) a patient is everyone known by a number of their chain,
-- reported under the last number (int_opt_out_code_rows_dated); when a link changes, every
-- number of every chain is derived again (relinked_numbers) and superseded numbers' rows go.
-- depends_on: {{ ref('int_opt_out_code_first_arrivals') }}, {{ ref('int_nhs_number_patients') }}
with

{% if is_incremental() -%}
touched_patients as (
    select distinct {{ patient_number('arrivals.nhs_number', 'links') }} as nhs_number
    from {{ ref('int_opt_out_code_first_arrivals') }} as arrivals
    left join {{ ref('int_nhs_number_patients') }} as links on arrivals.nhs_number = links.nhs_number
    where arrivals.derived_at > {{ last_checked_build_started_at() }}
    union
    {{ relinked_numbers() }}
),
{%- endif %}

dated_rows as (
    select * from {{ ref('int_opt_out_code_rows_dated') }}
    {%- if is_incremental() %}
        where nhs_number in (select nhs_number from touched_patients)
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by nhs_number, opt_out_type, action, recorded_date
            order by extract_date, practice_code, source_file, row_number
        ) as arrival_order
    from dated_rows
),

events as (
    select
        nhs_number,
        opt_out_type,
        action,
        recorded_date,
        -- Imputed only when no row carried this recorded date as a real date.
        min(case when recorded_date_imputed then 1 else 0 end) = 1 as recorded_date_imputed,
        min(extract_date) as received_date,
        min(case when arrival_order = 1 then practice_code end) as practice_code,
        {{ build_started_at() }} as derived_at
    from ranked
    group by nhs_number, opt_out_type, action, recorded_date
)

select * from events
