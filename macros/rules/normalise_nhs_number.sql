{#- R1: as text (a number held as an integer has the same 10 digits), then every whitespace
    character (Unicode spaces, tabs, line breaks, zero-width characters: ignored_characters)
    and every hyphen removed, anywhere in the value. Any other character stays, and makes the
    number invalid. A value that is already ten ASCII digits (nearly every one) is kept as it
    is without the translate, which costs about three times a copy per row (docs/benchmarks.md).
    The one R1 normalisation: staging, releases, the list check and the enquiry all call it. -#}
{% macro normalise_nhs_number(expression) -%}
    case
        when {{ is_ten_ascii_digits('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')') }}
            then cast({{ expression }} as {{ dbt.type_string() }})
        else nullif(
            translate(
                cast({{ expression }} as {{ dbt.type_string() }}),
                {{ characters_text(whitespace_code_points() + hyphen_code_points()) }},
                ''
            ),
            ''
        )
    end
{%- endmacro %}
