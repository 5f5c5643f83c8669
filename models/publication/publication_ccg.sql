-- SPEC §7: the CCG-level Care Information Choices CSV for the publication month, with
-- disclosure control.
with

statistics as (
    select * from {{ ref('ccg_opt_out_statistics') }}
),

published as (
    select
        {{ ach_date('statistics.reporting_month') }} as "ACH_DATE",
        statistics.ccg_code as "CCG_CODE",
        statistics.ccg_name as "CCG_NAME",
        {{ published_figures('statistics') }}
    from statistics
    where {{ publication_month_filter(ref('ccg_opt_out_statistics')) }}
)

select
    "ACH_DATE",
    "CCG_CODE",
    "CCG_NAME",
    "REGISTERED_PATIENTS",
    "TYPE_1_OPT_OUTS",
    "TYPE_1_OPT_OUT_RATE",
    "TYPE_2_OPT_OUTS",
    "TYPE_2_OPT_OUT_RATE"
from published
order by "CCG_CODE"
