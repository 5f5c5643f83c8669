{#- docs/rules.md §5: ACH_DATE, the first day of the reporting month as dd/mm/YYYY. -#}
{% macro ach_date(month) -%}
    lpad(cast(extract(day from {{ month }}) as {{ dbt.type_string() }}), 2, '0')
    || '/' || lpad(cast(extract(month from {{ month }}) as {{ dbt.type_string() }}), 2, '0')
    || '/' || cast(extract(year from {{ month }}) as {{ dbt.type_string() }})
{%- endmacro %}
