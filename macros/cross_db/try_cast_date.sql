{#- Cast text to date, null when it is not a real calendar date. -#}
{% macro try_cast_date(expression) %}
    {{- return(adapter.dispatch('try_cast_date')(expression)) -}}
{% endmacro %}

{% macro duckdb__try_cast_date(expression) -%}
    try_cast({{ expression }} as date)
{%- endmacro %}
