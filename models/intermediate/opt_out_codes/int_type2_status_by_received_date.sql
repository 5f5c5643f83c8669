-- R8 evaluated at each of a patient's distinct received dates: of the events received
-- on or before that date, the one with the latest recorded_date decides, an opt-out
-- beating a withdrawal on the same date.
with

events as (
    select
        nhs_number,
        received_date,
        -- Sorts by recorded date, then opt-out (1) above withdrawal (0).
        cast(recorded_date as {{ dbt.type_string() }})
        || case when action = 'opt_out' then '1' else '0' end as decision_key
    from {{ ref('opt_out_events') }}
    where opt_out_type = 2
),

known_by_date as (
    select
        nhs_number,
        received_date,
        max(decision_key) over (
            partition by nhs_number
            order by received_date
            range between unbounded preceding and current row
        ) as deciding_key
    from events
),

status as (
    select distinct
        nhs_number,
        received_date as as_of_date,
        right(deciding_key, 1) = '1' as is_opted_out,
        cast(left(deciding_key, 10) as date) as deciding_recorded_date
    from known_by_date
)

select * from status
