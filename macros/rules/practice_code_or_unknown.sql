{#- R6: the practice a row is attributed to — its practice code, or UNKNOWN when malformed. -#}
{% macro practice_code_or_unknown(practice_code='practice_code', is_valid='practice_code_is_valid') -%}
    case when {{ is_valid }} then {{ practice_code }} else 'UNKNOWN' end
{%- endmacro %}
