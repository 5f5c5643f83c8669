-- Implements R8, evaluated at each of a patient's distinct received dates: of the Type 2
-- events received on or before that date, the one with the latest recorded_date decides,
-- an opt-out beating a withdrawal on the same date (status_decision_key).
-- Incremental (docs/rules.md §7): the patients whose events were rewritten since the last
-- checked build, and every relinked number (SPEC §9), are derived again, whole.
-- depends_on: {{ ref('int_opt_out_events') }}, {{ ref('int_nhs_number_patients') }}
{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='delete+insert',
        unique_key='nhs_number',
        pre_hook="{{ clear_relinked_numbers() }}",
    )
}}
with

events as (
    select
        nhs_number,
        received_date,
        {{ status_decision_key('recorded_date', 'action') }} as decision_key
    from {{ ref('int_opt_out_events') }}
    where opt_out_type = 2
    {%- if is_incremental() %}
        and nhs_number in (
            select nhs_number from {{ ref('int_opt_out_events') }}
            where derived_at > {{ last_checked_build_started_at() }}
            union
            {{ relinked_numbers() }}
        )
    {%- endif %}
),

known_by_date as (
    select
        nhs_number,
        received_date,
        max(decision_key) over (
            partition by nhs_number
            order by received_date
            range between unbounded preceding and current row
        ) as deciding_key
    from events
),

status as (
    select distinct
        nhs_number,
        received_date as as_of_date,
        {{ decision_is_opt_out('deciding_key') }} as is_opted_out,
        {{ decision_recorded_date('deciding_key') }} as deciding_recorded_date,
        {{ build_started_at() }} as derived_at
    from known_by_date
)

select * from status
