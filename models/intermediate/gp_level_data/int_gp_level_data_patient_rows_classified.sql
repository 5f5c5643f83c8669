-- R14: each collected patient row is rejected (first reason: unexpected_column_count,
-- invalid_collection_date, invalid_practice_code, invalid_nhs_number), excluded because
-- the patient's Type 1 status from codes recorded strictly before the collection date is
-- opted out (latest recorded date decides, opt-out wins ties, an undated opt-out counts as
-- before), or collected. A view, never a table: excluded rows must not be stored.
{{ config(materialized='view') }}

with

patients as (
    select * from {{ ref('stg_landing__gp_level_data_patients') }}
),

type1_codes as (
    select
        nhs_number,
        action,
        recorded_date
    from {{ ref('int_gp_level_data_code_rows_classified') }}
    where rejection_reason is null
),

classified as (
    select
        *,
        case
            when has_extra_values then 'unexpected_column_count'
            when has_line_break then 'embedded_line_break'
            when collection_date is null then 'invalid_collection_date'
            when not practice_code_is_valid then 'invalid_practice_code'
            when not nhs_number_is_valid then 'invalid_nhs_number'
        end as rejection_reason
    from patients
),

type1_decisions as (
    select
        classified.source_file,
        classified.row_number,
        -- Latest recorded date before the collection decides; an undated opt-out stands
        -- just before the collection; '1' (opt-out) sorts above '0' (withdrawal).
        max(
            cast(
                coalesce(
                    type1_codes.recorded_date,
                    cast({{ dbt.dateadd('day', -1, 'classified.collection_date') }} as date)
                ) as {{ dbt.type_string() }}
            )
            || case when type1_codes.action = 'opt_out' then '1' else '0' end
        ) as deciding_key
    from classified
    inner join type1_codes
        on
            classified.nhs_number = type1_codes.nhs_number
            and (type1_codes.recorded_date is null or type1_codes.recorded_date < classified.collection_date)
    where classified.rejection_reason is null
    group by classified.source_file, classified.row_number
),

final as (
    select
        classified.source_file,
        classified.row_number,
        classified.collection_date_raw,
        classified.practice_code_raw,
        classified.collection_date,
        classified.practice_code,
        classified.nhs_number,
        classified.usual_gp_code,
        classified.rejection_reason,
        coalesce(right(type1_decisions.deciding_key, 1) = '1', false) as is_type1_opted_out
    from classified
    left join type1_decisions
        on
            classified.source_file = type1_decisions.source_file
            and classified.row_number = type1_decisions.row_number
)

select * from final
