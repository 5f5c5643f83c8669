{#- The data lines of a landing feed (row 0 is the header) from files whose header is as
    expected, every value as sent, renamed `<column>_raw`.
    R3: a line that does not split into exactly the feed's columns — too many values, too
    few (the reader pads them with null), a value that swallowed a line break, or a value
    holding a quote character (an unbalanced or stray quote: no value of these feeds has
    one) — keeps NONE of its values: a value in the wrong column may be a Type 1 patient's
    number (R4, R14). It is flagged (`has_wrong_column_count`, `has_line_break`,
    `has_stray_quote`) and rejected by first_rejection_reason with its file and line number.
    This is the only place the feeds' raw lines are read, so no model downstream can see a
    malformed line's values. -#}
{% macro landing_data_lines(source_relation, feed) %}
    {%- set columns = landing_feeds()[feed].columns -%}
    select
        source_file,
        row_number,
        {%- for column in columns %}
        case when not (has_wrong_column_count or has_line_break or has_stray_quote) then {{ column }} end
        as {{ column }}_raw,
        {%- endfor %}
        has_wrong_column_count,
        has_line_break,
        has_stray_quote
    from (
        select
            *,
            (
                extra_values is not null
                {%- for column in columns %}
                or {{ column }} is null
                {%- endfor %}
            ) as has_wrong_column_count,
            {{ has_line_break(columns) }} as has_line_break,
            (
                {%- for column in columns %}
                coalesce({{ contains_text(column, "'\"'") }}, false){{ ' or' if not loop.last }}
                {%- endfor %}
            ) as has_stray_quote
        from {{ source_relation }}
        where
            row_number > 0
            and header_matches
    ) as lines
{% endmacro %}
