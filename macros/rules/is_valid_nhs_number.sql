{#- R1: `normalised` (see normalise_nhs_number) is exactly 10 digits, not one of the ten
    repeated-digit numbers, and its Modulus 11 check digit holds: weights 10..2 on
    digits 1-9, check = 11 - (sum mod 11), 11 -> 0, 10 -> never valid. Null is not valid. -#}
{% macro is_valid_nhs_number(normalised) -%}
    coalesce(
        case
            when {{ regexp_full_match(normalised, '[0-9]{10}') }}
                and {{ normalised }} not in (
                    {%- for digit in range(10) %}'{{ (digit | string) * 10 }}'{{ ', ' if not loop.last }}{% endfor -%}
                )
                then (
                    11 - (
                        (
                            {%- for position in range(1, 10) %}
                            {{ 11 - position }} * cast(substr({{ normalised }}, {{ position }}, 1) as integer)
                            {{- ' +' if not loop.last }}
                            {%- endfor %}
                        ) % 11
                    )
                ) % 11 = cast(substr({{ normalised }}, 10, 1) as integer)
        end,
        false
    )
{%- endmacro %}
