{#- The reporting month to publish: dbt var publication_month ('YYYY-MM'), default the
    latest month with data in `relation`. A chosen month without figures stops the build
    with one sentence naming the months there are. -#}
{% macro publication_month_filter(relation) -%}
    {%- set chosen = publication_month() -%}
    {%- if chosen -%}
        {#- Not in a unit test: its input is a fixture, not the mart. -#}
        {%- if execute and not relation.identifier.startswith('__dbt__cte__') -%}
            {%- set months = run_query("select min(reporting_month), max(reporting_month), count(case when "
                ~ "reporting_month = cast('" ~ chosen ~ "-01' as date) then 1 end) from " ~ relation) -%}
            {%- set first, last, found = months.rows[0] -%}
            {%- if found == 0 -%}
                {{ exceptions.raise_compiler_error("publication_month " ~ chosen ~ " has no figures, so nothing can be "
                    ~ "published for it (" ~ ("months with figures: " ~ first.strftime('%Y-%m') ~ " to "
                    ~ last.strftime('%Y-%m') if first else "the warehouse has no figures yet") ~ ")") }}
            {%- endif -%}
        {%- endif -%}
        reporting_month = cast('{{ chosen }}-01' as date)
    {%- else -%}
        reporting_month = (select max(reporting_month) from {{ relation }})
    {%- endif -%}
{%- endmacro %}
