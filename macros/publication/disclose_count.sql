{#- docs/rules.md §5 disclosure control for a count below England level, as text: with
    `disclosure_control: standard`, 1-7 -> '*', other counts rounded to the nearest 5 (0
    stays 0); with `none`, the count as it is. Null stays null. -#}
{% macro disclose_count(count) -%}
    {%- if disclosure_control() == 'none' -%}
        cast({{ count }} as {{ dbt.type_string() }})
    {%- else -%}
        case
            when {{ count }} is null then null
            when {{ count }} between 1 and 7 then '*'
            else cast(cast(round({{ count }} / 5.0) * 5 as bigint) as {{ dbt.type_string() }})
        end
    {%- endif -%}
{%- endmacro %}
