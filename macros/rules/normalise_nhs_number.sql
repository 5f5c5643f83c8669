{#- R1: as text (a number held as an integer has the same 10 digits), then spaces and
    hyphens removed (plain replaces: as fast as a copy on 100 M rows). Any other character
    stays, and makes the number invalid. -#}
{% macro normalise_nhs_number(expression) -%}
    nullif(replace(replace(cast({{ expression }} as {{ dbt.type_string() }}), ' ', ''), '-', ''), '')
{%- endmacro %}
