-- R9: each patient's Type 2 status as known at the latest received date, and the
-- received date from which it has held. Input of the type2_opt_out_status snapshot,
-- whose history is keyed on status_since so its versions line up with opt_out_periods.
with

changes as (
    select * from {{ ref('int_type2_status_changes') }}
),

current_status as (
    select
        nhs_number,
        is_opted_out,
        cast(status_from as timestamp) as status_since
    from changes
    where status_to is null
)

select * from current_status
