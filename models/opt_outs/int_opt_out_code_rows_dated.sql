-- R5 over the compacted rows (int_opt_out_code_first_arrivals: one row stands for all its
-- repeats): the recorded date each accepted row stands for. An opt-out whose recorded_date
-- is missing, unparseable or after its extract_date takes its received date: the earliest
-- extract_date carrying the same NHS number, code meaning and raw recorded_date value.
-- (Withdrawals with such dates were rejected upstream.) A view: read for the patients a
-- build touches (int_opt_out_events), the window is per patient.
{{ config(materialized='view') }}
with

-- SPEC §9: each row under the number its patient is known by now (changed NHS numbers).
first_arrivals as (
    select
        arrivals.source_file,
        arrivals.row_number,
        arrivals.extract_date,
        arrivals.practice_code,
        {{ patient_number('arrivals.nhs_number', 'links') }} as nhs_number,
        arrivals.opt_out_type,
        arrivals.action,
        arrivals.recorded_date,
        arrivals.recorded_date_is_valid,
        arrivals.recorded_date_as_sent,
        arrivals.first_received_at,
        arrivals.derived_at
    from {{ ref('int_opt_out_code_first_arrivals') }} as arrivals
    left join {{ ref('int_nhs_number_patients') }} as links on arrivals.nhs_number = links.nhs_number
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
        not recorded_date_is_valid as recorded_date_imputed,
        first_received_at,
        derived_at
    from first_arrivals
)

select * from dated
