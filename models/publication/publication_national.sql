-- SPEC §7: the England Care Information Choices CSV for the publication month. England
-- figures are not altered by disclosure control.
with

statistics as (
    select * from {{ ref('national_opt_out_statistics') }}
),

published as (
    select
        {{ ach_date('reporting_month') }} as "ACH_DATE",
        cast(registered_patients as {{ dbt.type_string() }}) as "REGISTERED_PATIENTS",
        cast(type1_opt_outs as {{ dbt.type_string() }}) as "TYPE_1_OPT_OUTS",
        {{ format_rate('type1_rate') }} as "TYPE_1_OPT_OUT_RATE",
        cast(type2_opt_outs as {{ dbt.type_string() }}) as "TYPE_2_OPT_OUTS",
        {{ format_rate('type2_rate') }} as "TYPE_2_OPT_OUT_RATE",
        cast(current_type2_opt_outs as {{ dbt.type_string() }}) as "CURRENT_TYPE_2_OPT_OUTS"
    from statistics
    where {{ publication_month_filter(ref('national_opt_out_statistics')) }}
)

select
    "ACH_DATE",
    "REGISTERED_PATIENTS",
    "TYPE_1_OPT_OUTS",
    "TYPE_1_OPT_OUT_RATE",
    "TYPE_2_OPT_OUTS",
    "TYPE_2_OPT_OUT_RATE",
    "CURRENT_TYPE_2_OPT_OUTS"
from published
