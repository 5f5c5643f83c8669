-- SPEC §9 and R14/R15, changed NHS numbers: every number named in a link that counts (the
-- links int_nhs_number_link_chains judges, applied or refused), with the smallest number of
-- its group: the numbers joined to it by links, in either direction, whatever became of
-- them. Releases, the list check and the collection (R14) remove every number of a group
-- that holds an opted-out patient: a conflict is for a person to resolve, and until then a
-- number it cuts off from an opted-out number may be that patient's (docs/rules.md §9).
-- Statistics and current_opt_outs keep each number's own status. A table of its own
-- (Spark computes a CTE again wherever it is read), by one recursive query whose cost differs
-- by engine: DuckDB passes each number's smallest number to its neighbours round by round
-- (`using key`: one row per number, so a group of 20,000 numbers is 20,000 rows); PostgreSQL
-- keeps each (number, number reached) pair once (`union`: a group of n numbers is n² rows,
-- spilled to disk); Spark's recursion has neither, so there the walk carries its way and never
-- comes back (every simple path: a group with many cycles in it reaches Spark's own limits on
-- a recursive query, and the build stops rather than publish without it). sqlfluff cannot
-- parse `using key`, hence the statement's `noqa: PRS`.
{{ config(materialized='table') }}
with recursive  -- noqa: PRS

links as (
    select superseded_nhs_number, nhs_number from {{ ref('int_nhs_number_link_chains') }}
),

-- Each link both ways.
steps as (
    select
        superseded_nhs_number as from_number,
        nhs_number as to_number
    from links
    union
    select
        nhs_number as from_number,
        superseded_nhs_number as to_number
    from links
),

{% if target.type == 'duckdb' %}
    -- Each number starts as its own group; every round, a number whose smallest number
    -- reached fell passes to its neighbours what that number has reached by now (no more
    -- than the number itself: labels only fall), so a label jumps along a long chain instead
    -- of walking it link by link; a neighbour keeps the smallest when it is smaller than its
    -- own (one row per number, replaced: `using key`). Every label is a number of the group
    -- and labels only fall, so each number ends with its group's smallest, in rows that grow
    -- with the links, not with the square of a group's size.
    reached (nhs_number, reached_number) using key (nhs_number) as (
        select distinct
            from_number as nhs_number,
            from_number as reached_number
        from steps
        union
        select
            steps.to_number as nhs_number,
            min(further.reached_number) as reached_number
        from reached
        inner join steps on reached.nhs_number = steps.from_number
        inner join recurring.reached as further on reached.reached_number = further.nhs_number
        inner join recurring.reached as known on steps.to_number = known.nhs_number
        group by steps.to_number
        having min(further.reached_number) < min(known.reached_number)
    ),
{% elif target.type == 'spark' %}
    reached (nhs_number, reached_number, way) as (
        select distinct
            from_number as nhs_number,
            from_number as reached_number,
            '|' || from_number || '|' as way
        from steps
        union all
        select
            reached.nhs_number,
            steps.to_number as reached_number,
            reached.way || steps.to_number || '|' as way
        from reached
        inner join steps on reached.reached_number = steps.from_number
        where not {{ contains_text('reached.way', "'|' || steps.to_number || '|'") }}
    ),
{% else %}
    reached (nhs_number, reached_number) as (
        select
            from_number as nhs_number,
            from_number as reached_number
        from steps
        union
        select
            reached.nhs_number,
            steps.to_number as reached_number
        from reached
        inner join steps on reached.reached_number = steps.from_number
    ),
{% endif %}

-- The group's smallest number (on DuckDB the one row each number is left with).
final as (
    select
        nhs_number,
        min(reached_number) as component_number
    from reached
    group by nhs_number
)

select * from final
