{#- R2: trim and drop trailing '.' characters; case is kept (codes are case-sensitive). -#}
{% macro normalise_code(expression) -%}
    nullif(regexp_replace(trim({{ expression }}), '[.]+$', ''), '')
{%- endmacro %}
