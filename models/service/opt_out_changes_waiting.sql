-- docs/rules.md §6: the received Type 2 status changes that no record version published by
-- an earlier build has applied, and for how many days they have waited (service_level_clock).
-- Tested: none may wait more than 21 days. It reads the versions as they stand, not by ref,
-- so it runs — and says so — precisely when failing checks keep the record unpublished, and
-- nothing depends on it, so a breach never holds back the publication that ends it. Versions
-- of this build are left out, so the result does not depend on the order dbt runs things in:
-- a build that publishes after a breach reports it (the changes did wait), once.
{{ config(materialized='view') }}
with

received_changes as (
    select * from {{ ref('int_type2_status_changes_received') }}
),

versions as (
    {{ published_versions_as_they_stand() }}
),

clock as (
    select
        {{ service_level_clock() }} as now_at,
        {{ build_started_at() }} as build_started_at
),

-- A join, not a correlated not exists: Spark refuses correlated inequalities.
applying_versions as (
    select
        received_changes.nhs_number,
        received_changes.extract_date,
        received_changes.received_at,
        clock.now_at,
        count(versions.published_at) as versions_applying
    from received_changes
    cross join clock
    left join versions
        on
            {{ version_applies_change('versions', 'received_changes') }}
            and versions.published_at < clock.build_started_at
    group by
        received_changes.nhs_number,
        received_changes.extract_date,
        received_changes.received_at,
        clock.now_at
),

waiting as (
    select
        nhs_number,
        extract_date,
        received_at,
        {{ days_between('received_at', 'now_at') }} as days_waiting
    from applying_versions
    where versions_applying = 0
)

select * from waiting
