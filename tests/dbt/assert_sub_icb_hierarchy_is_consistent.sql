-- SPEC §9: sub_icb_locations is one hierarchy, and practice_sub_icb_locations names
-- practices as R6 writes them. Each ODS code is upper-case letters and
-- digits only (a trailing space would make a second area); each ICB code has one ONS code,
-- name and region and each region code one ONS code and name; and each ONS code names one
-- area. The ICB and region marts group by code, so any of these would split an area's
-- figures into two rows.
{{ config(meta={'show_failing_rows': true}) }}
with

locations as (
    select * from {{ ref('sub_icb_locations') }}
),

malformed_codes as (
    select
        'code_not_upper_case_letters_and_digits' as problem,
        sub_icb_code as area_code
    from locations
    where
        not coalesce({{ regexp_full_match('sub_icb_code', '[A-Z0-9]+') }}, false)
        or not coalesce({{ regexp_full_match('icb_code', '[A-Z0-9]+') }}, false)
        or not coalesce({{ regexp_full_match('region_code', '[A-Z0-9]+') }}, false)
        or not coalesce({{ regexp_full_match('sub_icb_ons_code', 'E38[0-9]{6}') }}, false)
        or not coalesce({{ regexp_full_match('icb_ons_code', 'E54[0-9]{6}') }}, false)
        or not coalesce({{ regexp_full_match('region_ons_code', 'E40[0-9]{6}') }}, false)
),

malformed_practices as (
    select
        'practice_code_not_as_r6_writes_it' as problem,
        practice_code as area_code
    from {{ ref('practice_sub_icb_locations') }}
    where not coalesce({{ regexp_full_match('practice_code', '[A-Z][0-9]{5}') }}, false)
),

icbs as (
    select
        'icb_spelled_two_ways' as problem,
        icb_code as area_code
    from locations
    group by icb_code
    having count(distinct icb_ons_code || '|' || coalesce(icb_name, '') || '|' || region_code) > 1
),

regions as (
    select
        'region_spelled_two_ways' as problem,
        region_code as area_code
    from locations
    group by region_code
    having count(distinct region_ons_code || '|' || coalesce(region_name, '')) > 1
),

ons_codes as (
    select
        'ons_code_of_two_areas' as problem,
        ons_code as area_code
    from (
        select
            sub_icb_ons_code as ons_code,
            sub_icb_code as area_code
        from locations
        union
        select
            icb_ons_code as ons_code,
            icb_code as area_code
        from locations
        union
        select
            region_ons_code as ons_code,
            region_code as area_code
        from locations
    ) as areas
    group by ons_code
    having count(distinct area_code) > 1
)

select * from malformed_codes
union all
select * from malformed_practices
union all
select * from icbs
union all
select * from regions
union all
select * from ons_codes
