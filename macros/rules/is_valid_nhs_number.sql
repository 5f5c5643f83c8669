{#- R1, the one test of validity: `normalised` (see normalise_nhs_number) is exactly 10
    digits, not one of the ten repeated-digit numbers, and its Modulus 11 check digit holds.
    Null is not valid. Pass `as_bigint` when the number was already made an integer by
    nhs_number_as_bigint (a column computed once is cheaper on 100 M rows than the
    expression repeated in every digit of the check). -#}
{% macro is_valid_nhs_number(normalised, as_bigint=none) -%}
    coalesce({{ nhs_check_digit_holds(as_bigint if as_bigint is not none else nhs_number_as_bigint(normalised)) }}, false)
{%- endmacro %}
