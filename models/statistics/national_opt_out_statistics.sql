-- R13: England figures are sums over every practice row of the month;
-- current_type2_opt_outs counts every patient opted out as known at the last day of the
-- month, attributed to a practice or not (the deceased and deregistered included).
with

practice_rows as (
    select * from {{ ref('practice_opt_out_statistics') }}
),

months as (
    select * from {{ ref('int_reporting_months') }}
),

opted_out_at_month_end as (
    select * from {{ ref('int_type2_opted_out_at_month_end') }}
),

summed as (
    select
        reporting_month,
        cast(sum(registered_patients) as bigint) as registered_patients,
        cast(sum(type1_opt_outs) as bigint) as type1_opt_outs,
        cast(sum(type2_opt_outs) as bigint) as type2_opt_outs
    from practice_rows
    group by reporting_month
),

current_type2 as (
    select
        reporting_month,
        count(*) as current_type2_opt_outs
    from opted_out_at_month_end
    group by reporting_month
),

final as (
    select
        months.reporting_month,
        summed.registered_patients,
        -- Missing, not 0, while no practice has sent its counts for the month.
        summed.type1_opt_outs,
        coalesce(summed.type2_opt_outs, 0) as type2_opt_outs,
        {{ opt_out_rate('summed.type1_opt_outs', 'summed.registered_patients') }} as type1_rate,
        {{ opt_out_rate('summed.type2_opt_outs', 'summed.registered_patients') }} as type2_rate,
        coalesce(current_type2.current_type2_opt_outs, 0) as current_type2_opt_outs
    from months
    left join summed on months.reporting_month = summed.reporting_month
    left join current_type2 on months.reporting_month = current_type2.reporting_month
)

select
    reporting_month,
    registered_patients,
    type1_opt_outs,
    type2_opt_outs,
    type1_rate,
    type2_rate,
    current_type2_opt_outs
from final
