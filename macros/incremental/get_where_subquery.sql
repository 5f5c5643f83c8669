{#- Tests scoped to what a build changed (docs/rules.md §7). A test on a table of the
    historic record or of the derived history can say `where: "received_at >= __this_build__"`
    (or derived_at): a monthly build then tests the rows it wrote, not the whole history
    again. The full-history checks stay one flag away: `--full-refresh`, or
    `--vars '{full_history_tests: true}'` (CI's tests use it), test every row.
    Overrides dbt's get_where_subquery, the documented hook for custom `where` filters. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- if '__this_build__' in where -%}
            {%- if var('full_history_tests', false) or flags.FULL_REFRESH -%}
                {%- set where = where | replace('__this_build__', "cast('1900-01-01 00:00:00' as timestamp)") -%}
            {%- else -%}
                {%- set where = where | replace('__this_build__', build_started_at()) -%}
            {%- endif -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) as dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
