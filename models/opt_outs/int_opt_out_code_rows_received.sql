{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        unique_key=['source_file', 'row_number'],
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The historic record of everything received in opt_out_codes/ (docs/rules.md §1): every landed
-- row, accepted or rejected, as classified when it arrived. Append-only and immune to
-- --full-refresh, so archiving old landing files loses nothing; a row already received
-- (same file, same line) is never added twice, so rebuilding changes nothing.
{{ newly_received_rows(ref('int_opt_out_code_rows_classified')) }}
