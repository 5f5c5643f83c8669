-- R5: accepted rows with the recorded date each one stands for. An opt-out whose
-- recorded_date is missing, unparseable or after its extract_date takes its received
-- date: the earliest extract_date carrying the same NHS number, code meaning and raw
-- recorded_date value. (Withdrawals with such dates were rejected upstream.)
{{ config(materialized='table') }}
with

accepted as (
    select
        source_file,
        row_number,
        extract_date,
        case when practice_code_is_valid then practice_code else 'UNKNOWN' end as practice_code,
        nhs_number,
        opt_out_type,
        action,
        recorded_date,
        recorded_date_is_valid,
        coalesce(trim(recorded_date_raw), '') as recorded_date_as_sent
    from {{ ref('int_opt_out_code_rows_received') }}
    where rejection_reason is null
),

dated as (
    select
        source_file,
        row_number,
        extract_date,
        practice_code,
        nhs_number,
        opt_out_type,
        action,
        case
            when recorded_date_is_valid then recorded_date
            else min(extract_date) over (
                partition by nhs_number, opt_out_type, action, recorded_date_as_sent
            )
        end as recorded_date,
        not recorded_date_is_valid as recorded_date_imputed
    from accepted
)

select * from dated
