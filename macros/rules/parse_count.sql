{#- R11: a count is a whole number >= 0 written in digits (surrounding spaces allowed);
    anything else, or a number too large to hold, is null. -#}
{% macro parse_count(expression) -%}
    case
        when {{ regexp_full_match('trim(' ~ expression ~ ')', '[0-9]{1,18}') }}
            then {{ try_cast_bigint('trim(' ~ expression ~ ')') }}
    end
{%- endmacro %}
