{#- A relation over a CSV file with a header row, every column as text. -#}
{% macro read_csv_as_text(path) %}
    {{- return(adapter.dispatch('read_csv_as_text')(path)) -}}
{% endmacro %}

{% macro duckdb__read_csv_as_text(path) -%}
    read_csv({{ sql_string_literal(path) }}, header = true, all_varchar = true, auto_detect = true)
{%- endmacro %}

{% macro default__read_csv_as_text(path) -%}
    {{ exceptions.raise_compiler_error(
        "Reading a CSV file from this machine needs DuckDB (target " ~ target.name ~ " is "
        ~ target.type ~ "): run this on the duckdb target.") }}
{%- endmacro %}
