{#- Cast text to bigint, null when it does not fit or is not a number. -#}
{% macro try_cast_bigint(expression) %}
    {{- return(adapter.dispatch('try_cast_bigint')(expression)) -}}
{% endmacro %}

{% macro duckdb__try_cast_bigint(expression) -%}
    try_cast({{ expression }} as bigint)
{%- endmacro %}
