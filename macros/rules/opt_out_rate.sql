{#- R13: 100 x count / registered patients; empty when the list size is missing or 0. -#}
{% macro opt_out_rate(count, registered_patients) -%}
    case
        when {{ registered_patients }} > 0
            then cast(100 * {{ count }} as {{ type_double() }}) / {{ registered_patients }}
    end
{%- endmacro %}
