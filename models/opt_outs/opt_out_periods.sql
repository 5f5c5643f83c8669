-- Public mart of R10's periods: each maximal run of "opted out" is one period
-- [applied_from, applied_to); applied_to is empty while it still applies.
with

changes as (
    select * from {{ ref('int_type2_status_changes') }}
),

periods as (
    select
        nhs_number,
        status_from as applied_from,
        status_to as applied_to
    from changes
    where is_opted_out
)

select
    nhs_number,
    applied_from,
    applied_to
from periods
