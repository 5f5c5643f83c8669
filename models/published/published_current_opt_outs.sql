-- Write-audit-publish: the current opt-out record (R9) that releases apply. Built only
-- after every check on the record has passed (opt_out_record_checks and all it depends
-- on); when one fails dbt skips this model and the record published by the last good
-- build stays in force.
{%- do check_whole_record_built() %}
with

checked as (
    select * from {{ ref('current_opt_outs') }}
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

record_date as (
    select max(received_date) as record_as_of_date
    from {{ ref('opt_out_events') }}
),

published as (
    select
        checked.nhs_number,
        checked.opted_out_on,
        checked.received_date,
        record_date.record_as_of_date,
        {{ build_started_at() }} as published_at,
        {{ record_version_id() }} as version_id,
        checks.checks_passed,
        linked.linked_numbers
    from checked
    cross join record_date
    cross join checks
    cross join linked
)

select * from published
