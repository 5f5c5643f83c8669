{#- True when any of `columns` holds a line break: in these feeds that only happens when an
    unbalanced quote swallowed the following lines into one value. -#}
{% macro has_line_break(columns) -%}
    (
        {%- for column in columns %}
        coalesce(strpos({{ column }}, chr(10)) > 0 or strpos({{ column }}, chr(13)) > 0, false)
        {{- ' or' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
