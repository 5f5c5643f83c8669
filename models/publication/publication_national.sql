-- docs/rules.md §5: the England Care Information Choices CSV for the publication month. England
-- figures are not altered by disclosure control.
with

statistics as (
    select * from {{ ref('national_opt_out_statistics') }}
),

published as (
    select
        {{ ach_date('reporting_month') }} as {{ adapter.quote("ACH_DATE") }},
        cast(registered_patients as {{ dbt.type_string() }}) as {{ adapter.quote("REGISTERED_PATIENTS") }},
        cast(type1_opt_outs as {{ dbt.type_string() }}) as {{ adapter.quote("TYPE_1_OPT_OUTS") }},
        {{ format_rate('type1_rate') }} as {{ adapter.quote("TYPE_1_OPT_OUT_RATE") }},
        cast(type2_opt_outs as {{ dbt.type_string() }}) as {{ adapter.quote("TYPE_2_OPT_OUTS") }},
        {{ format_rate('type2_rate') }} as {{ adapter.quote("TYPE_2_OPT_OUT_RATE") }},
        cast(current_type2_opt_outs as {{ dbt.type_string() }}) as {{ adapter.quote("CURRENT_TYPE_2_OPT_OUTS") }}
    from statistics
    where
        {{ publication_month_filter(ref('national_opt_out_statistics')) }}
        -- Nothing is published unless every check on the statistics passed.
        and (select max(failures) from {{ ref('statistics_checks') }}) = 0
)

select
    {{ adapter.quote("ACH_DATE") }},
    {{ adapter.quote("REGISTERED_PATIENTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUT_RATE") }},
    {{ adapter.quote("TYPE_2_OPT_OUTS") }},
    {{ adapter.quote("TYPE_2_OPT_OUT_RATE") }},
    {{ adapter.quote("CURRENT_TYPE_2_OPT_OUTS") }}
from published
