-- docs/rules.md §5: the practice-level Care Information Choices CSV for the publication month,
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
        {{ ach_date('statistics.reporting_month') }} as {{ adapter.quote("ACH_DATE") }},
        statistics.practice_code as {{ adapter.quote("PRACTICE_CODE") }},
        statistics.practice_name as {{ adapter.quote("PRACTICE_NAME") }},
        statistics.ccg_code as {{ adapter.quote("CCG_CODE") }},
        ccgs.ccg_name as {{ adapter.quote("CCG_NAME") }},
        {{ published_figures('statistics') }}
    from statistics
    left join ccgs on statistics.ccg_code = ccgs.ccg_code
    where
        {{ publication_month_filter(ref('practice_opt_out_statistics')) }}
        -- Nothing is published unless every check on the statistics passed.
        and (select max(failures) from {{ ref('statistics_checks') }}) = 0
)

select
    {{ adapter.quote("ACH_DATE") }},
    {{ adapter.quote("PRACTICE_CODE") }},
    {{ adapter.quote("PRACTICE_NAME") }},
    {{ adapter.quote("CCG_CODE") }},
    {{ adapter.quote("CCG_NAME") }},
    {{ adapter.quote("REGISTERED_PATIENTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUT_RATE") }},
    {{ adapter.quote("TYPE_2_OPT_OUTS") }},
    {{ adapter.quote("TYPE_2_OPT_OUT_RATE") }}
from published
order by {{ adapter.quote("PRACTICE_CODE") }}
