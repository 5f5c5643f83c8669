{#- Run at on-run-start: helper functions an engine lacks (none on DuckDB or Spark). -#}
{% macro create_engine_functions() %}
    {{ return(adapter.dispatch('create_engine_functions')()) }}
{% endmacro %}

{% macro default__create_engine_functions() %}
    {{ return('') }}
{% endmacro %}

{#- PostgreSQL has no try_cast (these return null where a cast would raise) and no error(). -#}
{% macro postgres__create_engine_functions() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set schema = adapter.quote(target.schema) -%}
    {%- do run_query("create schema if not exists " ~ schema) -%}
    {%- for type in ['date', 'bigint'] -%}
        {%- do run_query(
            "create or replace function " ~ schema ~ ".opt_out_try_cast_" ~ type ~ "(value text) returns "
            ~ type ~ " language plpgsql immutable parallel safe as $$ begin return cast(value as " ~ type
            ~ "); exception when others then return null; end $$"
        ) -%}
    {%- endfor -%}
    {#- raise_error: stops the query with its message (volatile: never evaluated ahead of time). -#}
    {%- do run_query(
        "create or replace function " ~ schema ~ ".opt_out_raise_error(message text) returns text "
        ~ "language plpgsql volatile as $$ begin raise exception '%', message; end $$"
    ) -%}
    {{ return('') }}
{% endmacro %}
