{#- R1: a normalised NHS number as a bigint when it is exactly 10 digits, else null. -#}
{% macro nhs_number_as_bigint(normalised) -%}
    case when {{ regexp_full_match(normalised, '[0-9]{10}') }} then cast({{ normalised }} as bigint) end
{%- endmacro %}
