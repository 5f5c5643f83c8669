{#- docs/rules.md §5: a rate (computed from unrounded figures) with one decimal place, shown as '*'
    when its count is suppressed. -#}
{% macro disclose_rate(rate, count) -%}
    case
        {%- if disclosure_control() != 'none' %}
        when {{ count }} between 1 and 7 then '*'
        {%- endif %}
        when {{ rate }} is null then null
        else cast({{ round_rate(rate, 1) }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
