{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        unique_key=['source_file', 'row_number'],
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The historic record of everything received in patient_demographics/ (SPEC §9):
-- append-only, immune to --full-refresh, each landed row added once (see
-- int_opt_out_code_rows_received). Accepted rows keep the normalised number and values;
-- rejected rows their raw values (none for a malformed line or a Type 1 lookalike).
{{ newly_received_rows(ref('int_patient_demographic_rows_classified')) }}
