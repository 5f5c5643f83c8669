{#- R5: an ISO YYYY-MM-DD date (surrounding spaces allowed) that exists in the calendar;
    anything else is null. -#}
{% macro parse_iso_date(expression) -%}
    case
        when {{ regexp_full_match('trim(' ~ expression ~ ')', '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ try_cast_date('trim(' ~ expression ~ ')') }}
    end
{%- endmacro %}
