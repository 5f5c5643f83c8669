{#- A Python/Jinja string as a SQL string literal, quotes doubled. -#}
{% macro sql_string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
