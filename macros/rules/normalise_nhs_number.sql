{#- R1: as text (a number held as an integer has the same 10 digits), then every whitespace
    character (Unicode spaces, tabs, line breaks, zero-width characters: ignored_characters)
    and every hyphen removed, anywhere in the value. Any other character stays, and makes the
    number invalid. The one R1 normalisation: staging, releases, the list check and the
    enquiry all call it.
    Two shortcuts give the same result as the translate, which costs about three times a copy
    per row (docs/benchmarks.md): a value that is already ten ASCII digits (nearly every one)
    is kept as it is, and a value that is ten ASCII digits once its ASCII spaces and hyphens
    are removed ('943 476 5919') is that: both characters are in the translate's set, and
    the translate removes no digit. Anything else goes through the translate. -#}
{% macro normalise_nhs_number(expression) -%}
    {%- set text = 'cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- set without_ascii_separators = "replace(replace(" ~ text ~ ", ' ', ''), '-', '')" -%}
    case
        when {{ is_ten_ascii_digits(text) }}
            then {{ text }}
        when {{ is_ten_ascii_digits(without_ascii_separators) }}
            then {{ without_ascii_separators }}
        else nullif(
            translate(
                {{ text }},
                {{ characters_text(whitespace_code_points() + hyphen_code_points()) }},
                ''
            ),
            ''
        )
    end
{%- endmacro %}
