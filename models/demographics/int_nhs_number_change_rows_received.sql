{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        unique_key=['source_file', 'row_number'],
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The historic record of everything received in nhs_number_changes/ (SPEC §9): append-only,
-- immune to --full-refresh, each landed row added once (see int_opt_out_code_rows_received).
-- It keeps both numbers of every link and when the link was received (received_at).
{{ newly_received_rows(ref('int_nhs_number_change_rows_classified')) }}
