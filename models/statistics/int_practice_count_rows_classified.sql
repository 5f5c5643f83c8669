-- R3/R6/R11: each landed practice_counts row is accepted (rejection_reason null) or given
-- the first reason that applies. conflicting_counts needs other rows: see
-- int_practice_count_rows_resolved.
{{ config(materialized='view') }}
with

staged as (
    select * from {{ ref('stg_landing__practice_counts') }}
),

classified as (
    select
        source_file,
        row_number,
        extract_date_raw,
        practice_code_raw,
        registered_patients_raw,
        type1_opt_outs_raw,
        extract_date,
        practice_code,
        registered_patients,
        type1_opt_outs,
        {{ first_rejection_reason([
            ['invalid_extract_date', 'extract_date is null or extract_date > ' ~ received_on()],
            ['invalid_practice_code', 'not practice_code_is_valid'],
            ['invalid_count', 'registered_patients is null or type1_opt_outs is null '
                ~ 'or type1_opt_outs > registered_patients'],
        ]) }} as rejection_reason
    from staged
)

select * from classified
