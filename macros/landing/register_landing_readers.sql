{#- Run at on-run-start. Defines one table function per landing feed
    (`landing_<feed>()`), which the `landing` source points at. Files are found at run
    time: a folder that is empty or absent gives an empty relation, not a failed build. -#}
{% macro register_landing_readers() %}
    {{ return(adapter.dispatch('register_landing_readers')()) }}
{% endmacro %}

{% macro duckdb__register_landing_readers() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set statements = [] -%}
    {%- for feed, spec in landing_feeds().items() -%}
        {#- *.csv in any case: a file named .CSV must not be silently passed over. -#}
        {%- set pattern = landing_dir() ~ '/' ~ spec.folder ~ '/**/*.[cC][sS][vV]' -%}
        {#- A file that is not UTF-8, or has a line too long to parse, cannot be read as CSV
            at all: it is listed with its reason and left out of the read, so that it
            cannot stop the build. -#}
        {%- set checked = run_query(
            "select filename, try(decode(content)) is null as not_utf8, "
            ~ "size > " ~ landing_max_line_bytes() ~ " and coalesce(list_max(list_transform("
            ~ "string_split(try(decode(content)), chr(10)), lambda line: strlen(line))) > "
            ~ landing_max_line_bytes() ~ ", false) as line_too_long "
            ~ "from read_blob(" ~ sql_string_literal(pattern) ~ ") order by filename"
        ) if landing_files_exist(pattern) else none -%}
        {%- set readable = [] -%}
        {%- set problems = {} -%}
        {%- for row in (checked.rows if checked is not none else []) -%}
            {%- if row[1] -%}
                {%- do problems.update({row[0]: 'not_utf8'}) -%}
            {%- elif row[2] -%}
                {%- do problems.update({row[0]: 'line_too_long'}) -%}
            {%- else -%}
                {%- do readable.append(row[0]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if readable -%}
            {%- do statements.append(duckdb__landing_reader_ddl(feed, spec.columns, readable)) -%}
        {%- else -%}
            {%- do statements.append(landing_reader_empty_ddl(feed, spec.columns)) -%}
        {%- endif -%}
        {%- do statements.append(landing_file_list_ddl(feed, readable, problems)) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}


{#- Longest line the reader parses (16 MiB); a file with a longer one is refused. -#}
{% macro landing_max_line_bytes() %}
    {{ return(16777216) }}
{% endmacro %}


{% macro landing_files_exist(pattern) %}
    {%- set found = run_query("select count(*) from glob(" ~ sql_string_literal(pattern) ~ ")") -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{% endmacro %}


{#- The path of a landing file relative to landing_dir (how files are named everywhere). -#}
{% macro relative_landing_path(path) %}
    {%- set prefix = landing_dir() ~ '/' -%}
    {{ return(path[prefix | length:] if path.startswith(prefix) else path) }}
{% endmacro %}


{#- Every file is read with header = false so its header line is row 0 and can be checked;
    one extra column catches rows with too many values, null padding marks rows with too
    few (an empty value stays ''); parallel = false keeps row numbers in file order. -#}
{% macro duckdb__landing_reader_ddl(feed, columns, files) %}
    {%- set prefix = landing_dir() ~ '/' -%}
create or replace macro landing_{{ feed }}() as table
with raw_lines as (
    select
        *
    from read_csv(
        [
        {%- for file in files %}
            {{ sql_string_literal(file) }}{{ ',' if not loop.last }}
        {%- endfor %}
        ],
        header = false,
        auto_detect = false,
        delim = ',',
        quote = '"',
        escape = '"',
        nullstr = '\N\N\N',
        null_padding = true,
        strict_mode = false,
        parallel = false,
        max_line_size = {{ landing_max_line_bytes() }},
        buffer_size = {{ 2 * landing_max_line_bytes() }},
        filename = true,
        columns = {
        {%- for column in columns %}
            '{{ column }}': 'varchar',
        {%- endfor %}
            'extra_values': 'varchar'
        }
    ) with ordinality
),

numbered as (
    select
        *,
        ordinality - min(ordinality) over (partition by filename) as row_number
    from raw_lines
),

headers as (
    select
        filename,
        (
            extra_values is null
            {%- for column in columns %}
            and coalesce(lower(trim({{ column }})), '') = '{{ column }}'
            {%- endfor %}
        ) as header_matches
    from numbered
    where row_number = 0
)

select
    case
        when starts_with(numbered.filename, {{ sql_string_literal(prefix) }})
            then substr(numbered.filename, {{ prefix | length + 1 }})
        else numbered.filename
    end as source_file,
    numbered.row_number,
    headers.header_matches,
    {%- for column in columns %}
    numbered.{{ column }},
    {%- endfor %}
    numbered.extra_values
from numbered
inner join headers on numbered.filename = headers.filename
{% endmacro %}


{#- Every file in the folder, readable or not, with the problem that kept it from being
    read (null when it was read): an empty file has no lines but is still listed. -#}
{% macro landing_file_list_ddl(feed, readable, problems) %}
create or replace macro landing_{{ feed }}_files() as table
select
    cast(source_file as varchar) as source_file,
    cast(problem as varchar) as problem
from (
    values
    {%- for file in readable %}
    ({{ sql_string_literal(relative_landing_path(file)) }}, null),
    {%- endfor %}
    {%- for file, problem in problems.items() %}
    ({{ sql_string_literal(relative_landing_path(file)) }}, {{ sql_string_literal(problem) }}),
    {%- endfor %}
    (null, null)
) as files (source_file, problem)
where source_file is not null
{% endmacro %}


{% macro landing_reader_empty_ddl(feed, columns) %}
create or replace macro landing_{{ feed }}() as table
select
    cast(null as varchar) as source_file,
    cast(null as bigint) as row_number,
    cast(null as boolean) as header_matches,
    {%- for column in columns %}
    cast(null as varchar) as {{ column }},
    {%- endfor %}
    cast(null as varchar) as extra_values
where false
{% endmacro %}
