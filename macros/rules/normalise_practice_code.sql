{#- R6: trim and upper-case. -#}
{% macro normalise_practice_code(expression) -%}
    nullif(upper(trim({{ expression }})), '')
{%- endmacro %}
