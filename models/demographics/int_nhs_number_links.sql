-- SPEC §9, changed NHS numbers: every accepted link (superseded_nhs_number -> nhs_number, one
-- row per pair: the earliest effective date, and when the link was first received) with
-- what became of it. For each superseded number only the links of its latest extract date
-- count: a corrected file resolves a conflict. Links are judged in three steps, each on the
-- links the step before left standing, so a refused link never counts against another:
--   1. a superseded number linked to two different numbers: `links_to_two_numbers`;
--   2. a link from which the chain never ends (a cycle, or a chain leading into one): `cycle`
--      — found exactly, whatever the chain's length, by walking back from every chain's end;
--   3. a link that would merge two patients who both have status histories:
--      `merges_two_histories` — the new number had Type 2 rows received before the
--      effective date and the old number, or a number whose chain leads into it, has rows
--      of its own; or two links into one number both come from numbers (or chains) with a
--      history; or the link is dated before the link into its superseded number (the dates
--      do not tell one patient's story).
-- Those are listed for a person to resolve (nhs_number_change_conflicts) and each number
-- keeps its own status. An applied link's patient_number is the last number of its applied
-- chain. A table, rebuilt by every build (one row per link), read by two models.
{{ config(materialized='table') }}
with recursive

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

links as (
    select
        superseded_nhs_number,
        nhs_number,
        min(effective_date) as effective_date,
        min(received_at) as linked_at
    from accepted_rows
    where extract_date = latest_extract_date
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

-- Step 1: one link per superseded number.
single_links as (
    select links.*
    from links
    where links.superseded_nhs_number in (
        select one.superseded_nhs_number
        from links as one
        group by one.superseded_nhs_number
        having count(*) = 1
    )
),

-- Step 2: walk back from the end of every chain (a number with no link of its own); a link
-- the walk never reaches leads into a cycle.
ended_chains (nhs_number, patient_number) as (
    select distinct
        chain_end.nhs_number,
        chain_end.nhs_number as patient_number
    from single_links as chain_end
    where chain_end.nhs_number not in (select onward.superseded_nhs_number from single_links as onward)
    union all
    select
        step.superseded_nhs_number,
        ended_chains.patient_number
    from ended_chains
    inner join single_links as step on ended_chains.nhs_number = step.nhs_number
),

chained_links as (
    select single_links.*
    from single_links
    where single_links.superseded_nhs_number in (select ended_chains.nhs_number from ended_chains)
),

-- Step 3: the numbers on the way of a chain from a number with a history of its own.
history_paths (nhs_number) as (
    select chained_links.superseded_nhs_number
    from chained_links
    where chained_links.superseded_nhs_number in (select histories.nhs_number from histories)
    union all
    select step.nhs_number
    from history_paths
    inner join chained_links as step on history_paths.nhs_number = step.superseded_nhs_number
),

with_history as (
    select distinct nhs_number from history_paths
),

-- Numbers two or more links lead into, from more than one number (or chain) with a history.
merged_into as (
    select chained_links.nhs_number
    from chained_links
    where chained_links.superseded_nhs_number in (select with_history.nhs_number from with_history)
    group by chained_links.nhs_number
    having count(*) > 1
),

-- The latest effective date of the links into each number.
links_into as (
    select
        nhs_number,
        max(effective_date) as effective_date
    from chained_links
    group by nhs_number
),

merging_links as (
    select chained_links.superseded_nhs_number
    from chained_links
    left join histories as new_history on chained_links.nhs_number = new_history.nhs_number
    left join links_into on chained_links.superseded_nhs_number = links_into.nhs_number
    where
        (
            new_history.first_extract_date < chained_links.effective_date
            and chained_links.superseded_nhs_number in (select with_history.nhs_number from with_history)
        )
        or chained_links.nhs_number in (select merged_into.nhs_number from merged_into)
        or chained_links.effective_date < links_into.effective_date
),

applied_links as (
    select chained_links.*
    from chained_links
    where chained_links.superseded_nhs_number not in (select merging_links.superseded_nhs_number from merging_links)
),

-- The applied links' chains, walked back from their ends.
applied_chains (nhs_number, patient_number) as (
    select distinct
        chain_end.nhs_number,
        chain_end.nhs_number as patient_number
    from applied_links as chain_end
    where chain_end.nhs_number not in (select onward.superseded_nhs_number from applied_links as onward)
    union all
    select
        step.superseded_nhs_number,
        applied_chains.patient_number
    from applied_chains
    inner join applied_links as step on applied_chains.nhs_number = step.nhs_number
),

judged as (
    select
        links.superseded_nhs_number,
        links.nhs_number,
        links.effective_date,
        links.linked_at,
        case
            when links.superseded_nhs_number not in (select single_links.superseded_nhs_number from single_links)
                then 'links_to_two_numbers'
            when links.superseded_nhs_number not in (select chained_links.superseded_nhs_number from chained_links)
                then 'cycle'
            when links.superseded_nhs_number in (select merging_links.superseded_nhs_number from merging_links)
                then 'merges_two_histories'
        end as conflict
    from links
),

final as (
    select
        judged.*,
        case when judged.conflict is null then applied_chains.patient_number end as patient_number
    from judged
    left join applied_chains on judged.superseded_nhs_number = applied_chains.nhs_number
)

select * from final
