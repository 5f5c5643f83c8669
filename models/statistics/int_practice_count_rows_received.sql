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
{{ newly_received_rows(ref('int_practice_count_rows_classified')) }}
