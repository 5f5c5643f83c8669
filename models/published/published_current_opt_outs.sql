-- Write-audit-publish: the current opt-out record that releases apply. Built only after
-- every check on current_opt_outs and upstream has passed; when one fails dbt skips this
-- model and the record published by the last good build stays in force.
-- depends_on: {{ ref('landing_file_reconciliation') }}
with

checked as (
    select * from {{ ref('current_opt_outs') }}
),

record_date as (
    select max(received_date) as record_as_of_date
    from {{ ref('opt_out_events') }}
),

published as (
    select
        checked.nhs_number,
        checked.opted_out_on,
        checked.received_date,
        record_date.record_as_of_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as published_at
    from checked
    cross join record_date
)

select * from published
