{#- R3: the first reason that applies to a landed line, in the order its feed lists them
    (`checks`: [reason, condition] pairs). Every feed first refuses lines that do not split
    into exactly its columns — too many or too few values (`unexpected_column_count`), a
    value that swallowed a line break, i.e. an unbalanced quote (`embedded_line_break`), or
    a value holding a stray quote (`unbalanced_quote`); their values were never kept
    (landing_data_lines). Null when the line is accepted. -#}
{% macro first_rejection_reason(checks) -%}
    case
        when has_wrong_column_count then 'unexpected_column_count'
        when has_line_break then 'embedded_line_break'
        when has_stray_quote then 'unbalanced_quote'
        {%- for reason, condition in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end
{%- endmacro %}
