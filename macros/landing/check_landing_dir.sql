{#- A missing or mistyped landing_dir stops the run with one sentence naming the path: a
    build that read nothing would otherwise look like a month with no extracts. -#}
{% macro check_landing_dir() %}
    {{ return(adapter.dispatch('check_landing_dir')()) }}
{% endmacro %}

{% macro duckdb__check_landing_dir() %}
    {%- set problem = run_query("select landing_dir_problem(" ~ sql_string_literal(landing_dir()) ~ ")")
        .columns[0].values()[0] -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif -%}
{% endmacro %}

{#- Other engines read what python -m opt_out_io load-landing loaded; it checked the folder. -#}
{% macro default__check_landing_dir() %}
    {%- if load_relation(landing_raw_relation('files')) is none -%}
        {{ exceptions.raise_compiler_error(
            "No loaded landing files (" ~ landing_raw_relation('files') ~ " does not exist). On "
            ~ target.type ~ " the landing files are loaded first: python -m opt_out_io load-landing "
            ~ "--target " ~ target.name ~ " (see README, Other engines).") }}
    {%- endif -%}
{% endmacro %}

{% macro postgres__check_landing_dir() %}
    {#- A foreign table is not in dbt's relation cache: ask the catalogue. -#}
    {%- set found = run_query("select count(*) from information_schema.tables where table_schema = 'landing_raw'"
                              ~ " and table_name = 'files'").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ exceptions.raise_compiler_error(
            "No loaded landing files (landing_raw.files does not exist). On postgres the landing files are "
            ~ "loaded first: python -m opt_out_io load-landing --target " ~ target.name ~ " (see README, Other engines).") }}
    {%- endif -%}
{% endmacro %}
