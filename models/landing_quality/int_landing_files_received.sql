{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The received-files ledger: the files (of the feeds with a historic record) whose every
-- data line is in that record, with the SHA-256 of their bytes (and the size and
-- modification time they had). The next run's landing_file_state reads it (passed by ref to
-- the on-run-start hook): the same bytes, under any name, are not read again, so a monthly
-- build reads only the new month. A file is entered only
-- once its lines are counted in the rows' own record — a real dependency, so a build
-- killed in between simply reads the file again (its lines are not added twice).
with

read_this_run as (
    select
        feed,
        source_file,
        size,
        modified_at,
        content_hash,
        data_rows
    from {{ ref('stg_landing__files') }}
    where
        not already_received
        and problem is null
        and header_matches
        and feed in {{ received_once_feeds_sql() }}
),

lines_in_history as (
    select
        'opt_out_codes' as feed,
        source_file,
        count(*) as lines_recorded
    from {{ ref('int_opt_out_code_rows_received') }}
    where
        -- Rows of files not yet in this ledger were received after its latest entry.
        received_at > {{ received_files_watermark() }}
        and source_file in (select source_file from read_this_run)
    group by source_file
    union all
    select
        'practice_counts' as feed,
        source_file,
        count(*) as lines_recorded
    from {{ ref('int_practice_count_rows_received') }}
    where
        -- Rows of files not yet in this ledger were received after its latest entry.
        received_at > {{ received_files_watermark() }}
        and source_file in (select source_file from read_this_run)
    group by source_file
    union all
    select
        'patient_demographics' as feed,
        source_file,
        count(*) as lines_recorded
    from {{ ref('int_patient_demographic_rows_received') }}
    where
        received_at > {{ received_files_watermark() }}
        and source_file in (select source_file from read_this_run)
    group by source_file
    union all
    select
        'nhs_number_changes' as feed,
        source_file,
        count(*) as lines_recorded
    from {{ ref('int_nhs_number_change_rows_received') }}
    where
        received_at > {{ received_files_watermark() }}
        and source_file in (select source_file from read_this_run)
    group by source_file
),

new_files as (
    select
        read_this_run.feed,
        read_this_run.source_file,
        read_this_run.size,
        read_this_run.modified_at,
        read_this_run.data_rows,
        read_this_run.content_hash,
        {{ build_started_at() }} as received_at
    from read_this_run
    left join lines_in_history
        on
            read_this_run.feed = lines_in_history.feed
            and read_this_run.source_file = lines_in_history.source_file
    where
        coalesce(lines_in_history.lines_recorded, 0) = read_this_run.data_rows
    {%- if is_incremental() %}
        and not exists (
            select 1
            from {{ this }} as received
            where
                received.feed = read_this_run.feed
                and received.content_hash = read_this_run.content_hash
        )
        {%- endif %}
)

select * from new_files
