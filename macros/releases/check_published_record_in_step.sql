{#- R15 with changed NHS numbers (SPEC §9): a release applies the published current record,
    periods and NHS number links of one build. A `--select` build can publish one without
    the others (each is its own model); a release over tables of different builds could then
    match the superseded numbers of one record against the patients of another and keep an
    opted-out patient's rows. So, when a release is built, the three must carry one record
    version, and the links must be there when numbers are linked: otherwise the build stops
    with one sentence. Skipped where the tables do not exist yet (a first compile) and in unit
    tests (`relation`, the release's input, is then a fixture). -#}
{% macro check_published_record_in_step(relation) %}
    {#- Not in a unit test: its inputs are fixtures. -#}
    {%- if not execute or relation.identifier.startswith('__dbt__cte__') or graph.nodes is not defined -%}
        {{ return('') }}
    {%- endif -%}
    {%- set names = ['published_current_opt_outs', 'published_opt_out_periods', 'published_nhs_number_links',
                     'int_nhs_number_patients'] -%}
    {%- set relations = [] -%}
    {%- for name in names -%}
        {%- set node = node_relation(name) -%}
        {%- set existing = adapter.get_relation(database=node.database, schema=node.schema,
                                                identifier=node.identifier) -%}
        {%- if existing is none -%}{{ return('') }}{%- endif -%}
        {%- do relations.append(existing) -%}
    {%- endfor -%}
    {%- set found = run_query(
        "select (select max(version_id) from " ~ relations[0] ~ "), (select max(version_id) from " ~ relations[1]
        ~ "), (select max(version_id) from " ~ relations[2] ~ "), (select count(*) from " ~ relations[2]
        ~ "), (select count(*) from " ~ relations[3] ~ ")").rows[0] -%}
    {%- set current, periods, links, link_rows, numbers = found -%}
    {%- if (current is not none and periods is not none and current != periods)
        or (numbers > 0 and link_rows == 0 and current is not none)
        or (link_rows > 0 and current is not none and links != current) -%}
        {{ exceptions.raise_compiler_error("The published opt-out record is out of step: the current record ("
            ~ current ~ "), the periods (" ~ periods ~ ") and the NHS number links (" ~ (links or 'none')
            ~ ") were published by different builds (a --select build?), so no release is built from them: run "
            ~ "`dbt build` of the whole project.") }}
    {%- endif -%}
{% endmacro %}
