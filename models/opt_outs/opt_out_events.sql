-- Public mart of R7's events (the rule itself: int_opt_out_events).
with

events as (
    select * from {{ ref('int_opt_out_events') }}
)

select
    nhs_number,
    opt_out_type,
    action,
    recorded_date,
    recorded_date_imputed,
    received_date,
    practice_code
from events
