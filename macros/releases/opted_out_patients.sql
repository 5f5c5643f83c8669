{#- R15/R8: a select of the NHS numbers opted out (Type 2) as known at `as_of`
    ('YYYY-MM-DD'); none means the current record (R9). Reads the published (checked)
    record, never the marts being rebuilt; "as known at as_of" is period_covers. With
    changed NHS numbers (SPEC §9) every number joined to an opted-out number by links is
    withheld too (published_nhs_number_links' component_number): the numbers of its chain,
    and those a conflict leaves for a person to resolve, whenever the links were received. -#}
{% macro opted_out_patients(as_of=none) -%}
    {%- if as_of is none -%}
        select nhs_number from {{ ref('published_current_opt_outs') }}
    {%- else -%}
        select distinct periods.nhs_number
        from {{ ref('published_opt_out_periods') }} as periods
        where {{ period_covers('periods', "cast('" ~ validated_as_of(as_of) ~ "' as date)") }}
    {%- endif %}
        union
        -- Every number of a group of links (applied or refused) that holds an opted-out number.
        select links.nhs_number
        from {{ ref('published_nhs_number_links') }} as links
        where links.component_number in (
            select holders.component_number
            from {{ ref('published_nhs_number_links') }} as holders
            where holders.nhs_number in (
    {%- if as_of is none %}
                select current_record.nhs_number from {{ ref('published_current_opt_outs') }} as current_record
    {%- else %}
                select periods.nhs_number
                from {{ ref('published_opt_out_periods') }} as periods
                where {{ period_covers('periods', "cast('" ~ validated_as_of(as_of) ~ "' as date)") }}
    {%- endif %}
            )
        )
        union
        {{ published_links_in_step(ref('published_current_opt_outs') if as_of is none else ref('published_opt_out_periods')) }}
{%- endmacro %}


{#- Read with the record (R15, SPEC §9): a select of no rows while `record` (the published
    current record or periods) and published_nhs_number_links are one build's — the links
    table holds exactly the linked_numbers rows of the record's version — and otherwise a
    query that stops with one sentence. The release views are views: a `--select` build can
    publish the record without the links (or the links without the record) after the views
    were built, so this is checked each time a release is read, not only when it is built
    (check_published_record_in_step). An empty record removes no one, so needs no links. -#}
{% macro published_links_in_step(record) -%}
        select {{ raise_error("The published opt-out record is out of step: its NHS number links were published by "
                              ~ "another build (a --select build?), so nothing is released from it: run dbt build "
                              ~ "of the whole project.") }} as nhs_number
        from (
            select
                (select count(*) from {{ record }}) as record_rows,
                (select max(linked_numbers) from {{ record }}) as linked_numbers,
                (select count(*) from {{ ref('published_nhs_number_links') }}) as link_rows,
                (
                    select count(*) from {{ ref('published_nhs_number_links') }} as in_step
                    where in_step.version_id = (select max(version_id) from {{ record }})
                ) as links_in_step
        ) as guard
        where guard.record_rows > 0 and (guard.link_rows <> guard.linked_numbers or guard.links_in_step <> guard.linked_numbers)
{%- endmacro %}
