{#- R6: a normalised practice code is one letter and five digits. -#}
{% macro is_valid_practice_code(normalised) -%}
    coalesce({{ regexp_full_match(normalised, '[A-Z][0-9]{5}') }}, false)
{%- endmacro %}
