-- SPEC §9, changed NHS numbers: every accepted link with what became of it, and for an
-- applied link the number its patient is known by now (patient_number). Steps 1 and 2
-- (`links_to_two_numbers`, `cycle`) are int_nhs_number_link_chains'; step 3 here judges only
-- the links they left standing, so a refused link never counts against another:
--   3. a link that would merge two patients who both have status histories
--      (`merges_two_histories`): the new number had Type 2 rows received before the
--      effective date and the old number, or a number whose chain leads into it, has rows
--      of its own; or two links into one number both come from numbers (or chains) with a
--      history.
-- Those are listed for a person to resolve (nhs_number_change_conflicts) and each number
-- keeps its own status. An applied link's patient_number is the last number of its applied
-- chain: the nearest number on its way to the chain's end whose own link was refused, or the
-- end. A table, rebuilt by every build (one row per link), read by two models.
{{ config(materialized='table') }}
with

link_chains as (
    select * from {{ ref('int_nhs_number_link_chains') }}
),

-- Each raw number's Type 2 history: the earliest extract date it was received on.
histories as (
    select
        nhs_number,
        min(extract_date) as first_extract_date
    from {{ ref('int_opt_out_code_first_arrivals') }}
    group by nhs_number
),

chained_links as (
    select * from link_chains
    where conflict is null
),

-- Step 3: the superseded numbers on the way of a chain from a number with a history of its
-- own (itself included): the old side of their links has a history.
with_history as (
    select distinct side.superseded_nhs_number as nhs_number
    from chained_links as side
    inner join chained_links as origin
        on
            side.chain_end = origin.chain_end
            and {{ contains_text('origin.chain_path', "'|' || side.superseded_nhs_number || '|'") }}
    inner join histories on origin.superseded_nhs_number = histories.nhs_number
),

-- Numbers two or more links lead into, from more than one number (or chain) with a history.
merged_into as (
    select chained_links.nhs_number
    from chained_links
    where chained_links.superseded_nhs_number in (select with_history.nhs_number from with_history)
    group by chained_links.nhs_number
    having count(*) > 1
),

merging_links as (
    select chained_links.superseded_nhs_number
    from chained_links
    left join histories as new_history on chained_links.nhs_number = new_history.nhs_number
    where
        (
            new_history.first_extract_date < chained_links.effective_date
            and chained_links.superseded_nhs_number in (select with_history.nhs_number from with_history)
        )
        or chained_links.nhs_number in (select merged_into.nhs_number from merged_into)
),

judged as (
    select
        link_chains.superseded_nhs_number,
        link_chains.nhs_number,
        link_chains.effective_date,
        link_chains.linked_at,
        link_chains.chain_end,
        link_chains.links_to_end,
        link_chains.chain_path,
        coalesce(
            link_chains.conflict,
            case when merging_links.superseded_nhs_number is not null then 'merges_two_histories' end
        ) as conflict
    from link_chains
    left join merging_links on link_chains.superseded_nhs_number = merging_links.superseded_nhs_number
),

-- Where an applied chain stops: a chain's end, and every number whose own link was refused.
chain_stops as (
    select distinct
        chain_end as nhs_number,
        chain_end,
        0 as links_to_end
    from judged
    where chain_end is not null
    union all
    select
        superseded_nhs_number,
        chain_end,
        links_to_end
    from judged
    where conflict = 'merges_two_histories'
),

-- An applied link's patient: the nearest stop on its way to the chain's end.
patients as (
    select
        applied.superseded_nhs_number,
        chain_stops.nhs_number as patient_number,
        row_number() over (
            partition by applied.superseded_nhs_number order by chain_stops.links_to_end desc
        ) as nearest
    from judged as applied
    inner join chain_stops
        on
            applied.chain_end = chain_stops.chain_end
            and chain_stops.links_to_end < applied.links_to_end
            and {{ contains_text('applied.chain_path', "'|' || chain_stops.nhs_number || '|'") }}
    where applied.conflict is null
),

final as (
    select
        judged.superseded_nhs_number,
        judged.nhs_number,
        judged.effective_date,
        judged.linked_at,
        judged.conflict,
        patients.patient_number
    from judged
    left join patients on judged.superseded_nhs_number = patients.superseded_nhs_number and patients.nearest = 1
)

select * from final
