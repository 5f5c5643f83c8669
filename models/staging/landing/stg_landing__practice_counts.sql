-- Lines of practice_counts files with the expected header, typed and normalised
-- (R6, R11 parsing). Rules are applied in int_practice_count_rows_classified.
with

source as (
    select * from {{ source('landing', 'practice_counts') }}
),

data_rows as (
    {{ landing_data_lines('source', 'practice_counts') }}
),

normalised as (
    select
        source_file,
        row_number,
        extract_date_raw,
        practice_code_raw,
        registered_patients_raw,
        type1_opt_outs_raw,
        has_wrong_column_count,
        has_line_break,
        has_stray_quote,
        {{ parse_iso_date('extract_date_raw') }} as extract_date,
        {{ normalise_practice_code('practice_code_raw') }} as practice_code,
        {{ parse_count('registered_patients_raw') }} as registered_patients,
        {{ parse_count('type1_opt_outs_raw') }} as type1_opt_outs
    from data_rows
),

flagged as (
    select
        *,
        {{ is_valid_practice_code('practice_code') }} as practice_code_is_valid
    from normalised
)

select * from flagged
