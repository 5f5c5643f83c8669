-- The publication's gate: the checks that span the statistics marts, one row each with its
-- number of failures — CCG and England figures are the sums of their practice rows (R13),
-- and the sub-ICB, ICB and region figures of a month add up to England's (SPEC §9), month
-- by month. The publication views read this model, so a failure (or a failing test
-- upstream) stops the publication; its own test is all_checks_pass.
with

practice_sums as (
    select
        reporting_month,
        ccg_code,
        sum(registered_patients) as registered_patients,
        sum(type1_opt_outs) as type1_opt_outs,
        sum(type2_opt_outs) as type2_opt_outs
    from {{ ref('practice_opt_out_statistics') }}
    group by reporting_month, ccg_code
),

england_sums as (
    select
        reporting_month,
        sum(registered_patients) as registered_patients,
        sum(type1_opt_outs) as type1_opt_outs,
        sum(type2_opt_outs) as type2_opt_outs
    from practice_sums
    group by reporting_month
),

ccg_mismatches as (
    select practice_sums.reporting_month
    from practice_sums
    full outer join {{ ref('ccg_opt_out_statistics') }} as ccg
        on practice_sums.reporting_month = ccg.reporting_month and practice_sums.ccg_code = ccg.ccg_code
    where
        ccg.ccg_code is null
        or practice_sums.ccg_code is null
        or practice_sums.registered_patients is distinct from ccg.registered_patients
        or practice_sums.type1_opt_outs is distinct from ccg.type1_opt_outs
        or practice_sums.type2_opt_outs <> ccg.type2_opt_outs
),

england_mismatches as (
    select national.reporting_month
    from {{ ref('national_opt_out_statistics') }} as national
    left join england_sums on national.reporting_month = england_sums.reporting_month
    where
        england_sums.registered_patients is distinct from national.registered_patients
        or england_sums.type1_opt_outs is distinct from national.type1_opt_outs
        or coalesce(england_sums.type2_opt_outs, 0) <> national.type2_opt_outs
),

{%- set levels = ['sub_icb', 'icb', 'region'] %}

-- Every month from 2022-07 has figures at each level of today's geography when it is
-- supplied, none otherwise, and a level's areas add up to England.
expected_area_months as (
    {%- for level in levels %}
        select
            '{{ level }}' as level,
            england_sums.*
        from england_sums
        where
            reporting_month >= {{ sub_icb_geography_from() }}
            and exists (select 1 from {{ ref('practice_sub_icb_locations') }})
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

area_sums as (
    {%- for level in levels %}
        select
            '{{ level }}' as level,
            reporting_month,
            sum(registered_patients) as registered_patients,
            sum(type1_opt_outs) as type1_opt_outs,
            sum(type2_opt_outs) as type2_opt_outs
        from {{ ref(level ~ '_opt_out_statistics') }}
        group by reporting_month
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

area_mismatches as (
    select coalesce(expected_area_months.level, area_sums.level) as level
    from expected_area_months
    full outer join area_sums
        on
            expected_area_months.level = area_sums.level
            and expected_area_months.reporting_month = area_sums.reporting_month
    where
        expected_area_months.level is null
        or area_sums.level is null
        or expected_area_months.registered_patients is distinct from area_sums.registered_patients
        or expected_area_months.type1_opt_outs is distinct from area_sums.type1_opt_outs
        or coalesce(expected_area_months.type2_opt_outs, 0) <> area_sums.type2_opt_outs
),

-- Each ICB's figures are the sums of its sub-ICB locations', each region's of its ICBs'
-- (by sub_icb_locations; UNKNOWN goes to UNKNOWN): the three files agree with each other.
icb_hierarchy_mismatches as (
    {{ area_hierarchy_mismatches('sub_icb', 'icb') }}
),

region_hierarchy_mismatches as (
    {{ area_hierarchy_mismatches('icb', 'region') }}
),

-- The age and gender cells of a month count every patient opted out at its last day once:
-- they add up to England's current_type2_opt_outs every month (SPEC §9), unless the mart is
-- empty (no demographics received).
age_gender_mismatches as (
    select national.reporting_month
    from {{ ref('national_opt_out_statistics') }} as national
    left join (
        select
            reporting_month,
            sum(type2_opt_outs) as type2_opt_outs
        from {{ ref('type2_opt_outs_by_age_gender') }}
        group by reporting_month
    ) as cells
        on national.reporting_month = cells.reporting_month
    where
        coalesce(cells.type2_opt_outs, 0) <> national.current_type2_opt_outs
        and exists (select 1 from {{ ref('type2_opt_outs_by_age_gender') }})
),

checks as (
    select
        'ccg_figures_are_sums_of_practices' as check_name,
        (select count(*) from ccg_mismatches) as failures
    union all
    select
        'england_figures_are_sums_of_practices' as check_name,
        (select count(*) from england_mismatches) as failures
    union all
    select
        'icb_figures_are_sums_of_sub_icb_locations' as check_name,
        (select count(*) from icb_hierarchy_mismatches) as failures
    union all
    select
        'region_figures_are_sums_of_icbs' as check_name,
        (select count(*) from region_hierarchy_mismatches) as failures
    union all
    select
        'age_gender_cells_add_up_to_england' as check_name,
        (select count(*) from age_gender_mismatches) as failures
    {%- for level in levels %}
        union all
        select
            '{{ level }}_figures_add_up_to_england' as check_name,
            (select count(*) from area_mismatches where level = '{{ level }}') as failures
    {%- endfor %}
)

select
    check_name,
    cast(failures as bigint) as failures
from checks
