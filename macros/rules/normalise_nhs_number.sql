{#- R1: trim, remove spaces and hyphens (any white space counts as a space). -#}
{% macro normalise_nhs_number(expression) -%}
    nullif(regexp_replace({{ expression }}, '[[:space:]-]', '', 'g'), '')
{%- endmacro %}
