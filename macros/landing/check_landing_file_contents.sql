{#- Open each new file of `files` that has no problem yet: one that is not UTF-8, has a
    line longer than the reader parses, or that the reader cannot parse at all
    (`unparseable_csv`: DuckDB's reader fails on some files of scattered quotes), cannot be
    read as CSV; it gets that problem and none of its lines is read — so it cannot stop the
    build, nor the reader's error (which quotes the file's lines, NHS numbers included)
    reach the log. Files already received are not opened again. -#}
{% macro check_landing_file_contents(files) %}
    {{ return(adapter.dispatch('check_landing_file_contents')(files)) }}
{% endmacro %}

{% macro duckdb__check_landing_file_contents(files) %}
    {%- set new_files = run_query("select path from " ~ files
                                  ~ " where not already_received and problem is null").columns[0].values() -%}
    {%- if new_files | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set literal_paths = [] -%}
    {%- for path in new_files -%}{%- do literal_paths.append(sql_string_literal(literal_path(path))) -%}{%- endfor -%}
    {%- do run_query(
        "update " ~ files ~ " set problem = checked.problem from ("
        ~ " select filename as path, case when try(decode(content)) is null then 'not_utf8'"
        ~ " when size > " ~ landing_max_line_bytes() ~ " and coalesce(list_max(list_transform("
        ~ "string_split(try(decode(content)), chr(10)), lambda line: strlen(line))) > "
        ~ landing_max_line_bytes() ~ ", false) then 'line_too_long' end as problem"
        ~ " from read_blob([" ~ literal_paths | join(', ') ~ "])"
        ~ ") as checked where " ~ files ~ ".path = checked.path and checked.problem is not null"
    ) -%}
    {#- Then a trial parse of the remaining new files of each feed, on a throwaway database: all
        at once, and file by file only within a failing half (landing_unparseable). -#}
    {%- set to_parse = run_query("select feed, path from " ~ files
                                 ~ " where not already_received and problem is null and feed is not null") -%}
    {%- if to_parse.rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set by_feed = {} -%}
    {%- for feed, path in to_parse.rows -%}
        {%- do by_feed.setdefault(feed, []).append(path) -%}
    {%- endfor -%}
    {%- for feed, paths in by_feed.items() -%}
        {#- Every value is used, so every value is parsed (a bare count(*) parses none). -#}
        {%- set lengths = [] -%}
        {%- for column in landing_feeds()[feed].columns + ['extra_values'] -%}
            {%- do lengths.append("length(coalesce(" ~ column ~ ", ''))") -%}
        {%- endfor -%}
        {%- set template = "select sum(" ~ lengths | join(' + ') ~ ") from "
            ~ landing_csv_read(['__PATHS__'], landing_feeds()[feed].columns)
              | replace(sql_string_literal(literal_path('__PATHS__')), '__PATHS__') -%}
        {%- set path_literals = [] -%}
        {%- set reader_literals = [] -%}
        {%- for path in paths -%}
            {%- do path_literals.append(sql_string_literal(path)) -%}
            {%- do reader_literals.append(sql_string_literal(sql_string_literal(literal_path(path)))) -%}
        {%- endfor -%}
        {%- do run_query(
            "update " ~ files ~ " set problem = 'unparseable_csv' where path in (select unnest(landing_unparseable("
            ~ sql_string_literal(template) ~ ", [" ~ path_literals | join(', ') ~ "], ["
            ~ reader_literals | join(', ') ~ "])))"
        ) -%}
    {%- endfor -%}
{% endmacro %}

{#- Other engines: the loader checked the files it parsed. -#}
{% macro default__check_landing_file_contents(files) %}
{% endmacro %}
