-- Implements R10: the received dates at which a patient's Type 2 status (R8) changed — the
-- first received date always counts — each with the date of the next change. A change to
-- "opted out" starts a period [status_from, status_to); status_to is null while it holds.
-- Incremental (docs/rules.md §7): the patients whose status by received date was rewritten
-- since the last checked build are derived again, whole.
-- depends_on: {{ ref('int_nhs_number_patients') }}
{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='delete+insert',
        unique_key='nhs_number',
        pre_hook="{{ clear_relinked_numbers() }}",
    )
}}
with

status as (
    select * from {{ ref('int_type2_status_by_received_date') }}
    {%- if is_incremental() %}
        where nhs_number in (
            select nhs_number from {{ ref('int_type2_status_by_received_date') }}
            where derived_at > {{ last_checked_build_started_at() }}
            union
            {{ relinked_numbers() }}
        )
    {%- endif %}
),

with_previous as (
    select
        nhs_number,
        as_of_date,
        is_opted_out,
        lag(is_opted_out) over (partition by nhs_number order by as_of_date) as previous_is_opted_out
    from status
),

changes as (
    select
        nhs_number,
        as_of_date as status_from,
        is_opted_out
    from with_previous
    where previous_is_opted_out is null or previous_is_opted_out <> is_opted_out
),

with_next as (
    select
        *,
        lead(status_from) over (partition by nhs_number order by status_from) as status_to,
        {{ build_started_at() }} as derived_at
    from changes
)

select * from with_next
