{#- R13 on today's geography (SPEC §9): figures per `level` (sub_icb, icb or region) and
    month, summed over the practice rows of practice_opt_out_statistics. A practice's area
    is that of its practice_sub_icb_locations row valid on the first day of the month, or
    UNKNOWN; the list size sums only practices with a counts row. Only months from
    2022-07 (when sub-ICB locations replaced CCGs), and nothing at all while
    practice_sub_icb_locations has no rows. -#}
{% macro area_opt_out_statistics(level) -%}
with

practice_rows as (
    select * from {{ ref('practice_opt_out_statistics') }}
    where
        reporting_month >= {{ sub_icb_geography_from() }}
        and exists (select 1 from {{ ref('practice_sub_icb_locations') }})
),

memberships as (
    select * from {{ ref('practice_sub_icb_locations') }}
),

areas as (
    select * from {{ ref('sub_icb_locations') }}
),

practice_areas as (
    select
        practice_rows.reporting_month,
        coalesce(areas.{{ level }}_code, 'UNKNOWN') as area_code,
        areas.{{ level }}_ons_code as area_ons_code,
        areas.{{ level }}_name as area_name,
        practice_rows.registered_patients,
        practice_rows.type1_opt_outs,
        practice_rows.type2_opt_outs
    from practice_rows
    left join memberships
        on
            practice_rows.practice_code = memberships.practice_code
            and {{ period_covers_month('memberships', 'practice_rows.reporting_month') }}
    left join areas on memberships.sub_icb_code = areas.sub_icb_code
),

summed as (
    select
        reporting_month,
        area_code,
        max(area_ons_code) as area_ons_code,
        max(area_name) as area_name,
        cast(sum(registered_patients) as bigint) as registered_patients,
        cast(sum(type1_opt_outs) as bigint) as type1_opt_outs,
        cast(sum(type2_opt_outs) as bigint) as type2_opt_outs
    from practice_areas
    group by reporting_month, area_code
)

select
    reporting_month,
    area_code as {{ level }}_code,
    area_ons_code as {{ level }}_ons_code,
    area_name as {{ level }}_name,
    registered_patients,
    type1_opt_outs,
    type2_opt_outs,
    {{ opt_out_rate('type1_opt_outs', 'registered_patients') }} as type1_rate,
    {{ opt_out_rate('type2_opt_outs', 'registered_patients') }} as type2_rate
from summed
{%- endmacro %}

{#- The first month published by sub-ICB location, ICB and region (CCGs were replaced on
    2022-07-01), as a SQL date. -#}
{% macro sub_icb_geography_from() -%}
    cast('2022-07-01' as date)
{%- endmacro %}

{#- docs/rules.md §5 on today's geography: the publication CSV of `level` (sub_icb, icb or
    region) for the publication month, headers as the national publication spells them,
    with the same disclosure control as the CCG file. Empty for a month before 2022-07 or
    without practice_sub_icb_locations: that month is published by CCG only. -#}
{% macro publication_area(level) -%}
    {%- set header = {'sub_icb': 'SUB_ICB_LOCATION', 'icb': 'ICB', 'region': 'COMM_REGION'}[level] -%}
with

statistics as (
    select * from {{ ref(level ~ '_opt_out_statistics') }}
),

published as (
    select
        {{ ach_date('statistics.reporting_month') }} as {{ adapter.quote("ACH_DATE") }},
        statistics.{{ level }}_code as {{ adapter.quote(header ~ "_CODE") }},
        statistics.{{ level }}_ons_code as {{ adapter.quote("ONS_" ~ header ~ "_CODE") }},
        statistics.{{ level }}_name as {{ adapter.quote(header ~ "_NAME") }},
        {{ published_figures('statistics') }}
    from statistics
    where
        {{ publication_month_filter(ref('national_opt_out_statistics')) }}
        -- Nothing is published unless every check on the statistics passed.
        and (select max(failures) from {{ ref('statistics_checks') }}) = 0
)

select
    {{ adapter.quote("ACH_DATE") }},
    {{ adapter.quote(header ~ "_CODE") }},
    {{ adapter.quote("ONS_" ~ header ~ "_CODE") }},
    {{ adapter.quote(header ~ "_NAME") }},
    {{ adapter.quote("REGISTERED_PATIENTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUTS") }},
    {{ adapter.quote("TYPE_1_OPT_OUT_RATE") }},
    {{ adapter.quote("TYPE_2_OPT_OUTS") }},
    {{ adapter.quote("TYPE_2_OPT_OUT_RATE") }}
from published
order by {{ adapter.quote(header ~ "_CODE") }}
{%- endmacro %}

{#- statistics_checks (SPEC §9): the (month) rows where the `parent` level's figures (icb or
    region) differ from the sums of its `child` level's (sub_icb or icb) by the hierarchy of
    sub_icb_locations; an area missing on either side counts too. UNKNOWN sums to UNKNOWN. -#}
{% macro area_hierarchy_mismatches(child, parent) -%}
    select coalesce(summed.reporting_month, area.reporting_month) as reporting_month
    from (
        select
            children.reporting_month,
            coalesce(parents.{{ parent }}_code, 'UNKNOWN') as area_code,
            sum(children.registered_patients) as registered_patients,
            sum(children.type1_opt_outs) as type1_opt_outs,
            sum(children.type2_opt_outs) as type2_opt_outs
        from {{ ref(child ~ '_opt_out_statistics') }} as children
        left join (
            select distinct
                {{ child }}_code,
                {{ parent }}_code
            from {{ ref('sub_icb_locations') }}
        ) as parents
            on children.{{ child }}_code = parents.{{ child }}_code
        group by children.reporting_month, coalesce(parents.{{ parent }}_code, 'UNKNOWN')
    ) as summed
    full outer join {{ ref(parent ~ '_opt_out_statistics') }} as area
        on summed.reporting_month = area.reporting_month and summed.area_code = area.{{ parent }}_code
    where
        summed.area_code is null
        or area.{{ parent }}_code is null
        or summed.registered_patients is distinct from area.registered_patients
        or summed.type1_opt_outs is distinct from area.type1_opt_outs
        or summed.type2_opt_outs <> area.type2_opt_outs
{%- endmacro %}
