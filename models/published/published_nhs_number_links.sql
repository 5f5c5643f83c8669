-- Write-audit-publish (SPEC §9, changed NHS numbers): every linked number and the number its
-- patient is known by now (itself for the last of a chain or a conflict), published with the
-- record after every check on it passed (opt_out_record_checks). Releases, the list check and
-- the enquiry read it, so a row carrying any number of an opted-out patient's chain is
-- removed, and every number of a group of links that holds an opted-out patient
-- (component_number, int_nhs_number_link_components). Every linked number is here, so its
-- record version says which build published it (check_published_record_in_step). Built
-- after the published current record and periods, so a build that does not publish them (a
-- failing check) does not publish these either:
-- the release views never read one build's links with another build's record.
-- depends_on: {{ ref('published_current_opt_outs') }}, {{ ref('published_opt_out_periods') }}
{%- do check_whole_record_built() %}
with

checked as (
    select * from {{ ref('int_nhs_number_patients') }}
),

components as (
    select * from {{ ref('int_nhs_number_link_components') }}
),

checks as (
    select count(*) as checks_passed
    from {{ ref('opt_out_record_checks') }}
),

published as (
    select
        checked.nhs_number,
        checked.patient_number,
        coalesce(components.component_number, checked.nhs_number) as component_number,
        checked.effective_date,
        checked.linked_at,
        {{ build_started_at() }} as published_at,
        {{ record_version_id() }} as version_id,
        checks.checks_passed
    from checked
    left join components on checked.nhs_number = components.nhs_number
    cross join checks
)

select * from published
