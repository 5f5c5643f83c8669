{#- The dbt var publication_month: empty (the latest month with data) or a month written
    YYYY-MM; anything else stops the build with one sentence. -#}
{% macro publication_month() %}
    {%- set chosen = var('publication_month', '') | string | trim -%}
    {%- if chosen and not modules.re.fullmatch('(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])', chosen) -%}
        {{ exceptions.raise_compiler_error("The dbt var publication_month must be a month written YYYY-MM (for "
            ~ "example 2025-09), or empty for the latest month with data; got '" ~ chosen ~ "'.") }}
    {%- endif -%}
    {{- return(chosen) -}}
{% endmacro %}
