{#- R2: trim whitespace — spaces, tabs and line breaks — then drop trailing '.' characters;
    case is kept (codes are case-sensitive). Each pattern is anchored, so it replaces at
    most once on every engine; the escapes reach the regex engine as tab, CR and LF on
    DuckDB and PostgreSQL, and as the characters themselves on Spark. -#}
{% macro normalise_code(expression) -%}
    nullif(
        regexp_replace(
            regexp_replace(regexp_replace({{ expression }}, '^[ \t\r\n]+', ''), '[ \t\r\n]+$', ''),
            '[.]+$', ''
        ),
        ''
    )
{%- endmacro %}
