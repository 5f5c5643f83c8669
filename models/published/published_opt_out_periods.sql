-- Write-audit-publish: the periods (R10) that point-in-time releases apply, published
-- only after every check on the record has passed (opt_out_record_checks).
with

checked as (
    select * from {{ ref('opt_out_periods') }}
),

checks as (
    select count(*) as checks_passed
    from {{ ref('opt_out_record_checks') }}
),

published as (
    select
        checked.nhs_number,
        checked.applied_from,
        checked.applied_to,
        {{ build_started_at() }} as published_at,
        {{ record_version_id() }} as version_id,
        checks.checks_passed
    from checked
    cross join checks
)

select * from published
