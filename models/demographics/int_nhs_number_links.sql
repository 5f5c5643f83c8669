-- SPEC §9, changed NHS numbers: every accepted link (superseded_nhs_number -> nhs_number, one
-- row per pair: the earliest effective date, and when the link was first received) with
-- what became of it. For each superseded number only the links of its latest extract date
-- count: a corrected file resolves a conflict. A link is applied unless
--   * its superseded number is linked to two different numbers (`links_to_two_numbers`),
--   * it would merge two patients who both have status histories (`merges_two_histories`):
--     the new number had Type 2 rows received before the effective date (it was someone
--     else's then; checked on every link of a chain, not only where the old number has rows
--     of its own), or two links into one number both come from numbers with a history of
--     their own or of an earlier number (a link into them), or the link is dated before the
--     link into its superseded number (the dates do not tell one patient's story),
--   * following the applied links from it never ends: a cycle, or a chain of more than 16
--     links (`cycle`).
-- Those are listed for a person to resolve (nhs_number_change_conflicts) and each number
-- keeps its own status. An applied link's patient_number is the last number of its chain.
-- A table, rebuilt by every build (one row per link): the hops below read `judged` 16 times,
-- and Spark, which inlines a CTE wherever it is read, would otherwise judge every link (and
-- scan every first arrival) 16 times in each of the two models that read this one.
{{ config(materialized='table') }}
with

accepted_rows as (
    select
        superseded_nhs_number,
        nhs_number,
        effective_date,
        extract_date,
        received_at,
        max(extract_date) over (partition by superseded_nhs_number) as latest_extract_date
    from {{ ref('int_nhs_number_change_rows_received') }}
    where rejection_reason is null
),

link_rows as (
    select
        superseded_nhs_number,
        nhs_number,
        effective_date,
        received_at
    from accepted_rows
    where extract_date = latest_extract_date
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

-- Numbers two or more links lead into where more than one of them comes from a number with a
-- history of its own, or one that is itself the new number of a link (whose chain may carry
-- one): two patients would become one.
merged_into as (
    select links.nhs_number
    from links
    left join histories on links.superseded_nhs_number = histories.nhs_number
    where
        histories.nhs_number is not null
        or links.superseded_nhs_number in (select earlier.nhs_number from links as earlier)
    group by links.nhs_number
    having count(distinct links.superseded_nhs_number) > 1
),

judged as (
    select
        links.*,
        case
            when links.superseded_nhs_number in (select two_targets.superseded_nhs_number from two_targets)
                then 'links_to_two_numbers'
            when
                new_history.first_extract_date < links.effective_date
                or links.nhs_number in (select merged_into.nhs_number from merged_into)
                or links.effective_date < earlier_link.effective_date
                then 'merges_two_histories'
        end as conflict
    from links
    left join histories as new_history on links.nhs_number = new_history.nhs_number
    -- A link dated before the link into its superseded number: the dates do not make one
    -- patient's story (P became Q in June, but Q became S in April).
    left join (
        select
            links_into.nhs_number,
            max(links_into.effective_date) as effective_date
        from links as links_into
        group by links_into.nhs_number
    ) as earlier_link on links.superseded_nhs_number = earlier_link.nhs_number
),

-- Follow the remaining links: each step doubles the links followed (2^4 = 16 in all).
hop_0 as (
    select
        superseded_nhs_number as nhs_number,
        nhs_number as patient_number
    from judged
    where conflict is null
),

hop_1 as (
    select
        step.nhs_number,
        coalesce(next_step.patient_number, step.patient_number) as patient_number
    from hop_0 as step
    left join hop_0 as next_step on step.patient_number = next_step.nhs_number
),

hop_2 as (
    select
        step.nhs_number,
        coalesce(next_step.patient_number, step.patient_number) as patient_number
    from hop_1 as step
    left join hop_1 as next_step on step.patient_number = next_step.nhs_number
),

hop_3 as (
    select
        step.nhs_number,
        coalesce(next_step.patient_number, step.patient_number) as patient_number
    from hop_2 as step
    left join hop_2 as next_step on step.patient_number = next_step.nhs_number
),

hop_4 as (
    select
        step.nhs_number,
        coalesce(next_step.patient_number, step.patient_number) as patient_number
    from hop_3 as step
    left join hop_3 as next_step on step.patient_number = next_step.nhs_number
),

-- A chain that has not ended (its last number still has an applied link) is a cycle.
resolved as (
    select
        hop_4.nhs_number,
        hop_4.patient_number,
        hop_4.patient_number in (select hop_0.nhs_number from hop_0) as is_unending
    from hop_4
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
