-- SPEC §9 and R3 for the nhs_number_changes feed: each landed row is accepted
-- (rejection_reason null) or takes the first reason that applies — an extract date that
-- does not parse or is later than the day received (§2), either NHS number invalid under
-- R1, the same number on both sides, an effective date that does not parse or is after
-- the extract date. A malformed line (R3) arrives with no values, and a row any of whose
-- values looks like a Type 1 code (R4) keeps none.
{{ config(materialized='view') }}
with

staged as (
    select * from {{ ref('stg_landing__nhs_number_changes') }}
),

-- R4 in disguise: a value that looks like a Type 1 code means the row is not what it
-- seems; when in doubt, keep no NHS number.
type1_lookalike_rows as (
    {{ type1_lookalike_lines('staged', ['extract_date', 'superseded_nhs_number', 'nhs_number', 'effective_date']) }}
),

classified as (
    select
        staged.*,
        type1_lookalike_rows.row_number is not null as looks_like_type1,
        {{ first_rejection_reason([
            ['invalid_extract_date', 'extract_date is null or extract_date > ' ~ received_on()],
            ['invalid_nhs_number', 'not superseded_nhs_number_is_valid or not nhs_number_is_valid'],
            ['same_nhs_number', 'superseded_nhs_number = nhs_number'],
            ['invalid_effective_date', 'effective_date is null or effective_date > extract_date'],
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
        {%- for column in ['extract_date', 'superseded_nhs_number', 'nhs_number', 'effective_date'] %}
            case when not looks_like_type1 then {{ column }}_raw end as {{ column }}_raw,
        {%- endfor %}
        extract_date,
        case when rejection_reason is null then superseded_nhs_number end as superseded_nhs_number,
        case when rejection_reason is null then nhs_number end as nhs_number,
        case when rejection_reason is null then effective_date end as effective_date
    from classified
)

select * from final
