{#- A statement that (re)creates table `relation` from `sql`. -#}
{% macro replace_table_as(relation, sql) %}
    {{- return(adapter.dispatch('replace_table_as')(relation, sql)) -}}
{% endmacro %}

{% macro default__replace_table_as(relation, sql) -%}
    drop table if exists {{ relation }};
    create table {{ relation }} as {{ sql }}
{%- endmacro %}

{% macro duckdb__replace_table_as(relation, sql) -%}
    create or replace table {{ relation }} as {{ sql }}
{%- endmacro %}
