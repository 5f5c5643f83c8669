{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The files whose every line is in the historic record (feeds with `received_once`): path,
-- size, modification time and data lines. The landing readers skip them in later runs,
-- so a monthly build reads only the new month. Appended only after the rows' own record
-- has been written (depends_on below): a build killed in between reads the file again.
-- depends_on: {{ ref('int_opt_out_code_rows_received') }}, {{ ref('int_practice_count_rows_received') }}
with

read_this_run as (
    select
        feed,
        source_file,
        size,
        last_modified,
        data_rows
    from {{ ref('stg_landing__files') }}
    where
        not already_received
        and problem is null
        and header_matches
        and feed in (
            {%- for feed, spec in landing_feeds().items() if spec.get('received_once') -%}
                '{{ feed }}'{{ ', ' if not loop.last }}
            {%- endfor -%}
        )
),

new_files as (
    select
        read_this_run.*,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as received_at
    from read_this_run
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as received
        where
            received.feed = read_this_run.feed
            and received.source_file = read_this_run.source_file
            and received.size = read_this_run.size
            and received.last_modified = read_this_run.last_modified
    )
    {%- endif %}
)

select * from new_files
