{#- A file path as DuckDB's file readers take it literally: they expand glob patterns, so
    `*`, `?` and `[` are wrapped in brackets (`x[1].csv` -> `x[[]1].csv`) and a file
    named with them is read once, and only that file. -#}
{% macro literal_path(path) %}
    {{- return(path | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]')) -}}
{% endmacro %}
