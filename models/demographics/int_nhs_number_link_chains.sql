-- SPEC §9, changed NHS numbers, steps 1 and 2 of judging the links (int_nhs_number_links
-- does step 3): every accepted link (superseded_nhs_number -> nhs_number, one row per pair:
-- the earliest effective date, and when the link was first received). For each superseded
-- number only the links of its latest extract date count: a corrected file resolves a
-- conflict. A link is not applied when
--   1. its superseded number is linked to two different numbers (`links_to_two_numbers`), or
--   2. of the links left, following them from it never ends — a cycle, or a chain leading
--      into one, whatever its length (`cycle`): found exactly by walking back from the end
--      of every chain; a link the walk never reaches is in or into a cycle.
-- Every other link gets its chain's end, how many links from it to the end, and the numbers
-- on its way there ('|A|B|C|'). A table of its own: one recursive walk, computed once (Spark
-- computes a CTE again wherever it is read, and a walk read by the many joins of step 3
-- would be walked again for each).
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

-- Step 2: walk back from the end of every chain (a number with no link of its own).
chain_walk (nhs_number, chain_end, links_to_end, chain_path) as (
    select distinct
        chain_end.nhs_number,
        chain_end.nhs_number as chain_end,
        0 as links_to_end,
        '|' || chain_end.nhs_number || '|' as chain_path
    from single_links as chain_end
    where chain_end.nhs_number not in (select onward.superseded_nhs_number from single_links as onward)
    union all
    select
        step.superseded_nhs_number,
        chain_walk.chain_end,
        chain_walk.links_to_end + 1,
        '|' || step.superseded_nhs_number || chain_walk.chain_path
    from chain_walk
    inner join single_links as step on chain_walk.nhs_number = step.nhs_number
),

final as (
    select
        links.superseded_nhs_number,
        links.nhs_number,
        links.effective_date,
        links.linked_at,
        case
            when links.superseded_nhs_number not in (select single_links.superseded_nhs_number from single_links)
                then 'links_to_two_numbers'
            when chain_walk.nhs_number is null
                then 'cycle'
        end as conflict,
        chain_walk.chain_end,
        chain_walk.links_to_end,
        chain_walk.chain_path
    from links
    left join chain_walk
        on
            links.superseded_nhs_number = chain_walk.nhs_number
            and links.superseded_nhs_number in (select single_links.superseded_nhs_number from single_links)
)

select * from final
