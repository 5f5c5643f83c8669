-- Implements R8, evaluated at each of a patient's distinct received dates: of the Type 2
-- events received on or before that date, the one with the latest recorded_date decides,
-- an opt-out beating a withdrawal on the same date (status_decision_key).
{{ config(materialized='view') }}
with

events as (
    select
        nhs_number,
        received_date,
        {{ status_decision_key('recorded_date', 'action') }} as decision_key
    from {{ ref('int_opt_out_events') }}
    where opt_out_type = 2
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
        {{ decision_recorded_date('deciding_key') }} as deciding_recorded_date
    from known_by_date
)

select * from status
