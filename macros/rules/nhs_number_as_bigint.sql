{#- R1: a normalised NHS number as a bigint when it is exactly 10 digits, else null. -#}
{% macro nhs_number_as_bigint(normalised) -%}
    case when {{ is_ten_ascii_digits(normalised) }} then cast({{ normalised }} as bigint) end
{%- endmacro %}
