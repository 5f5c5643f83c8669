{#- R3: the first reason that applies to a landed line, in the order its feed lists them
    (`checks`: [reason, condition] pairs). Every feed first refuses lines whose columns
    cannot be trusted: too many values, or a value that swallowed a line break (an
    unbalanced quote). Null when the line is accepted. -#}
{% macro first_rejection_reason(checks) -%}
    case
        when has_extra_values then 'unexpected_column_count'
        when has_line_break then 'embedded_line_break'
        {%- for reason, condition in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end
{%- endmacro %}
