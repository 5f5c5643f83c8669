{#- docs/rules.md §1 and R5: a date is parseable only when it is written YYYY-MM-DD
    (surrounding spaces allowed), its year is from 1900 to 2999, and it exists in the
    calendar; anything else (0000-06-15, 2025-02-30, 31/01/2025) is null. -#}
{% macro parse_iso_date(expression) -%}
    case
        when {{ regexp_full_match('trim(' ~ expression ~ ')', '(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}') }}
            then {{ try_cast_date('trim(' ~ expression ~ ')') }}
    end
{%- endmacro %}
