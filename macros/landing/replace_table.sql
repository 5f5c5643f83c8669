{#- (Re)fill table `relation` with the rows of `sql`, creating it when missing. Engines other
    than DuckDB keep the table and replace its rows: views read it (the landing readers),
    and dropping it would drop them. -#}
{% macro replace_table(relation, sql) %}
    {{- return(adapter.dispatch('replace_table')(relation, sql)) -}}
{% endmacro %}

{% macro duckdb__replace_table(relation, sql) %}
    {%- do run_query("create or replace table " ~ relation ~ " as " ~ sql) -%}
{% endmacro %}

{% macro default__replace_table(relation, sql) %}
    {%- set sql = 'select * from (' ~ sql ~ ') as refreshed' -%}
    {%- do run_query("create table if not exists " ~ relation ~ " as " ~ sql ~ " with no data") -%}
    {%- do run_query("truncate table " ~ relation) -%}
    {%- do run_query("insert into " ~ relation ~ " " ~ sql) -%}
{% endmacro %}

{% macro spark__replace_table(relation, sql) %}
    {%- set sql = 'select * from (' ~ sql ~ ') as refreshed' -%}
    {%- do run_query("create table if not exists " ~ relation ~ " using parquet as " ~ sql) -%}
    {%- do run_query("insert overwrite table " ~ relation ~ " " ~ sql) -%}
{% endmacro %}
