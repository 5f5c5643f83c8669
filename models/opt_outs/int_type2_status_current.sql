-- Implements R9: each patient's Type 2 status as known at their latest received date (R8
-- there), the recorded date of the event that decides it, and the received date from which
-- the status has held (R10). Input of the type2_opt_out_status snapshot, whose versions
-- are keyed on status_since so that they line up with opt_out_periods.
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
        cast(changes.status_from as timestamp) as status_since
    from latest
    inner join changes
        on
            latest.nhs_number = changes.nhs_number
            and changes.status_to is null
    where latest.recency = 1
)

select * from current_status
