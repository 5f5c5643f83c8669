-- SPEC §7: the practice-level Care Information Choices CSV for the publication month,
-- with disclosure control. Column names are the published headers.
with

statistics as (
    select * from {{ ref('practice_opt_out_statistics') }}
),

ccgs as (
    select * from {{ ref('ccgs') }}
),

published as (
    select
        {{ ach_date('statistics.reporting_month') }} as "ACH_DATE",
        statistics.practice_code as "PRACTICE_CODE",
        statistics.practice_name as "PRACTICE_NAME",
        statistics.ccg_code as "CCG_CODE",
        ccgs.ccg_name as "CCG_NAME",
        {{ published_figures('statistics') }}
    from statistics
    left join ccgs on statistics.ccg_code = ccgs.ccg_code
    where {{ publication_month_filter(ref('practice_opt_out_statistics')) }}
)

select
    "ACH_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "CCG_CODE",
    "CCG_NAME",
    "REGISTERED_PATIENTS",
    "TYPE_1_OPT_OUTS",
    "TYPE_1_OPT_OUT_RATE",
    "TYPE_2_OPT_OUTS",
    "TYPE_2_OPT_OUT_RATE"
from published
order by "PRACTICE_CODE"
