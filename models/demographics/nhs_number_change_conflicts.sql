-- SPEC §9: the NHS number changes that were not applied, for a person to resolve — a
-- superseded number linked to two different numbers, a cycle (or a chain leading into one),
-- or a change that would merge two patients who both have status histories. Until
-- resolved (a corrected file lands), each number keeps its own status.
select
    superseded_nhs_number,
    nhs_number,
    effective_date,
    linked_at,
    conflict as reason
from {{ ref('int_nhs_number_links') }}
where conflict is not null
