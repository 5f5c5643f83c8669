{#- Integer division of two integers (truncating). -#}
{% macro integer_divide(dividend, divisor) %}
    {{- return(adapter.dispatch('integer_divide')(dividend, divisor)) -}}
{% endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    ({{ dividend }} / {{ divisor }})
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    ({{ dividend }} // {{ divisor }})
{%- endmacro %}

{#- Spark's `/` always divides as floating point. -#}
{% macro spark__integer_divide(dividend, divisor) -%}
    ({{ dividend }} div {{ divisor }})
{%- endmacro %}
