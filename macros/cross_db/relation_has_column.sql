{#- Whether `relation` (which exists) has a column named `column`. On DuckDB and PostgreSQL
    the catalogue is asked in the hook's own connection: adapter.get_columns_in_relation
    there, inside an on-run-start hook, left the hook's work uncommitted (the landing
    readers and landing.files of the previous build stayed in force). -#}
{% macro relation_has_column(relation, column) %}
    {{ return(adapter.dispatch('relation_has_column')(relation, column)) }}
{% endmacro %}

{% macro default__relation_has_column(relation, column) %}
    {%- set found = run_query(
        "select count(*) from information_schema.columns where table_schema = " ~ sql_string_literal(relation.schema)
        ~ " and table_name = " ~ sql_string_literal(relation.identifier)
        ~ " and column_name = " ~ sql_string_literal(column)).columns[0].values()[0] -%}
    {{ return(found > 0) }}
{% endmacro %}

{% macro spark__relation_has_column(relation, column) %}
    {{ return((adapter.get_columns_in_relation(relation) | selectattr('name', 'equalto', column) | list | length) > 0) }}
{% endmacro %}
