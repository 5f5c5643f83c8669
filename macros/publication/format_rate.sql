{#- docs/rules.md §5: a rate with one decimal place, as text (England figures: never suppressed). -#}
{% macro format_rate(rate) -%}
    cast({{ round_rate(rate, 1) }} as {{ dbt.type_string() }})
{%- endmacro %}
