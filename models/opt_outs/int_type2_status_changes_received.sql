-- The received Type 2 status changes (R10's changes, less a patient's first status when it
-- is "not opted out", which changes nothing), each with when the warehouse received it:
-- received_at is the start of the first build that took in a row first carrying one of the
-- patient's codes on that extract date (int_opt_out_code_first_arrivals: the rows' own
-- arrival, not the practice's extract date). The service level (docs/rules.md §6) is
-- measured from here.
{{ config(materialized='view') }}
with

changes as (
    select
        nhs_number,
        status_from,
        is_opted_out,
        row_number() over (partition by nhs_number order by status_from) as change_number
    from {{ ref('int_type2_status_changes') }}
),

-- Under the number the patient is known by now (SPEC §9, changed NHS numbers).
arrivals as (
    select
        {{ patient_number('first_arrivals.nhs_number', 'links') }} as nhs_number,
        first_arrivals.extract_date,
        min(first_arrivals.first_received_at) as received_at
    from {{ ref('int_opt_out_code_first_arrivals') }} as first_arrivals
    left join {{ ref('int_nhs_number_patients') }} as links on first_arrivals.nhs_number = links.nhs_number
    where first_arrivals.opt_out_type = 2
    group by {{ patient_number('first_arrivals.nhs_number', 'links') }}, first_arrivals.extract_date
),

received_changes as (
    select
        changes.nhs_number,
        changes.status_from as extract_date,
        changes.is_opted_out,
        arrivals.received_at
    from changes
    inner join arrivals
        on changes.nhs_number = arrivals.nhs_number and changes.status_from = arrivals.extract_date
    where changes.change_number > 1 or changes.is_opted_out
)

select * from received_changes
