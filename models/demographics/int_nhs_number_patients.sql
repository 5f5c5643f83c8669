-- SPEC §9, changed NHS numbers: every number named in an accepted link, with the number its
-- patient is known by now — the last number of its applied chain, or itself (the last
-- number of a chain, or a number whose link is in conflict) — and, for a superseded number,
-- its link's effective date and when the link was received. R7-R10 read every NHS number
-- through this (macro patient_number): a patient's events under every number of the chain
-- are one patient's, reported under the last number.
-- Incremental (docs/rules.md §7): only numbers whose patient changed get a new row and
-- derived_at; then every number of every chain is derived again (macro relinked_numbers).
{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='delete+insert',
        unique_key='nhs_number',
    )
}}
with

links as (
    select * from {{ ref('int_nhs_number_links') }}
),

numbers as (
    select superseded_nhs_number as nhs_number from links
    union
    select nhs_number from links
),

mapped as (
    select
        numbers.nhs_number,
        coalesce(applied.patient_number, numbers.nhs_number) as patient_number,
        applied.effective_date,
        applied.linked_at,
        {{ build_started_at() }} as derived_at
    from numbers
    left join links as applied
        on numbers.nhs_number = applied.superseded_nhs_number and applied.patient_number is not null
)

select * from mapped
{%- if is_incremental() %}
where not exists (
    select 1 from {{ this }} as known
    where
        known.nhs_number = mapped.nhs_number
        and known.patient_number = mapped.patient_number
        and known.effective_date is not distinct from mapped.effective_date
)
{%- endif %}
