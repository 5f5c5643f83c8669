{#- R1 on a 10-digit number held as a bigint: not one of the ten repeated-digit numbers
    (exactly the multiples of 1111111111 below 10^10), and the Modulus 11 check digit
    holds (weights 10..2 on digits 1-9; check = 11 - (sum mod 11); 11 -> 0; 10 never
    matches a digit). Integer arithmetic: on 100 M rows far cheaper than substrings. -#}
{% macro nhs_check_digit_holds(number) -%}
    (
        {{ number }} % 1111111111 <> 0
        and (
            11 - (
                (
                    {%- for position in range(1, 10) %}
                    {{ 11 - position }} * ({{ integer_divide(number, 10 ** (10 - position)) }} % 10)
                    {{- ' +' if not loop.last }}
                    {%- endfor %}
                ) % 11
            )
        ) % 11 = {{ number }} % 10
    )
{%- endmacro %}
