-- SPEC §9: England's Type 2 opt-outs per reporting month by age band, gender and whether
-- the patient had died — every patient opted out as known at the month's last day
-- (int_type2_opted_out_at_month_end), counted once. A patient's demographics are those of
-- their latest accepted patient_demographics row; rows of that extract date that disagree
-- count as none. Age is the last day's year minus the year of birth, banded 0-17, 18-29,
-- 30-39 ... 80-89, 90+; no demographics row (or a year of birth after that day) gives band
-- and gender Unknown (never dropped).
-- Deceased: a date of death on or before the month's last day. Empty while the feed has
-- never delivered an accepted row.
with

-- Under the number the patient is known by now (SPEC §9, changed NHS numbers).
demographics as (
    select
        {{ patient_number('received.nhs_number', 'links') }} as nhs_number,
        received.extract_date,
        received.year_of_birth,
        received.gender,
        received.date_of_death
    from {{ ref('int_patient_demographic_rows_received') }} as received
    left join {{ ref('int_nhs_number_patients') }} as links on received.nhs_number = links.nhs_number
    where received.rejection_reason is null
),

latest_extracts as (
    select
        nhs_number,
        max(extract_date) as extract_date
    from demographics
    group by nhs_number
),

latest as (
    select
        demographics.nhs_number,
        min(demographics.year_of_birth) as year_of_birth,
        min(demographics.gender) as gender,
        min(demographics.date_of_death) as date_of_death,
        (
            count(distinct demographics.year_of_birth) = 1
            and count(distinct demographics.gender) = 1
            and count(distinct coalesce(cast(demographics.date_of_death as {{ dbt.type_string() }}), 'none')) = 1
        ) as is_consistent
    from demographics
    inner join latest_extracts
        on
            demographics.nhs_number = latest_extracts.nhs_number
            and demographics.extract_date = latest_extracts.extract_date
    group by demographics.nhs_number
),

opted_out as (
    select
        opted_out.reporting_month,
        opted_out.nhs_number,
        months.month_end
    from {{ ref('int_type2_opted_out_at_month_end') }} as opted_out
    inner join {{ ref('int_reporting_months') }} as months
        on opted_out.reporting_month = months.reporting_month
    where exists (select 1 from demographics)
),

-- Demographics describe the patient at the month's last day only when consistent and the
-- year of birth is not after it; otherwise band Unknown, gender unknown, not deceased.
usable as (
    select
        opted_out.reporting_month,
        opted_out.month_end,
        latest.year_of_birth,
        latest.gender,
        latest.date_of_death
    from opted_out
    left join latest
        on
            opted_out.nhs_number = latest.nhs_number
            and latest.is_consistent
            and latest.year_of_birth <= extract(year from opted_out.month_end)
),

described as (
    select
        reporting_month,
        cast(extract(year from month_end) as bigint) - year_of_birth as age,
        coalesce(gender, 'unknown') as gender,
        coalesce(date_of_death <= month_end, false) as deceased
    from usable
),

banded as (
    select
        reporting_month,
        case
            when age is null then 'Unknown'
            when age < 18 then '0-17'
            when age < 30 then '18-29'
            when age >= 90 then '90+'
            else
                cast({{ integer_divide('age', 10) }} * 10 as {{ dbt.type_string() }}) || '-'
                || cast({{ integer_divide('age', 10) }} * 10 + 9 as {{ dbt.type_string() }})
        end as age_band,
        gender,
        deceased
    from described
)

select
    reporting_month,
    age_band,
    gender,
    deceased,
    count(*) as type2_opt_outs
from banded
group by reporting_month, age_band, gender, deceased
