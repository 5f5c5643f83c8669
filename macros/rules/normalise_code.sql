{#- R2: trim whitespace at both ends — every whitespace character R1 removes (Unicode
    spaces, tabs, line breaks; ignored_characters) — then drop trailing '.' characters;
    case is kept (codes are case-sensitive). `9Nu4.` and `"9Nu4 "` are 9Nu4; `9Nu4 .` is
    not (the space is inside once the dot goes). -#}
{% macro normalise_code(expression) -%}
    nullif(
        trim(trailing '.' from trim(both {{ characters_text(whitespace_code_points()) }} from {{ expression }})),
        ''
    )
{%- endmacro %}
