-- Write-audit-publish: the periods (R10) that point-in-time releases apply, published
-- only after every check on the record has passed (opt_out_record_checks).
{%- do check_whole_record_built() %}
with

checked as (
    select * from {{ ref('opt_out_periods') }}
),

checks as (
    select count(*) as checks_passed
    from {{ ref('opt_out_record_checks') }}
),

-- The rows published_nhs_number_links publishes in this build: a release reads this record
-- only with exactly those (macro published_links_in_step).
linked as (
    select count(*) as linked_numbers
    from {{ ref('int_nhs_number_patients') }}
),

published as (
    select
        checked.nhs_number,
        checked.applied_from,
        checked.applied_to,
        {{ build_started_at() }} as published_at,
        {{ record_version_id() }} as version_id,
        checks.checks_passed,
        linked.linked_numbers
    from checked
    cross join checks
    cross join linked
)

select * from published
