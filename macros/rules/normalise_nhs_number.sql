{#- R1: trim, remove spaces and hyphens (plain replaces: as fast as a copy on 100 M rows).
    Any other character stays, and makes the number invalid. -#}
{% macro normalise_nhs_number(expression) -%}
    nullif(replace(replace({{ expression }}, ' ', ''), '-', ''), '')
{%- endmacro %}
