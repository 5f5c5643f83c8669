-- R9: patients opted out as known at the latest received date, with the recorded date of
-- the opt-out that decides it and the date that opt-out was received.
with

status as (
    select * from {{ ref('int_type2_status_by_received_date') }}
),

events as (
    select * from {{ ref('opt_out_events') }}
),

latest_status as (
    select
        *,
        row_number() over (partition by nhs_number order by as_of_date desc) as recency
    from status
),

opted_out as (
    select
        nhs_number,
        deciding_recorded_date
    from latest_status
    where recency = 1 and is_opted_out
),

final as (
    select
        opted_out.nhs_number,
        opted_out.deciding_recorded_date as opted_out_on,
        events.received_date
    from opted_out
    inner join events
        on
            opted_out.nhs_number = events.nhs_number
            and opted_out.deciding_recorded_date = events.recorded_date
            and events.opt_out_type = 2
            and events.action = 'opt_out'
)

select
    nhs_number,
    opted_out_on,
    received_date
from final
