{#- Every entry under landing_dir: feed (null outside the feed folders), path (to read),
    source_file (relative to landing_dir, how files are named everywhere), size,
    modified_at (UTC instant), content_hash (SHA-256 of a readable file's bytes) and the problem that keeps it from being read, if any. -#}
{% macro landing_file_listing() %}
    {{ return(adapter.dispatch('landing_file_listing')()) }}
{% endmacro %}

{#- The walk is Python (opt_out_io/landing_listing.py, a DuckDB function): DuckDB's glob
    passes over links and odd names without a word. -#}
{% macro duckdb__landing_file_listing() %}
    {%- set folders = [] -%}
    {%- for spec in landing_feeds().values() -%}{%- do folders.append(sql_string_literal(spec.folder)) -%}{%- endfor -%}
    select
        case entry.folder
            {%- for feed, spec in landing_feeds().items() %}
            when {{ sql_string_literal(spec.folder) }} then {{ sql_string_literal(feed) }}
            {%- endfor %}
        end as feed,
        entry.path,
        entry.source_file,
        entry.size,
        entry.modified_at,
        entry.content_hash,
        entry.problem
    from (
        select unnest(landing_listing({{ sql_string_literal(landing_dir()) }}, [{{ folders | join(', ') }}])) as entry
    )
{% endmacro %}

{#- The loader (python -m opt_out_io load-landing) listed the files with the same code, and checked
    their contents, when it read them. -#}
{% macro default__landing_file_listing() %}
    select
        feed,
        source_file as path,
        source_file,
        size,
        modified_at,
        content_hash,
        problem
    from {{ landing_raw_relation('files') }}
{% endmacro %}
