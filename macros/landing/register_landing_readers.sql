{#- Run at on-run-start, with `received_files` = ref('int_landing_files_received'):
    1. landing.files := the state of every landed file, from one query (landing_file_state);
    2. the new files are opened, and any that cannot be read as CSV at all get a problem;
    3. each feed's reader (the `landing` source) is defined over its new readable files —
       the only thing Jinja decides is which paths to splice in. -#}
{% macro register_landing_readers(received_files) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- do check_landing_dir() -%}
    {%- set files = landing_files_relation() -%}
    {%- do adapter.create_schema(files) -%}
    {%- do replace_table(files, landing_file_state(received_files)) -%}
    {%- do check_landing_file_contents(files) -%}
    {%- set readable = run_query(
        "select feed, path, source_file from " ~ files
        ~ " where not already_received and problem is null order by feed, source_file") -%}
    {%- for feed, spec in landing_feeds().items() -%}
        {%- set paths = [] -%}
        {%- for row in readable.rows if row[0] == feed -%}
            {%- do paths.append({'path': row[1], 'source_file': row[2]}) -%}
        {%- endfor -%}
        {%- do run_query(landing_reader_ddl(feed, spec.columns, paths)) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{#- The on-run-start hook: register_landing_readers, for the commands that build or read the
    landing area only (runs_build_hooks) — dbt compile and dbt docs generate write nothing. -#}
{% macro register_landing_readers_for_build(received_files) %}
    {%- if runs_build_hooks() -%}{%- do register_landing_readers(received_files) -%}{%- endif -%}
    {{ return('') }}
{% endmacro %}
