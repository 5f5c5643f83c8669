-- docs/rules.md §6: the received Type 2 status changes that no record version published by
-- an earlier build has applied, and for how many days they have waited (service_level_clock).
-- Tested: none may wait more than 21 days. It reads the versions as they stand, not by ref,
-- so it runs — and says so — precisely when failing checks keep the record unpublished, and
-- nothing depends on it, so a breach never holds back the publication that ends it. Versions
-- of this build are left out, so the result does not depend on the order dbt runs things in:
-- a build that publishes after a breach reports it (the changes did wait), once.
{{ config(materialized='view') }}
{%- set versions_node = graph.nodes.get('model.' ~ project_name ~ '.published_record_versions') if execute else none -%}
{%- set versions = load_relation(api.Relation.create(database=versions_node.database, schema=versions_node.schema,
    identifier=versions_node.alias)) if versions_node else none %}
with

received_changes as (
    select * from {{ ref('int_type2_status_changes_received') }}
),

versions as (
    {%- if versions is not none %}
    select published_at, latest_received_date from {{ versions }}
    {%- else %}
    select
        cast(null as timestamp) as published_at,
        cast(null as date) as latest_received_date
    where 1 = 0
    {%- endif %}
),

waiting as (
    select
        received_changes.nhs_number,
        received_changes.extract_date,
        received_changes.received_at,
        {{ dbt.datediff('received_changes.received_at', service_level_clock(), 'day') }} as days_waiting
    from received_changes
    where not exists (
        select 1
        from versions
        where
            versions.published_at >= received_changes.received_at
            and versions.published_at < cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
            and versions.latest_received_date >= received_changes.extract_date
    )
)

select * from waiting
