-- SPEC §9, changed NHS numbers: every accepted link (superseded_nhs_number -> nhs_number, one
-- row per pair: the earliest effective date, and when the link was first received) with
-- what became of it. A link is applied unless
--   * its superseded number is linked to two different numbers (`links_to_two_numbers`),
--   * it would merge two patients who both have status histories: the superseded number
--     has Type 2 rows, and the new number had rows received before the effective date, so
--     it was someone else's then (`merges_two_histories`),
--   * following the applied links from it never ends: a cycle, or a chain of more than 16
--     links (`cycle`).
-- Those are listed for a person to resolve (nhs_number_change_conflicts) and each number
-- keeps its own status. An applied link's patient_number is the last number of its chain.
{{ config(materialized='view') }}
{%- set hops = 4 %}
with

link_rows as (
    select
        superseded_nhs_number,
        nhs_number,
        effective_date,
        received_at
    from {{ ref('int_nhs_number_change_rows_received') }}
    where rejection_reason is null
),

links as (
    select
        superseded_nhs_number,
        nhs_number,
        min(effective_date) as effective_date,
        min(received_at) as linked_at
    from link_rows
    group by superseded_nhs_number, nhs_number
),

-- Each raw number's Type 2 history: the earliest extract date it was received on.
histories as (
    select
        nhs_number,
        min(extract_date) as first_extract_date
    from {{ ref('int_opt_out_code_first_arrivals') }}
    group by nhs_number
),

two_targets as (
    select superseded_nhs_number
    from links
    group by superseded_nhs_number
    having count(*) > 1
),

judged as (
    select
        links.*,
        case
            when links.superseded_nhs_number in (select two_targets.superseded_nhs_number from two_targets)
                then 'links_to_two_numbers'
            when old_history.nhs_number is not null and new_history.first_extract_date < links.effective_date
                then 'merges_two_histories'
        end as conflict
    from links
    left join histories as old_history on links.superseded_nhs_number = old_history.nhs_number
    left join histories as new_history on links.nhs_number = new_history.nhs_number
),

-- Follow the remaining links: each step doubles the links followed (2^{{ hops }} in all).
hop_0 as (
    select
        superseded_nhs_number as nhs_number,
        nhs_number as patient_number
    from judged
    where conflict is null
),
{%- for hop in range(1, hops + 1) %}

hop_{{ hop }} as (
    select
        step.nhs_number,
        coalesce(next_step.patient_number, step.patient_number) as patient_number
    from hop_{{ hop - 1 }} as step
    left join hop_{{ hop - 1 }} as next_step on step.patient_number = next_step.nhs_number
),
{%- endfor %}

-- A chain that has not ended (its last number still has an applied link) is a cycle.
resolved as (
    select
        hop_{{ hops }}.nhs_number,
        hop_{{ hops }}.patient_number,
        hop_{{ hops }}.patient_number in (select hop_0.nhs_number from hop_0) as is_unending
    from hop_{{ hops }}
),

final as (
    select
        judged.superseded_nhs_number,
        judged.nhs_number,
        judged.effective_date,
        judged.linked_at,
        coalesce(judged.conflict, case when resolved.is_unending then 'cycle' end) as conflict,
        case when judged.conflict is null and not resolved.is_unending then resolved.patient_number end
            as patient_number
    from judged
    left join resolved on judged.superseded_nhs_number = resolved.nhs_number
)

select * from final
