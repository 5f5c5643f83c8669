{#- Longest line the reader parses (16 MiB); a file with a longer one is refused. -#}
{% macro landing_max_line_bytes() %}
    {{ return(16777216) }}
{% endmacro %}
