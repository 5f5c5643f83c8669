-- Implements R9: each patient's Type 2 status as known at their latest received date (R8
-- there), the recorded date of the event that decides it, and the received date from which
-- the status has held (R10), and known_at: the patient's latest received date, as of which
-- this status is known. Input of the type2_opt_out_status snapshot, which records a new
-- version whenever is_opted_out changes, from known_at — the received date of the change
-- when files land in order (so versions line up with opt_out_periods), and the date the
-- warehouse learned of it when a late file changes an earlier status.
{{ config(materialized='view') }}
with

status as (
    select * from {{ ref('int_type2_status_by_received_date') }}
),

changes as (
    select * from {{ ref('int_type2_status_changes') }}
),

latest as (
    select
        *,
        row_number() over (partition by nhs_number order by as_of_date desc) as recency
    from status
),

current_status as (
    select
        latest.nhs_number,
        latest.is_opted_out,
        latest.deciding_recorded_date,
        cast(changes.status_from as timestamp) as status_since,
        cast(latest.as_of_date as timestamp) as known_at
    from latest
    inner join changes
        on
            latest.nhs_number = changes.nhs_number
            and changes.status_to is null
    where latest.recency = 1
)

select * from current_status
