-- Public mart of R9's current opt-outs (the rule itself: int_type2_status_current), with
-- the recorded date of the deciding opt-out and the date that opt-out was received.
with

current_status as (
    select * from {{ ref('int_type2_status_current') }}
),

events as (
    select * from {{ ref('int_opt_out_events') }}
),

final as (
    select
        current_status.nhs_number,
        current_status.deciding_recorded_date as opted_out_on,
        events.received_date
    from current_status
    inner join events
        on
            current_status.nhs_number = events.nhs_number
            and current_status.deciding_recorded_date = events.recorded_date
            and events.opt_out_type = 2
            and events.action = 'opt_out'
    where current_status.is_opted_out
)

select
    nhs_number,
    opted_out_on,
    received_date
from final
