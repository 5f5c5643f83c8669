{#- Write-audit-publish (R15, SPEC §9): the published current record, periods and NHS number
    links are one build's only when that build derived everything they come from. A
    `--select` or `--exclude` build that publishes them but leaves out a model of their
    lineage (the opt-out marts, say, with the links rebuilt) would publish a record derived
    from other links than the ones beside it, with one version id, and the releases would
    match them. So, when a published model is built, every model and snapshot upstream of the
    three must be in this build's selection, and the three with them: otherwise the build
    stops with one sentence, and the record and links in force stay as they were. -#}
{% macro check_whole_record_built() %}
    {%- if not execute or flags.WHICH not in ['build', 'run'] or selected_resources is not defined -%}
        {{ return('') }}
    {%- endif -%}
    {%- set published = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
            and node.name in ['published_current_opt_outs', 'published_opt_out_periods', 'published_nhs_number_links'] -%}
            {%- do published.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Every model and snapshot they come from: the list grows while it is read. -#}
    {%- set lineage = published[:] -%}
    {%- for node_id in lineage -%}
        {%- for parent in graph.nodes[node_id].depends_on.nodes
            if parent.split('.')[0] in ['model', 'snapshot'] and parent not in lineage -%}
            {%- do lineage.append(parent) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set missing = lineage | reject('in', selected_resources) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error("The published opt-out record is published only by a build of everything "
            ~ "it is derived from: this build leaves out " ~ missing | length ~ " of its " ~ lineage | length
            ~ " models (" ~ (missing | map('replace', 'model.' ~ project_name ~ '.', '') | sort | first)
            ~ (", ..." if missing | length > 1 else "") ~ "), so it publishes nothing: run `dbt build` of the whole project.") }}
    {%- endif -%}
{% endmacro %}
