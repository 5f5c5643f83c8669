-- docs/rules.md §4: per release, its latest build from release_manifest: declaration, as_of used,
-- rows in, rows out, rows and patients removed, rows without a matchable NHS number.
{{ config(materialized='view') }}
with

manifest as (
    select * from {{ ref('release_manifest') }}
),

latest as (
    select
        *,
        row_number() over (partition by release_name order by built_at desc) as recency
    from manifest
)

select
    release_name,
    purpose,
    recipient,
    opt_outs,
    exemption,
    as_of,
    rows_without_nhs_number_policy,
    rows_in,
    rows_out,
    rows_removed,
    patients_removed,
    rows_without_nhs_number,
    built_at,
    version_id
from latest
where recency = 1
