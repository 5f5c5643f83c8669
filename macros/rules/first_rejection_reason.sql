{#- R3: the first reason that applies to a landed line, in the order its feed lists them
    (`checks`: [reason, condition] pairs). Every feed first refuses lines that do not split
    into exactly its columns, naming the cause most likely to help: a value that swallowed
    a line break — an unbalanced quote took in the lines after it (`embedded_line_break`);
    a value holding a stray quote (`unbalanced_quote`); too many or too few values
    (`unexpected_column_count`). Their values were never kept (landing_data_lines). Null
    when the line is accepted. -#}
{% macro first_rejection_reason(checks) -%}
    case
        when has_line_break then 'embedded_line_break'
        when has_stray_quote then 'unbalanced_quote'
        when has_wrong_column_count then 'unexpected_column_count'
        {%- for reason, condition in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end
{%- endmacro %}
