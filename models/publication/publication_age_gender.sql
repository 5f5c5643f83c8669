-- SPEC §9 and docs/rules.md §5: England's Type 2 opt-outs of the publication month by age
-- band and gender, with the marginals (All) — each cell split into living and deceased — under
-- the disclosure control of every figure but England's total (All, All: TYPE_2_OPT_OUTS).
-- Empty without demographics.
with

cells as (
    select * from {{ ref('type2_opt_outs_by_age_gender') }}
    where
        {{ publication_month_filter(ref('national_opt_out_statistics')) }}
        -- Nothing is published unless every check on the statistics passed.
        and (select max(failures) from {{ ref('statistics_checks') }}) = 0
),

-- Each cell, every band's and every gender's total (All), and England's (All, All).
summed as (
    select
        reporting_month,
        age_band,
        gender,
        false as is_england_total,
        sum(type2_opt_outs) as type2_opt_outs,
        sum(case when not deceased then type2_opt_outs else 0 end) as living,
        sum(case when deceased then type2_opt_outs else 0 end) as deceased
    from cells
    group by reporting_month, age_band, gender
    union all
    select
        reporting_month,
        age_band,
        'All' as gender,
        false as is_england_total,
        sum(type2_opt_outs) as type2_opt_outs,
        sum(case when not deceased then type2_opt_outs else 0 end) as living,
        sum(case when deceased then type2_opt_outs else 0 end) as deceased
    from cells
    group by reporting_month, age_band
    union all
    select
        reporting_month,
        'All' as age_band,
        gender,
        false as is_england_total,
        sum(type2_opt_outs) as type2_opt_outs,
        sum(case when not deceased then type2_opt_outs else 0 end) as living,
        sum(case when deceased then type2_opt_outs else 0 end) as deceased
    from cells
    group by reporting_month, gender
    union all
    select
        reporting_month,
        'All' as age_band,
        'All' as gender,
        true as is_england_total,
        sum(type2_opt_outs) as type2_opt_outs,
        sum(case when not deceased then type2_opt_outs else 0 end) as living,
        sum(case when deceased then type2_opt_outs else 0 end) as deceased
    from cells
    group by reporting_month
),

published as (
    select
        {{ ach_date('reporting_month') }} as {{ adapter.quote("ACH_DATE") }},
        age_band as {{ adapter.quote("AGE_BAND") }},
        gender as {{ adapter.quote("GENDER") }},
        -- England's total alone is not altered; its living/deceased split is below it.
        case
            when is_england_total then cast(type2_opt_outs as {{ dbt.type_string() }})
            else {{ disclose_count('type2_opt_outs') }}
        end as {{ adapter.quote("TYPE_2_OPT_OUTS") }},
        {{ disclose_count('living') }} as {{ adapter.quote("LIVING") }},
        {{ disclose_count('deceased') }} as {{ adapter.quote("DECEASED") }},
        case age_band when 'All' then 99 when 'Unknown' then 98 when '0-17' then 0 else 1 end as band_order,
        case when gender = 'All' then 1 else 0 end as gender_order
    from summed
)

select
    {{ adapter.quote("ACH_DATE") }},
    {{ adapter.quote("AGE_BAND") }},
    {{ adapter.quote("GENDER") }},
    {{ adapter.quote("TYPE_2_OPT_OUTS") }},
    {{ adapter.quote("LIVING") }},
    {{ adapter.quote("DECEASED") }}
from published
order by band_order, {{ adapter.quote("AGE_BAND") }}, gender_order, {{ adapter.quote("GENDER") }}
