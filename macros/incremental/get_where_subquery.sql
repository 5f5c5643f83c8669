{#- Tests scoped to what a build changed (docs/rules.md §7). A test's `where` can use:
    * `__this_build__`: the start of this build, e.g. `received_at >= __this_build__` on the
      historic record or `derived_at >= __this_build__` on the derived history — a monthly
      build then tests the rows it wrote, not the whole history again;
    * `__patients_this_build__`: the patients whose compacted rows this build rewrote, e.g.
      `nhs_number in __patients_this_build__` on a per-patient view.
    The full-history checks stay one flag away: `--full-refresh`, or
    `--vars '{full_history_tests: true}'`, test every row. Overrides dbt's
    get_where_subquery, the documented hook for custom `where` filters. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set full_history = var('full_history_tests', false) or flags.FULL_REFRESH -%}
    {%- set since = "cast('1900-01-01 00:00:00' as timestamp)" if full_history else build_started_at() -%}
    {%- if '__patients_this_build__' in where -%}
        {%- set where = where | replace('__patients_this_build__',
            '(select nhs_number from ' ~ node_relation('int_opt_out_code_first_arrivals')
            ~ ' where derived_at >= ' ~ since ~ ')') -%}
    {%- endif -%}
    {%- set where = where | replace('__this_build__', since) -%}
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
