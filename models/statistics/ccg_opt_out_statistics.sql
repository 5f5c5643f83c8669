-- R13: CCG figures are sums over the CCG's practice rows in the month (UNKNOWN included);
-- the list size sums only practices with a counts row.
with

practice_rows as (
    select * from {{ ref('practice_opt_out_statistics') }}
),

ccgs as (
    select * from {{ ref('ccgs') }}
),

summed as (
    select
        reporting_month,
        ccg_code,
        cast(sum(registered_patients) as bigint) as registered_patients,
        cast(sum(type1_opt_outs) as bigint) as type1_opt_outs,
        cast(sum(type2_opt_outs) as bigint) as type2_opt_outs
    from practice_rows
    group by reporting_month, ccg_code
),

final as (
    select
        summed.reporting_month,
        summed.ccg_code,
        ccgs.ccg_name,
        summed.registered_patients,
        summed.type1_opt_outs,
        summed.type2_opt_outs,
        {{ opt_out_rate('summed.type1_opt_outs', 'summed.registered_patients') }} as type1_rate,
        {{ opt_out_rate('summed.type2_opt_outs', 'summed.registered_patients') }} as type2_rate
    from summed
    left join ccgs on summed.ccg_code = ccgs.ccg_code
)

select
    reporting_month,
    ccg_code,
    ccg_name,
    registered_patients,
    type1_opt_outs,
    type2_opt_outs,
    type1_rate,
    type2_rate
from final
