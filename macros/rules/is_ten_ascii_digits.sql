{#- R1: true when the text `expression` is exactly ten ASCII digits (null stays null): on
    DuckDB a GLOB pattern, cheaper than a regular expression; elsewhere regexp_full_match.
    The one test of the shape: normalise_nhs_number and nhs_number_as_bigint both ask it. -#}
{% macro is_ten_ascii_digits(expression) %}
    {{- return(adapter.dispatch('is_ten_ascii_digits')(expression)) -}}
{% endmacro %}

{% macro default__is_ten_ascii_digits(expression) -%}
    {{ regexp_full_match(expression, '[0-9]{10}') }}
{%- endmacro %}

{% macro duckdb__is_ten_ascii_digits(expression) -%}
    ({{ expression }} glob '{{ "[0-9]" * 10 }}')
{%- endmacro %}
