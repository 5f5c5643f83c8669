-- Implements R14: each collected patient row is rejected (first reason: unexpected_column_count,
-- invalid_collection_date, invalid_practice_code, invalid_nhs_number), excluded because
-- the patient's Type 1 status from codes recorded strictly before the collection date is
-- opted out (latest recorded date decides, opt-out wins ties, an undated opt-out counts as
-- before), or collected. A view, never a table: excluded rows must not be stored. With
-- changed NHS numbers (SPEC §9) a Type 1 code under any number of the patient's chain counts
-- (one status, under the number the patient is known by now); and a patient is excluded when
-- any patient of their group of links (int_nhs_number_link_components: the numbers joined by
-- links, applied or left in conflict for a person) is Type 1 opted out.
{{ config(materialized='view') }}

with

patients as (
    select * from {{ ref('stg_landing__gp_level_data_patients') }}
),

type1_codes as (
    select
        {{ patient_number('codes.nhs_number', 'links') }} as patient_number,
        coalesce(components.component_number, codes.nhs_number) as component_number,
        codes.action,
        codes.recorded_date
    from {{ ref('int_gp_level_data_code_rows_classified') }} as codes
    left join {{ ref('int_nhs_number_patients') }} as links on codes.nhs_number = links.nhs_number
    left join {{ ref('int_nhs_number_link_components') }} as components on codes.nhs_number = components.nhs_number
    where codes.rejection_reason is null
),

classified as (
    select
        *,
        {{ first_rejection_reason([
            ['invalid_collection_date', 'collection_date is null'],
            ['invalid_practice_code', 'not practice_code_is_valid'],
            ['invalid_nhs_number', 'not nhs_number_is_valid'],
        ]) }} as rejection_reason
    from patients
),

-- Each patient of the row's group: their Type 1 status before the collection.
type1_decisions as (
    select
        classified.source_file,
        classified.row_number,
        type1_codes.patient_number,
        -- R8's decision order (status_decision_key); an undated opt-out stands just
        -- before the collection.
        max(
            {{ status_decision_key(
                'coalesce(type1_codes.recorded_date, cast(' ~ dbt.dateadd('day', -1, 'classified.collection_date')
                ~ ' as date))',
                'type1_codes.action',
            ) }}
        ) as deciding_key
    from classified
    left join {{ ref('int_nhs_number_link_components') }} as components
        on classified.nhs_number = components.nhs_number
    inner join type1_codes
        on
            coalesce(components.component_number, classified.nhs_number) = type1_codes.component_number
            and (type1_codes.recorded_date is null or type1_codes.recorded_date < classified.collection_date)
    where classified.rejection_reason is null
    group by classified.source_file, classified.row_number, type1_codes.patient_number
),

-- Excluded when any patient of the group is opted out.
type1_exclusions as (
    select
        source_file,
        row_number,
        max(case when {{ decision_is_opt_out('deciding_key') }} then 1 else 0 end) as is_opted_out
    from type1_decisions
    group by source_file, row_number
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
        coalesce(type1_exclusions.is_opted_out = 1, false) as is_type1_opted_out
    from classified
    left join type1_exclusions
        on
            classified.source_file = type1_exclusions.source_file
            and classified.row_number = type1_exclusions.row_number
)

select * from final
