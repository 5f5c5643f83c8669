{#- The reporting month to publish: dbt var publication_month ('YYYY-MM'), default the
    latest month with data in `relation`. -#}
{% macro publication_month_filter(relation) -%}
    {%- set chosen = var('publication_month', none) -%}
    {%- if chosen -%}
        {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}', chosen | string) -%}
            {{ exceptions.raise_compiler_error("publication_month must be written 'YYYY-MM', got '" ~ chosen ~ "'") }}
        {%- endif -%}
        reporting_month = cast('{{ chosen }}-01' as date)
    {%- else -%}
        reporting_month = (select max(reporting_month) from {{ relation }})
    {%- endif -%}
{%- endmacro %}
