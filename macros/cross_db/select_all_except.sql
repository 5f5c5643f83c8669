{#- Every column of `relation`, read through `alias`, except the helper columns a query
    added. DuckDB says it directly; elsewhere the columns are listed from the catalogue. -#}
{% macro select_all_except(alias, relation, helper_columns) %}
    {{- return(adapter.dispatch('select_all_except')(alias, relation, helper_columns)) -}}
{% endmacro %}

{% macro duckdb__select_all_except(alias, relation, helper_columns) -%}
    {{ alias }}.* exclude ({{ helper_columns | join(', ') }})
{%- endmacro %}

{% macro default__select_all_except(alias, relation, helper_columns) -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {{ alias }}.{{ adapter.quote(column.name) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    {%- else -%}
        {{ alias }}.*
    {%- endif -%}
{%- endmacro %}
