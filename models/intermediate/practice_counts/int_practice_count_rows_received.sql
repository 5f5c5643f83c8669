{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        unique_key=['source_file', 'row_number'],
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The historic record of everything received in practice_counts/: append-only, immune to
-- --full-refresh, each landed row added once (see int_opt_out_code_rows_received).
with

classified as (
    select * from {{ ref('int_practice_count_rows_classified') }}
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
