{#- The statement defining the reader of a feed's lines (the `landing` source table of that
    name): source_file, row_number (0 is the header line), header_matches, the feed's
    columns (text) and extra_values, over the new readable files only (`files`: their
    paths, from landing.files). -#}
{% macro landing_reader_ddl(feed, columns, files) %}
    {{ return(adapter.dispatch('landing_reader_ddl')(feed, columns, files)) }}
{% endmacro %}

{#- The one way a landing file is parsed on DuckDB (the readers, and the check that a new file
    can be parsed at all: check_landing_file_contents): read_csv over `paths` with every
    value as text. header = false so the header line is row 0 and can be checked;
    hive_partitioning = false so a folder named `code=9Nu5` cannot overwrite a column; one
    extra column catches rows with too many values, null padding marks rows with too few
    (an empty value stays ''); parallel = false keeps row numbers in file order. -#}
{% macro landing_csv_read(paths, columns) -%}
    read_csv(
        [
        {%- for path in paths %}
            {{ sql_string_literal(literal_path(path)) }}{{ ',' if not loop.last }}
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
        hive_partitioning = false,
        columns = {
        {%- for column in columns %}
            '{{ column }}': 'varchar',
        {%- endfor %}
            'extra_values': 'varchar'
        }
    )
{%- endmacro %}

{% macro duckdb__landing_reader_ddl(feed, columns, files) %}
create or replace macro landing_{{ feed }}() as table
{%- if not files %}
select
    cast(null as varchar) as source_file,
    cast(null as bigint) as row_number,
    cast(null as boolean) as header_matches,
    {%- for column in columns %}
    cast(null as varchar) as {{ column }},
    {%- endfor %}
    cast(null as varchar) as extra_values
where false
{%- else %}
with raw_lines as (
    select *
    from {{ landing_csv_read(files | map(attribute='path') | list, columns) }} with ordinality
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
    files.source_file,
    numbered.row_number,
    headers.header_matches,
    {%- for column in columns %}
    numbered.{{ column }},
    {%- endfor %}
    numbered.extra_values
from numbered
inner join headers on numbered.filename = headers.filename
inner join {{ landing_files_relation() }} as files on numbered.filename = files.path
{%- endif %}
{% endmacro %}

{#- Other engines: a view over the lines the loader parsed, limited to this run's new
    readable files by landing.files (no list to splice in). -#}
{% macro default__landing_reader_ddl(feed, columns, files) %}
create or replace view {{ landing_reader_relation(feed) }} as
select
    lines.source_file,
    lines.row_number,
    lines.header_matches,
    {%- for column in columns %}
    lines.{{ column }},
    {%- endfor %}
    lines.extra_values
from {{ landing_raw_relation(feed) }} as lines
inner join {{ landing_files_relation() }} as files
    on lines.source_file = files.source_file
where
    files.feed = '{{ feed }}'
    and not files.already_received
    and files.problem is null
{% endmacro %}
