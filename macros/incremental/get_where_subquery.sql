{#- Tests cannot heal themselves (docs/rules.md §7). A test's `where` can use:
    * `__last_checked_build__`: the start of the latest build whose every model, snapshot and
      check passed (landing.checked_builds, macro record_checked_build), e.g.
      `derived_at > __last_checked_build__` on the derived history or `received_at > …` on
      the historic record: a monthly build tests every row no passing build has tested yet —
      its own rows, and those of any build that failed, stopped or ran only a selection, so
      a failure keeps failing until the data or the code is fixed;
    * `__unchecked_patients__`: the patients with a compacted row derived since then, e.g.
      `nhs_number in __unchecked_patients__` on a per-patient view.
    `dbt test` on its own, `--full-refresh` and `--vars '{full_history_tests: true}'` test
    every row. Overrides dbt's get_where_subquery, the documented hook for custom `where`
    filters. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set full_history = var('full_history_tests', false) or flags.FULL_REFRESH or flags.WHICH == 'test' -%}
    {%- set since = "cast('1900-01-01 00:00:00' as timestamp)" if full_history else last_checked_build_started_at() -%}
    {%- if '__unchecked_patients__' in where -%}
        {%- set where = where | replace('__unchecked_patients__',
            '(select nhs_number from ' ~ node_relation('int_opt_out_code_first_arrivals')
            ~ ' where derived_at > ' ~ since ~ ')') -%}
    {%- endif -%}
    {%- set where = where | replace('__last_checked_build__', since) -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ where }}) as dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}

{#- The relation of a model of this project, by name, from the graph (for SQL written at
    run time outside the model's own refs). -#}
{% macro node_relation(name) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('No model named ' ~ name) }}
{%- endmacro %}
