-- SPEC §9: in sub_icb_locations each ICB code has one ONS code, name and region, and each
-- region code one ONS code and name. The ICB and region marts group by code, so two
-- spellings of one ICB would split its figures into two rows.
with

icbs as (
    select icb_code as area_code
    from {{ ref('sub_icb_locations') }}
    group by icb_code
    having count(distinct icb_ons_code || '|' || coalesce(icb_name, '') || '|' || region_code) > 1
),

regions as (
    select region_code as area_code
    from {{ ref('sub_icb_locations') }}
    group by region_code
    having count(distinct region_ons_code || '|' || coalesce(region_name, '')) > 1
)

select
    'icb' as level,
    area_code
from icbs
union all
select
    'region' as level,
    area_code
from regions
