-- SPEC §9 and R14/R15, changed NHS numbers: every number named in a link that counts (the
-- links int_nhs_number_link_chains judges, applied or refused), with the smallest number of
-- its group: the numbers joined to it by links, in either direction, whatever became of
-- them. Releases, the list check and the collection (R14) remove every number of a group
-- that holds an opted-out patient: a conflict is for a person to resolve, and until then a
-- number it cuts off from an opted-out number may be that patient's (docs/rules.md §9).
-- Statistics and current_opt_outs keep each number's own status. One recursive walk over
-- the links, as a table of its own (Spark computes a CTE again wherever it is read):
-- DuckDB and PostgreSQL keep each (number, number reached) pair once (`union`); Spark's
-- recursion has no `union`, so there the walk carries its way and never comes back.
{{ config(materialized='table') }}
with recursive

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

{% if target.type == 'spark' %}
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

final as (
    select
        nhs_number,
        min(reached_number) as component_number
    from reached
    group by nhs_number
)

select * from final
