{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        unique_key=['source_file', 'row_number'],
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The historic record of everything received in opt_out_codes/ (SPEC §1): every landed
-- row, accepted or rejected, as classified when it arrived. Append-only and immune to
-- --full-refresh, so archiving old landing files loses nothing; a row already received
-- (same file, same line) is never added twice, so rebuilding changes nothing.
with

classified as (
    select * from {{ ref('int_opt_out_code_rows_classified') }}
),

new_rows as (
    select
        classified.*,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as received_at
    from classified
    {% if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as received
        where
            received.source_file = classified.source_file
            and received.row_number = classified.row_number
    )
    {% endif %}
)

select * from new_rows
