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

{#- True when the text `expression` is exactly ten ASCII digits (null stays null): on DuckDB a
    GLOB pattern, cheaper than a regular expression; elsewhere regexp_full_match. -#}
{% macro is_ten_ascii_digits(expression) %}
    {{- return(adapter.dispatch('is_ten_ascii_digits')(expression)) -}}
{% endmacro %}

{% macro default__is_ten_ascii_digits(expression) -%}
    {{ regexp_full_match(expression, '[0-9]{10}') }}
{%- endmacro %}

{% macro duckdb__is_ten_ascii_digits(expression) -%}
    ({{ expression }} glob '{{ "[0-9]" * 10 }}')
{%- endmacro %}
