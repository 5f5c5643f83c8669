-- docs/rules.md §5: the CCG-level Care Information Choices CSV for the publication month, with
-- disclosure control.
with

statistics as (
    select * from {{ ref('ccg_opt_out_statistics') }}
),

published as (
    select
        {{ ach_date('statistics.reporting_month') }} as {{ adapter.quote("ACH_DATE") }},
        statistics.ccg_code as {{ adapter.quote("CCG_CODE") }},
        statistics.ccg_name as {{ adapter.quote("CCG_NAME") }},
        {{ published_figures('statistics') }}
    from statistics
    where
        {{ publication_month_filter(ref('ccg_opt_out_statistics')) }}
        -- Nothing is published unless every check on the statistics passed.
        and (select max(failures) from {{ ref('statistics_checks') }}) = 0
)

select
    {{ adapter.quote("ACH_DATE") }},
    {{ adapter.quote("CCG_CODE") }},
    {{ adapter.quote("CCG_NAME") }},
    {{ adapter.quote("REGISTERED_PATIENTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUT_RATE") }},
    {{ adapter.quote("TYPE_2_OPT_OUTS") }},
    {{ adapter.quote("TYPE_2_OPT_OUT_RATE") }}
from published
order by {{ adapter.quote("CCG_CODE") }}
