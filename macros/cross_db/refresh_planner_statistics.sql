{#- After a table is written: on PostgreSQL, ANALYZE it, so the next query plans with its
    real size (a freshly written table has no statistics until autovacuum gets to it, and
    PostgreSQL then chose nested loops that ran for minutes at 1/4 scale:
    docs/benchmarks.md, Engines). Nothing on other engines. -#}
{% macro refresh_planner_statistics() -%}
    {{ return(adapter.dispatch('refresh_planner_statistics', 'opt_out_warehouse')()) }}
{%- endmacro %}

{% macro default__refresh_planner_statistics() -%}
{%- endmacro %}

{% macro postgres__refresh_planner_statistics() -%}
    {%- if model is defined and config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
