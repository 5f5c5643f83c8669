-- Lines of nhs_number_changes/ files (SPEC §9), typed and normalised (R1 numbers, R5 date
-- parsing). The rules are applied in int_nhs_number_change_rows_classified.
with

source as (
    select * from {{ source('landing', 'nhs_number_changes') }}
),

data_rows as (
    {{ landing_data_lines('source', 'nhs_number_changes') }}
),

normalised as (
    select
        source_file,
        row_number,
        extract_date_raw,
        superseded_nhs_number_raw,
        nhs_number_raw,
        effective_date_raw,
        has_wrong_column_count,
        has_line_break,
        has_stray_quote,
        {{ parse_iso_date('extract_date_raw') }} as extract_date,
        {{ normalise_nhs_number('superseded_nhs_number_raw') }} as superseded_nhs_number,
        {{ normalise_nhs_number('nhs_number_raw') }} as nhs_number,
        {{ parse_iso_date(normalise_code('effective_date_raw')) }} as effective_date
    from data_rows
),

flagged as (
    select
        *,
        {{ is_valid_nhs_number('superseded_nhs_number') }} as superseded_nhs_number_is_valid,
        {{ is_valid_nhs_number('nhs_number') }} as nhs_number_is_valid
    from normalised
)

select * from flagged
