{#- True when the whole of `expression` matches `pattern` (null stays null). -#}
{% macro regexp_full_match(expression, pattern) %}
    {{- return(adapter.dispatch('regexp_full_match')(expression, pattern)) -}}
{% endmacro %}

{% macro default__regexp_full_match(expression, pattern) -%}
    ({{ expression }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}
