{#- Every match of `pattern` removed from `expression` (all occurrences, on every engine). -#}
{% macro regexp_remove_all(expression, pattern) %}
    {{- return(adapter.dispatch('regexp_remove_all')(expression, pattern)) -}}
{% endmacro %}

{% macro default__regexp_remove_all(expression, pattern) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '', 'g')
{%- endmacro %}

{#- Spark's regexp_replace replaces every match and takes no flags. -#}
{% macro spark__regexp_remove_all(expression, pattern) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '')
{%- endmacro %}
