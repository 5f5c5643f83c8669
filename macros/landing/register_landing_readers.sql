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
        {%- set listing = run_query(
            "select filename, size, cast(last_modified as varchar) from read_blob("
            ~ sql_string_literal(pattern) ~ ") order by filename"
        ).rows if landing_files_exist(pattern) else [] -%}
        {%- set known = landing_files_received(feed) if spec.get('received_once') else {} -%}
        {%- set files = [] -%}
        {%- set to_check = [] -%}
        {%- for row in listing -%}
            {%- set source_file = relative_landing_path(row[0]) -%}
            {%- set seen = known.get(source_file) -%}
            {%- set file = {'path': row[0], 'source_file': source_file, 'size': row[1], 'last_modified': row[2],
                            'already_received': false, 'problem': none} -%}
            {%- if seen is none -%}
                {%- do to_check.append(row[0]) -%}
            {%- elif seen == [row[1] | int, row[2]] -%}
                {%- do file.update({'already_received': true}) -%}
            {%- else -%}
                {#- Its rows are in the history as first received; a new version would be
                    merged line by line into the old one. Land corrections under a new name. -#}
                {%- do file.update({'problem': 'changed_after_receipt'}) -%}
            {%- endif -%}
            {%- do files.append(file) -%}
        {%- endfor -%}
        {#- A file that is not UTF-8, or has a line too long to parse, cannot be read as CSV
            at all: it is listed with its reason and left out of the read, so that it
            cannot stop the build. Only files not yet received are opened. -#}
        {%- set problems = {} -%}
        {%- if to_check -%}
            {%- set quoted = [] -%}
            {%- for path in to_check -%}{%- do quoted.append(sql_string_literal(path)) -%}{%- endfor -%}
            {%- set checked = run_query(
                "select filename, try(decode(content)) is null as not_utf8, "
                ~ "size > " ~ landing_max_line_bytes() ~ " and coalesce(list_max(list_transform("
                ~ "string_split(try(decode(content)), chr(10)), lambda line: strlen(line))) > "
                ~ landing_max_line_bytes() ~ ", false) as line_too_long "
                ~ "from read_blob([" ~ quoted | join(', ') ~ "])"
            ) -%}
            {%- for row in checked.rows -%}
                {%- if row[1] -%}
                    {%- do problems.update({row[0]: 'not_utf8'}) -%}
                {%- elif row[2] -%}
                    {%- do problems.update({row[0]: 'line_too_long'}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set readable = [] -%}
        {%- for file in files -%}
            {%- if file.path in problems -%}
                {%- do file.update({'problem': problems[file.path]}) -%}
            {%- elif file.problem is none and not file.already_received -%}
                {%- do readable.append(file.path) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if readable -%}
            {%- do statements.append(duckdb__landing_reader_ddl(feed, spec.columns, readable)) -%}
        {%- else -%}
            {%- do statements.append(landing_reader_empty_ddl(feed, spec.columns)) -%}
        {%- endif -%}
        {%- do statements.append(landing_file_list_ddl(feed, files)) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}


{#- Files of `feed` already in the historic record: source_file -> [size, last_modified]. -#}
{% macro landing_files_received(feed) %}
    {%- set relation = adapter.get_relation(database=target.database, schema='intermediate',
                                            identifier='int_landing_files_received') -%}
    {%- set known = {} -%}
    {%- if relation is not none -%}
        {%- for row in run_query("select source_file, size, last_modified from " ~ relation
                                 ~ " where feed = " ~ sql_string_literal(feed)).rows -%}
            {%- do known.update({row[0]: [row[1] | int, row[2]]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(known) }}
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


{#- Every file in the folder: its size and modification time, whether it was received in
    an earlier run (and so not read again), and the problem that kept it from being read
    (null when it was read). An empty file has no lines but is still listed. -#}
{% macro landing_file_list_ddl(feed, files) %}
create or replace macro landing_{{ feed }}_files() as table
select
    cast(source_file as varchar) as source_file,
    cast(size as bigint) as size,
    cast(last_modified as varchar) as last_modified,
    cast(already_received as boolean) as already_received,
    cast(problem as varchar) as problem
from (
    values
    {%- for file in files %}
    ({{ sql_string_literal(file.source_file) }}, {{ file.size }}, {{ sql_string_literal(file.last_modified) }},
     {{ file.already_received }}, {{ sql_string_literal(file.problem) if file.problem else 'null' }}),
    {%- endfor %}
    (null, null, null, null, null)
) as files (source_file, size, last_modified, already_received, problem)
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
