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
        {%- set pattern = landing_dir() ~ '/' ~ spec.folder ~ '/**/*.csv' -%}
        {%- set found = run_query("select count(*) from glob(" ~ sql_string_literal(pattern) ~ ")") -%}
        {%- if found.columns[0].values()[0] > 0 -%}
            {%- do statements.append(duckdb__landing_reader_ddl(feed, spec.columns, pattern)) -%}
        {%- else -%}
            {%- do statements.append(landing_reader_empty_ddl(feed, spec.columns)) -%}
        {%- endif -%}
        {%- do statements.append(duckdb__landing_file_list_ddl(feed, pattern)) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}


{#- Every file is read with header = false so its header line is row 0 and can be checked;
    one extra column catches rows with too many values, null padding marks rows with too
    few (an empty value stays ''); parallel = false keeps row numbers in file order. -#}
{% macro duckdb__landing_reader_ddl(feed, columns, pattern) %}
    {%- set prefix = landing_dir() ~ '/' -%}
create or replace macro landing_{{ feed }}() as table
with raw_lines as (
    select
        *
    from read_csv(
        {{ sql_string_literal(pattern) }},
        header = false,
        auto_detect = false,
        delim = ',',
        quote = '"',
        escape = '"',
        nullstr = '\N\N\N',
        null_padding = true,
        strict_mode = false,
        parallel = false,
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


{#- Every file in the folder, readable or not: an empty file has no row 0 and would
    otherwise vanish without a trace. -#}
{% macro duckdb__landing_file_list_ddl(feed, pattern) %}
    {%- set prefix = landing_dir() ~ '/' -%}
create or replace macro landing_{{ feed }}_files() as table
select
    case
        when starts_with(file, {{ sql_string_literal(prefix) }})
            then substr(file, {{ prefix | length + 1 }})
        else file
    end as source_file
from glob({{ sql_string_literal(pattern) }})
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
