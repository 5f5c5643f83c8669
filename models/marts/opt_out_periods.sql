-- R10: each maximal run of "opted out" (R8 evaluated at the patient's received dates) is
-- one period [applied_from, applied_to); applied_to is empty while still applied.
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
