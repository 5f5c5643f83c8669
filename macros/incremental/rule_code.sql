{#- A rule change cannot leave stale history (docs/rules.md §7). The derived history is the
    incremental models that --full-refresh derives again from the historic record (every
    incremental model not marked full_refresh=false). Each knows the rule code that derived
    it: a fingerprint of its SQL, the SQL of every model between it and the historic record,
    every macro of this project they call (and its dispatched implementation on this
    engine), and the dbt version and engine. landing.rule_code keeps the fingerprint each
    model was derived with.

    At on-run-start (check_rule_code), a dbt build or run whose code differs from what
    derived an existing table stops before anything is written, with one sentence naming
    the command that derives it again: an incremental build would otherwise re-derive only
    the patients and months the new rows touch, and leave everyone else's history as the
    old rule made it. --full-refresh derives every table whole and records the new code. -#}

{% macro rule_code_relation() %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing', identifier='rule_code')) }}
{% endmacro %}

{#- The derived-history models: name -> graph node. -#}
{% macro derived_history_nodes() %}
    {%- set found = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name
        and node.config.materialized == 'incremental' and node.config.full_refresh is not false -%}
        {%- do found.update({node.name: node}) -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{#- The SQL of a project macro and every project macro it calls, by unique id, into `texts`. -#}
{% macro collect_macro_code(unique_id, texts) %}
    {%- set parts = unique_id.split('.') -%}
    {%- if parts[1] != project_name or unique_id in texts -%}{{ return(texts) }}{%- endif -%}
    {%- for name in [parts[2], target.type ~ '__' ~ parts[2], 'default__' ~ parts[2]] -%}
        {%- set generator = context.get(name) -%}
        {%- if generator is not none and generator.macro is defined -%}
            {%- do texts.update({'macro.' ~ project_name ~ '.' ~ name: generator.macro.macro_sql}) -%}
            {%- for called in generator.macro.depends_on.macros -%}
                {%- do collect_macro_code(called, texts) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(texts) }}
{% endmacro %}

{#- The code a model's rows depend on, by unique id, into `texts`: its SQL and macros, and
    those of every model upstream of it, stopping at the historic record (full_refresh=false). -#}
{% macro collect_rule_code(unique_id, texts) %}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node is none or unique_id in texts or node.resource_type != 'model' -%}{{ return(texts) }}{%- endif -%}
    {%- do texts.update({unique_id: node.raw_code}) -%}
    {%- if node.config.full_refresh is false -%}{{ return(texts) }}{%- endif -%}
    {%- for called in node.depends_on.macros -%}
        {%- do collect_macro_code(called, texts) -%}
    {%- endfor -%}
    {%- for upstream in node.depends_on.nodes -%}
        {%- do collect_rule_code(upstream, texts) -%}
    {%- endfor -%}
    {{ return(texts) }}
{% endmacro %}

{#- The fingerprint of the rule code `node` is derived with: its SQL, its upstream models' and
    the project macros they call (collect_rule_code), the dbt version and the engine, hashed. -#}
{% macro rule_code_fingerprint(node) %}
    {%- set texts = collect_rule_code(node.unique_id, {}) -%}
    {%- set parts = ['dbt ' ~ dbt_version, target.type] -%}
    {%- for unique_id in texts | sort -%}
        {%- do parts.append(unique_id ~ '\n' ~ texts[unique_id]) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n\x00\n'))) }}
{% endmacro %}

{#- At on-run-start, after start_build (docs/rules.md §7): a dbt build or run under rule code
    other than the code each table of the derived history was derived with stops, naming the
    tables and `dbt build --full-refresh`; the current fingerprints are kept for record_rule_code. -#}
{% macro check_rule_code() %}
    {%- if not execute or graph.get('opt_out_build') is none -%}{{ return('') }}{%- endif -%}
    {%- set ledger = rule_code_relation() -%}
    {%- do run_query("create table if not exists " ~ ledger
        ~ " (model_name " ~ dbt.type_string() ~ ", fingerprint " ~ dbt.type_string() ~ ", build_number bigint)") -%}
    {%- set recorded = {} -%}
    {%- for row in run_query("select model_name, fingerprint from " ~ ledger ~ " order by build_number").rows -%}
        {%- do recorded.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set current = {} -%}
    {%- set stale = [] -%}
    {%- for name, node in derived_history_nodes().items() -%}
        {%- do current.update({name: rule_code_fingerprint(node)}) -%}
        {%- if recorded.get(name) != current[name] and load_relation(api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias)) is not none -%}
            {%- do stale.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do graph.opt_out_build.update({'rule_code': current, 'recorded_rule_code': recorded}) -%}
    {%- if stale and not flags.FULL_REFRESH and flags.WHICH in ('build', 'run') -%}
        {{ exceptions.raise_compiler_error("The rule code changed since it derived the history in "
            ~ stale | sort | join(', ') ~ ": run `dbt build --full-refresh` to derive it all again under the new code"
            ~ " (the historic record is kept, and the published record stays in force until that build passes).") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- post-hook of every model: a derived-history model written under code it was not recorded
    with (a first build, or --full-refresh) records its fingerprint, in the model's own
    transaction. -#}
{% macro record_rule_code() %}
    {%- set build = graph.get('opt_out_build') if execute else none -%}
    {%- if not build or 'rule_code' not in build or model.name not in build.rule_code -%}{{ return('') }}{%- endif -%}
    {%- if build.recorded_rule_code.get(model.name) != build.rule_code[model.name] -%}
        insert into {{ rule_code_relation() }} (model_name, fingerprint, build_number)
        values ('{{ model.name }}', '{{ build.rule_code[model.name] }}', {{ build.number }})
    {%- endif -%}
{% endmacro %}
