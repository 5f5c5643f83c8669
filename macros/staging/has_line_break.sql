{#- True when any of `columns` holds a line break: in these feeds that only happens when an
    unbalanced quote swallowed the following lines into one value. -#}
{% macro has_line_break(columns) -%}
    (
        {%- for column in columns %}
        coalesce(
            {{ column }} like concat('%', chr(10), '%') or {{ column }} like concat('%', chr(13), '%'), false
        )
        {{- ' or' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
