{#- Cast text to bigint, null when it does not fit or is not a number. -#}
{% macro try_cast_bigint(expression) %}
    {{- return(adapter.dispatch('try_cast_bigint')(expression)) -}}
{% endmacro %}

{% macro duckdb__try_cast_bigint(expression) -%}
    try_cast({{ expression }} as bigint)
{%- endmacro %}

{% macro default__try_cast_bigint(expression) -%}
    try_cast({{ expression }} as bigint)
{%- endmacro %}

{#- The function is created by create_engine_functions at the start of every run. -#}
{% macro postgres__try_cast_bigint(expression) -%}
    {{ adapter.quote(target.schema) }}.opt_out_try_cast_bigint({{ expression }})
{%- endmacro %}
