{#- docs/rules.md §4: the audit row of one release `node` (built as `release`): its declaration, the
    as_of used, rows in (its one input), rows out, rows and patients removed and rows without
    a matchable NHS number, stamped with this build. Counts only, never a number. -#}
{% macro release_audit_row(node, release) %}
    {%- set inputs = release_inputs(node) -%}
    {%- set meta = node.config.meta or {} -%}
    {%- set args = meta.get('opt_out_release') -%}
    {%- set applied = meta.get('opt_outs') == 'applied' and args -%}
    {%- set normalised = normalise_nhs_number('input_rows.' ~ quoted_column(args.nhs_number_column))
        if applied else none -%}
    select
        {{ sql_string_literal(node.name) }} as release_name,
        {{ build_started_at() }} as built_at,
        {#- The record version the release applied: the one in force (null when exempt). #}
        {% if applied -%}
            (select max(version_id) from {{ ref('published_opt_out_periods') if args.as_of
                else ref('published_current_opt_outs') }})
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as version_id,
        {{ sql_string_literal(meta.get('purpose', '')) }} as purpose,
        {{ sql_string_literal(meta.get('recipient', '')) }} as recipient,
        {{ sql_string_literal(meta.get('opt_outs', '')) }} as opt_outs,
        {% if meta.get('exemption') -%}
            {{ sql_string_literal(meta.exemption) }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as exemption,
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
            -- A patient once, under whichever numbers of their chain the rows carry (SPEC §9).
            (
                select count(distinct coalesce(links.patient_number, {{ normalised }}))
                from {{ inputs[0] }} as input_rows
                left join {{ ref('published_nhs_number_links') }} as links on {{ normalised }} = links.nhs_number
                where {{ normalised }} in ({{ opted_out_patients(args.as_of) }})
            ) as patients_removed,
            (
                select count(*)
                from {{ inputs[0] }} as input_rows
                where not {{ is_valid_nhs_number(normalised) }}
            ) as rows_without_nhs_number
        {%- else -%}
            cast(0 as bigint) as patients_removed,
            cast(null as bigint) as rows_without_nhs_number
        {%- endif %}
{% endmacro %}
