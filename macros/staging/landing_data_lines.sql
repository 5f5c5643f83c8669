{#- The data lines of a landing feed (row 0 is the header) from files whose header is as
    expected, every value as sent, renamed `<column>_raw`. -#}
{% macro landing_data_lines(source_relation, feed) %}
    select
        source_file,
        row_number,
        {%- for column in landing_feeds()[feed].columns %}
        {{ column }} as {{ column }}_raw,
        {%- endfor %}
        extra_values
    from {{ source_relation }}
    where
        row_number > 0
        and header_matches
{% endmacro %}
