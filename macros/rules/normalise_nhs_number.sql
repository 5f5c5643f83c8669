{#- R1: as text (a number held as an integer has the same 10 digits), then every whitespace
    character (Unicode spaces, tabs, line breaks, zero-width characters: ignored_characters)
    and every hyphen removed, anywhere in the value — one translate, as cheap as a copy.
    Any other character stays, and makes the number invalid. The one R1 normalisation:
    staging, releases, the list check and the enquiry all call it. -#}
{% macro normalise_nhs_number(expression) -%}
    nullif(
        translate(
            cast({{ expression }} as {{ dbt.type_string() }}),
            {{ characters_text(whitespace_code_points() + hyphen_code_points()) }},
            ''
        ),
        ''
    )
{%- endmacro %}
