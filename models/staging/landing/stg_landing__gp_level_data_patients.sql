-- Lines of gp_level_data/patients/ files with the expected header, typed and normalised.
-- A view, never a table: rows of patients excluded under R14 must not be stored.
{{ config(materialized='view') }}

with

source as (
    select * from {{ source('landing', 'gp_level_data_patients') }}
),

data_rows as (
    {{ landing_data_lines('source', 'gp_level_data_patients') }}
),

normalised as (
    select
        source_file,
        row_number,
        collection_date_raw,
        practice_code_raw,
        nhs_number_raw,
        usual_gp_code_raw,
        has_wrong_column_count,
        has_line_break,
        has_stray_quote,
        {{ parse_iso_date('collection_date_raw') }} as collection_date,
        {{ normalise_practice_code('practice_code_raw') }} as practice_code,
        {{ normalise_nhs_number('nhs_number_raw') }} as nhs_number,
        nullif(upper(trim(usual_gp_code_raw)), '') as usual_gp_code
    from data_rows
),

-- R1: the number as an integer once, then its check digit (cheaper than re-parsing).
as_number as (
    select
        *,
        {{ nhs_number_as_bigint('nhs_number') }} as nhs_number_as_bigint
    from normalised
),

flagged as (
    select
        *,
        {{ is_valid_practice_code('practice_code') }} as practice_code_is_valid,
        {{ is_valid_nhs_number('nhs_number', as_bigint='nhs_number_as_bigint') }} as nhs_number_is_valid
    from as_number
)

select * from flagged
