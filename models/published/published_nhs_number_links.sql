-- Write-audit-publish (SPEC §9, changed NHS numbers): the superseded numbers and the number
-- each patient is known by now, published with the record after every check on it passed
-- (opt_out_record_checks). Releases, the list check and the enquiry read it, so a row
-- carrying any number of an opted-out patient's chain is removed.
with

checked as (
    select * from {{ ref('int_nhs_number_patients') }}
    where patient_number <> nhs_number
),

checks as (
    select count(*) as checks_passed
    from {{ ref('opt_out_record_checks') }}
),

published as (
    select
        checked.nhs_number,
        checked.patient_number,
        checked.effective_date,
        checked.linked_at,
        {{ build_started_at() }} as published_at,
        {{ record_version_id() }} as version_id,
        checks.checks_passed
    from checked
    cross join checks
)

select * from published
