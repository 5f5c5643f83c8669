-- Write-audit-publish: the periods (R10) that point-in-time releases apply, published
-- only after every check on opt_out_periods and upstream has passed.
-- depends_on: {{ ref('landing_file_reconciliation') }}
with

checked as (
    select * from {{ ref('opt_out_periods') }}
),

published as (
    select
        nhs_number,
        applied_from,
        applied_to,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as published_at
    from checked
)

select * from published
