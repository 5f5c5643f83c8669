{#- Whole days from timestamp `start` to timestamp `finish` (calendar days crossed). -#}
{% macro days_between(start, finish) %}
    {{- return(adapter.dispatch('days_between')(start, finish)) -}}
{% endmacro %}

{% macro default__days_between(start, finish) -%}
    (cast({{ finish }} as date) - cast({{ start }} as date))
{%- endmacro %}

{% macro duckdb__days_between(start, finish) -%}
    date_diff('day', cast({{ start }} as date), cast({{ finish }} as date))
{%- endmacro %}

{% macro spark__days_between(start, finish) -%}
    datediff(cast({{ finish }} as date), cast({{ start }} as date))
{%- endmacro %}
