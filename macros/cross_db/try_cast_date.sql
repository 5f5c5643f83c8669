{#- Cast text to date, null when it is not a real calendar date. -#}
{% macro try_cast_date(expression) %}
    {{- return(adapter.dispatch('try_cast_date')(expression)) -}}
{% endmacro %}

{% macro duckdb__try_cast_date(expression) -%}
    try_cast({{ expression }} as date)
{%- endmacro %}

{% macro default__try_cast_date(expression) -%}
    try_cast({{ expression }} as date)
{%- endmacro %}

{#- The function is created by create_engine_functions at the start of every run. -#}
{% macro postgres__try_cast_date(expression) -%}
    {{ adapter.quote(target.schema) }}.opt_out_try_cast_date({{ expression }})
{%- endmacro %}
