{#- SPEC §6 release_audit: one row per release in `releases` (a list of ref()s): rows in
    (its input), rows out (the release as built), rows and patients removed, rows without
    a matchable NHS number, the as_of used and the exemption. Counts only. -#}
{% macro release_audit_rows(releases) %}
    {%- set opt_out_marts = ['published_current_opt_outs', 'published_opt_out_periods'] -%}
    {%- set selects = [] -%}
    {%- for release in releases -%}
        {%- set node = (release_nodes() | selectattr('alias', 'equalto', release.identifier) | list or [none])[0]
            if execute else none -%}
        {%- if node is none -%}
            {%- do selects.append(release_audit_row_placeholder(release)) -%}
        {%- else -%}
        {%- set meta = node.config.meta -%}
        {%- set inputs = [] -%}
        {%- for upstream_id in node.depends_on.nodes -%}
            {%- set upstream = graph.nodes.get(upstream_id) -%}
            {%- if upstream is not none and upstream.name not in opt_out_marts -%}
                {%- do inputs.append(api.Relation.create(
                    database=upstream.database, schema=upstream.schema, identifier=upstream.alias)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if inputs | length != 1 -%}
            {{ exceptions.raise_compiler_error("release_audit: release model '" ~ node.name
                ~ "' must read exactly one model or seed, it reads " ~ inputs | length) }}
        {%- endif -%}
        {%- set args = meta.get('opt_out_release') -%}
        {%- set applied = meta.get('opt_outs') == 'applied' and args -%}
        {%- set normalised = normalise_nhs_number('input_rows.' ~ quoted_column(args.nhs_number_column)) if applied else none -%}
        {%- set row -%}
    select
        '{{ node.name }}' as release_name,
        {{ sql_string_literal(meta.get('purpose', '')) }} as purpose,
        {{ sql_string_literal(meta.get('recipient', '')) }} as recipient,
        {{ sql_string_literal(meta.get('opt_outs', '')) }} as opt_outs,
        {% if meta.get('exemption') %}{{ sql_string_literal(meta.exemption) }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as exemption,
        {% if not applied -%}
        cast(null as date)
        {%- elif args.as_of -%}
        cast('{{ args.as_of }}' as date)
        {%- else -%}
        (select max(record_as_of_date) from {{ ref('published_current_opt_outs') }})
        {%- endif %} as as_of,
        {{ sql_string_literal(args.rows_without_nhs_number if applied else '') }} as rows_without_nhs_number_policy,
        (select count(*) from {{ inputs[0] }}) as rows_in,
        (select count(*) from {{ release }}) as rows_out,
        (select count(*) from {{ inputs[0] }}) - (select count(*) from {{ release }}) as rows_removed,
        {% if applied -%}
        (
            select count(distinct {{ normalised }})
            from {{ inputs[0] }} as input_rows
            where {{ normalised }} in ({{ opted_out_patients(args.as_of) }})
        ) as patients_removed,
        (
            select count(*)
            from {{ inputs[0] }} as input_rows
            where not {{ is_valid_nhs_number(normalised) }}
        ) as rows_without_matchable_nhs_number
        {%- else -%}
        cast(0 as bigint) as patients_removed,
        cast(null as bigint) as rows_without_matchable_nhs_number
        {%- endif %}
        {%- endset -%}
        {%- do selects.append(row) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(selects | join('\n    union all\n')) }}
{% endmacro %}


{#- While dbt parses there is no graph: a row of the right shape stands in. -#}
{% macro release_audit_row_placeholder(release) %}
    select
        cast(null as {{ dbt.type_string() }}) as release_name,
        cast(null as {{ dbt.type_string() }}) as purpose,
        cast(null as {{ dbt.type_string() }}) as recipient,
        cast(null as {{ dbt.type_string() }}) as opt_outs,
        cast(null as {{ dbt.type_string() }}) as exemption,
        cast(null as date) as as_of,
        cast(null as {{ dbt.type_string() }}) as rows_without_nhs_number_policy,
        cast(null as bigint) as rows_in,
        cast(null as bigint) as rows_out,
        cast(null as bigint) as rows_removed,
        cast(null as bigint) as patients_removed,
        cast(null as bigint) as rows_without_matchable_nhs_number
    from {{ release }}
    where false
{% endmacro %}
