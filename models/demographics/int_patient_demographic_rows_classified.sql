-- SPEC §9 and R3 for the patient_demographics feed: each landed row is accepted
-- (rejection_reason null) or takes the first reason that applies — an extract date that
-- does not parse or is later than the day received (§2), an NHS number invalid under R1, a
-- year of birth that is not a year from 1880 to the extract's year, a gender other than
-- male, female, other or unknown (any case), a date of death that does not parse, or is
-- before the year of birth or after the extract date. A malformed line (R3) arrives with no
-- values, and a row any of whose values looks like a Type 1 code (R4) keeps none.
{{ config(materialized='view') }}
with

staged as (
    select * from {{ ref('stg_landing__patient_demographics') }}
),

-- R4 in disguise: a value that looks like a Type 1 code means the row is not what it
-- seems; when in doubt, keep no NHS number.
type1_lookalike_rows as (
    {{ type1_lookalike_lines('staged', ['extract_date', 'nhs_number', 'year_of_birth', 'gender', 'date_of_death']) }}
),

classified as (
    select
        staged.*,
        type1_lookalike_rows.row_number is not null as looks_like_type1,
        {{ first_rejection_reason([
            ['invalid_extract_date', 'extract_date is null or extract_date > ' ~ received_on()],
            ['invalid_nhs_number', 'not nhs_number_is_valid'],
            ['invalid_year_of_birth', 'year_of_birth is null or year_of_birth < 1880 '
                ~ 'or year_of_birth > extract(year from extract_date)'],
            ['invalid_gender', "gender is null or gender not in ('male', 'female', 'other', 'unknown')"],
            ['invalid_date_of_death', 'not date_of_death_is_empty and (date_of_death is null '
                ~ 'or date_of_death > extract_date or extract(year from date_of_death) < year_of_birth)'],
        ]) }} as rejection_reason
    from staged
    left join type1_lookalike_rows
        on
            staged.source_file = type1_lookalike_rows.source_file
            and staged.row_number = type1_lookalike_rows.row_number
),

final as (
    select
        source_file,
        row_number,
        rejection_reason,
        {%- for column in ['extract_date', 'nhs_number', 'year_of_birth', 'gender', 'date_of_death'] %}
            case when not looks_like_type1 then {{ column }}_raw end as {{ column }}_raw,
        {%- endfor %}
        extract_date,
        case when rejection_reason is null then nhs_number end as nhs_number,
        case when rejection_reason is null then year_of_birth end as year_of_birth,
        case when rejection_reason is null then gender end as gender,
        case when rejection_reason is null then date_of_death end as date_of_death
    from classified
)

select * from final
