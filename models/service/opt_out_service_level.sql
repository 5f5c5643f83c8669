-- docs/rules.md §6: one row per received Type 2 status change, with the first published
-- record version that applied it (published after its receipt, and known at or after its
-- extract date), the days it took, and whether that was within 21 days. A change not yet
-- applied is within 21 days until its 21st day has passed (service_level_clock), then not.
with

received_changes as (
    select * from {{ ref('int_type2_status_changes_received') }}
),

versions as (
    select * from {{ ref('published_record_versions') }}
),

applied as (
    select
        received_changes.nhs_number,
        received_changes.extract_date,
        received_changes.is_opted_out,
        received_changes.received_at,
        min(versions.published_at) as first_applied_at
    from received_changes
    left join versions
        on {{ version_applies_change('versions', 'received_changes') }}
    group by
        received_changes.nhs_number,
        received_changes.extract_date,
        received_changes.is_opted_out,
        received_changes.received_at
),

clock as (
    select {{ service_level_clock() }} as now_at
),

measured as (
    select
        applied.*,
        {{ days_between('applied.received_at', 'applied.first_applied_at') }} as days_to_apply,
        {{ days_between('applied.received_at', 'clock.now_at') }} as days_since_received
    from applied
    cross join clock
)

select
    nhs_number,
    extract_date,
    is_opted_out,
    received_at,
    first_applied_at,
    days_to_apply,
    case
        when first_applied_at is not null then days_to_apply <= 21
        when days_since_received > 21 then false
    end as within_21_days
from measured
