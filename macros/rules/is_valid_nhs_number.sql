{#- R1: `normalised` (see normalise_nhs_number) is exactly 10 digits, not one of the ten
    repeated-digit numbers, and its Modulus 11 check digit holds. Null is not valid. -#}
{% macro is_valid_nhs_number(normalised) -%}
    coalesce({{ nhs_check_digit_holds(nhs_number_as_bigint(normalised)) }}, false)
{%- endmacro %}
