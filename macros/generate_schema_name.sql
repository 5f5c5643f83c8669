{#- Layers get plain schema names: staging, intermediate (every `int_` model, whatever its
    domain folder), published, releases, publication, snapshots. The public marts and seeds
    stay in the target schema so analysts query them unqualified. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is not none -%}
        {{ custom_schema_name | trim }}
    {%- elif node is not none and node.resource_type == 'model' and node.name.startswith('int_') -%}
        intermediate
    {%- else -%}
        {{ target.schema }}
    {%- endif -%}
{%- endmacro %}
