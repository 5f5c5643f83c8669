-- Lines of patient_demographics/ files (SPEC §9), typed and normalised (R1 number, R5 date
-- parsing; year, date of death and gender first trimmed of every whitespace like a code,
-- R2, so every engine reads them alike; gender lower-cased). The rules are applied in
-- int_patient_demographic_rows_classified.
with

source as (
    select * from {{ source('landing', 'patient_demographics') }}
),

data_rows as (
    {{ landing_data_lines('source', 'patient_demographics') }}
),

normalised as (
    select
        source_file,
        row_number,
        extract_date_raw,
        nhs_number_raw,
        year_of_birth_raw,
        gender_raw,
        date_of_death_raw,
        has_wrong_column_count,
        has_line_break,
        has_stray_quote,
        {{ parse_iso_date('extract_date_raw') }} as extract_date,
        {{ normalise_nhs_number('nhs_number_raw') }} as nhs_number,
        {{ parse_count(normalise_code('year_of_birth_raw')) }} as year_of_birth,
        lower({{ normalise_code('gender_raw') }}) as gender,
        {{ normalise_code('date_of_death_raw') }} is null as date_of_death_is_empty,
        {{ parse_iso_date(normalise_code('date_of_death_raw')) }} as date_of_death
    from data_rows
),

flagged as (
    select
        *,
        {{ is_valid_nhs_number('nhs_number') }} as nhs_number_is_valid
    from normalised
)

select * from flagged
