{#- (current - previous) / previous, empty when there is no previous value or it is 0. -#}
{% macro relative_change(current, previous) -%}
    case
        when {{ previous }} > 0
            then cast({{ current }} - {{ previous }} as {{ type_double() }}) / {{ previous }}
    end
{%- endmacro %}
