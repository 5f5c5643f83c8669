{#- Run at on-run-start. Defines one table function per landing feed
    (`landing_<feed>()`), which the `landing` source points at. Files are found at run
    time: a folder that is empty or absent gives an empty relation, not a failed build. -#}
{% macro register_landing_readers() %}
    {{ return(adapter.dispatch('register_landing_readers')()) }}
{% endmacro %}


{% macro default__register_landing_readers() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- do prepare_landing_readers() -%}
    {%- set statements = [] -%}
    {%- for feed, spec in landing_feeds().items() -%}
        {%- set listing = landing_file_listing(feed, spec) -%}
        {%- set known = landing_files_received(feed) if spec.get('received_once') else {} -%}
        {%- set files = [] -%}
        {%- set to_check = [] -%}
        {%- for row in listing -%}
            {%- set seen = known.get(row.source_file) -%}
            {%- set file = {'path': row.path, 'source_file': row.source_file, 'size': row.size,
                            'last_modified': row.last_modified, 'already_received': false,
                            'problem': none} -%}
            {%- if seen is none -%}
                {%- do to_check.append(row) -%}
            {%- elif seen == [row.size | int, row.last_modified] -%}
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
            cannot stop the build. Only files not yet received are checked. -#}
        {%- set problems = landing_file_problems(to_check) if to_check else {} -%}
        {%- set readable = [] -%}
        {%- for file in files -%}
            {%- if file.path in problems -%}
                {%- do file.update({'problem': problems[file.path]}) -%}
            {%- elif file.problem is none and not file.already_received -%}
                {%- do readable.append(file) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do statements.append(landing_reader_ddl(feed, spec.columns, readable)) -%}
        {%- do statements.append(landing_file_list_ddl(feed, files)) -%}
    {%- endfor -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- Engines that cannot read files see the landed files through the tables the loader
    (scripts/load_landing.py) defines in `landing_raw`; their readers are views in schema
    `landing`, created here. DuckDB's readers are table macros and need nothing. -#}
{% macro prepare_landing_readers() %}
    {{ return(adapter.dispatch('prepare_landing_readers')()) }}
{% endmacro %}

{% macro duckdb__prepare_landing_readers() %}
{% endmacro %}

{% macro default__prepare_landing_readers() %}
    {%- do adapter.create_schema(landing_reader_relation('readers')) -%}
{% endmacro %}


{#- The start of the statement that (re)defines reader `name` of the `landing` source: a
    table macro on DuckDB, a view in schema `landing` elsewhere. -#}
{% macro create_landing_reader(name) %}
    {{- return(adapter.dispatch('create_landing_reader')(name)) -}}
{% endmacro %}

{% macro duckdb__create_landing_reader(name) -%}
    create or replace macro landing_{{ name }}() as table
{%- endmacro %}

{% macro default__create_landing_reader(name) -%}
    create or replace view {{ landing_reader_relation(name) }} as
{%- endmacro %}

{% macro landing_reader_relation(name) %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing', identifier=name)) }}
{% endmacro %}

{#- The tables scripts/load_landing.py fills (on engines that cannot read the files). -#}
{% macro landing_raw_relation(name) %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing_raw', identifier=name)) }}
{% endmacro %}


{#- Every landing file of `feed`: [{path, source_file, size, last_modified}] by path. -#}
{% macro landing_file_listing(feed, spec) %}
    {{ return(adapter.dispatch('landing_file_listing')(feed, spec)) }}
{% endmacro %}

{% macro duckdb__landing_file_listing(feed, spec) %}
    {#- *.csv in any case: a file named .CSV must not be silently passed over. -#}
    {%- set pattern = landing_dir() ~ '/' ~ spec.folder ~ '/**/*.[cC][sS][vV]' -%}
    {%- set listing = [] -%}
    {%- if landing_files_exist(pattern) -%}
        {%- for row in run_query("select filename, size, cast(last_modified as varchar) from read_blob("
                                 ~ sql_string_literal(pattern) ~ ") order by filename").rows -%}
            {%- do listing.append({'path': row[0], 'source_file': relative_landing_path(row[0]),
                                   'size': row[1], 'last_modified': row[2]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(listing) }}
{% endmacro %}

{#- The loader listed the files (and checked them) when it read them. -#}
{% macro default__landing_file_listing(feed, spec) %}
    {%- set raw = landing_raw_relation(feed ~ '_files') -%}
    {%- if not landing_raw_exists(raw) -%}
        {{ exceptions.raise_compiler_error(
            "No loaded landing files for feed " ~ feed ~ " (" ~ raw ~ " does not exist). On "
            ~ target.type ~ " the landing files are loaded first: python scripts/load_landing.py "
            ~ "--target " ~ target.name ~ " (see README, Other engines).") }}
    {%- endif -%}
    {%- set listing = [] -%}
    {%- for row in run_query("select source_file, size, last_modified, problem from " ~ raw
                             ~ " order by source_file").rows -%}
        {%- do listing.append({'path': row[0], 'source_file': row[0], 'size': row[1] | int,
                               'last_modified': row[2], 'problem': row[3]}) -%}
    {%- endfor -%}
    {{ return(listing) }}
{% endmacro %}


{#- Whether the loader has defined `relation` (on PostgreSQL a foreign table, which dbt's
    relation cache does not list). -#}
{% macro landing_raw_exists(relation) %}
    {{ return(adapter.dispatch('landing_raw_exists')(relation)) }}
{% endmacro %}

{% macro default__landing_raw_exists(relation) %}
    {{ return(load_relation(relation) is not none) }}
{% endmacro %}

{% macro postgres__landing_raw_exists(relation) %}
    {%- set found = run_query("select count(*) from information_schema.tables where table_schema = "
                              ~ sql_string_literal(relation.schema) ~ " and table_name = "
                              ~ sql_string_literal(relation.identifier)) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{% endmacro %}


{#- path -> problem for the files in `files` that cannot be read as CSV at all. -#}
{% macro landing_file_problems(files) %}
    {{ return(adapter.dispatch('landing_file_problems')(files)) }}
{% endmacro %}

{% macro duckdb__landing_file_problems(files) %}
    {%- set quoted = [] -%}
    {%- for file in files -%}{%- do quoted.append(sql_string_literal(file.path)) -%}{%- endfor -%}
    {%- set checked = run_query(
        "select filename, try(decode(content)) is null as not_utf8, "
        ~ "size > " ~ landing_max_line_bytes() ~ " and coalesce(list_max(list_transform("
        ~ "string_split(try(decode(content)), chr(10)), lambda line: strlen(line))) > "
        ~ landing_max_line_bytes() ~ ", false) as line_too_long "
        ~ "from read_blob([" ~ quoted | join(', ') ~ "])"
    ) -%}
    {%- set problems = {} -%}
    {%- for row in checked.rows -%}
        {%- if row[1] -%}
            {%- do problems.update({row[0]: 'not_utf8'}) -%}
        {%- elif row[2] -%}
            {%- do problems.update({row[0]: 'line_too_long'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{% macro default__landing_file_problems(files) %}
    {%- set problems = {} -%}
    {%- for file in files if file.problem -%}
        {%- do problems.update({file.path: file.problem}) -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}


{#- Files of `feed` already in the historic record: source_file -> [size, last_modified]. -#}
{% macro landing_files_received(feed) %}
    {%- set relation = adapter.get_relation(database=target.get('database'), schema='intermediate',
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


{#- The reader of a feed's data lines: a relation with source_file, row_number (0 is the
    header line), header_matches, the feed's columns (text) and extra_values, over the
    files in `files` only. -#}
{% macro landing_reader_ddl(feed, columns, files) %}
    {{ return(adapter.dispatch('landing_reader_ddl')(feed, columns, files)) }}
{% endmacro %}

{#- Every file is read with header = false so its header line is row 0 and can be checked;
    one extra column catches rows with too many values, null padding marks rows with too
    few (an empty value stays ''); parallel = false keeps row numbers in file order. -#}
{% macro duckdb__landing_reader_ddl(feed, columns, files) %}
    {%- if not files -%}
        {{ return(duckdb__landing_reader_empty_ddl(feed, columns)) }}
    {%- endif -%}
    {%- set prefix = landing_dir() ~ '/' -%}
{{ create_landing_reader(feed) }}
with raw_lines as (
    select
        *
    from read_csv(
        [
        {%- for file in files %}
            {{ sql_string_literal(file.path) }}{{ ',' if not loop.last }}
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

{% macro duckdb__landing_reader_empty_ddl(feed, columns) %}
{{ create_landing_reader(feed) }}
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

{#- The loader's table holds every line of every loaded file, parsed as DuckDB parses them. -#}
{% macro default__landing_reader_ddl(feed, columns, files) %}
{{ create_landing_reader(feed) }}
select
    source_file,
    row_number,
    header_matches,
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    extra_values
from {{ landing_raw_relation(feed) }}
where
    {%- if files %}
    source_file in (
        {%- for file in files %}
        {{ sql_string_literal(file.source_file) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- else %}
    1 = 0
    {%- endif %}
{% endmacro %}


{#- Every file in the folder: its size and modification time, whether it was received in
    an earlier run (and so not read again), and the problem that kept it from being read
    (null when it was read). An empty file has no lines but is still listed. -#}
{% macro landing_file_list_ddl(feed, files) %}
{%- set rows = [] -%}
{%- for file in files -%}
    {%- do rows.append('(' ~ sql_string_literal(file.source_file) ~ ', ' ~ file.size ~ ', '
                       ~ sql_string_literal(file.last_modified) ~ ', ' ~ file.already_received ~ ', '
                       ~ (sql_string_literal(file.problem) if file.problem else 'null') ~ ')') -%}
{%- endfor -%}
{#- A row of nulls so that the list is never empty; filtered out below. -#}
{%- do rows.append('(null, null, null, null, null)') -%}
{{ create_landing_reader(feed ~ '_files') }}
select
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(size as {{ dbt.type_bigint() }}) as size,
    cast(last_modified as {{ dbt.type_string() }}) as last_modified,
    cast(already_received as {{ dbt.type_boolean() }}) as already_received,
    cast(problem as {{ dbt.type_string() }}) as problem
from {{ inline_values(rows, 'files', ['source_file', 'size', 'last_modified', 'already_received', 'problem']) }}
where source_file is not null
{% endmacro %}
