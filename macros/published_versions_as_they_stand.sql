{#- A select of the record versions (published_at, latest_received_date) as the table stands,
    found in the graph rather than by ref — for checks that must run even when the build
    publishes nothing (opt_out_changes_waiting). Empty before the first publication. -#}
{% macro published_versions_as_they_stand() %}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.published_record_versions') if execute else none -%}
    {%- set versions = load_relation(api.Relation.create(
        database=node.database, schema=node.schema, identifier=node.alias)) if node else none -%}
    {%- if versions is not none -%}
        select published_at, latest_received_date from {{ versions }}
    {%- else -%}
        select cast(null as timestamp) as published_at, cast(null as date) as latest_received_date where 1 = 0
    {%- endif -%}
{% endmacro %}
