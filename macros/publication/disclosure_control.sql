{#- The dbt var disclosure_control: standard (default) or none. -#}
{% macro disclosure_control() %}
    {%- set value = var('disclosure_control', 'standard') -%}
    {%- if value not in ['standard', 'none'] -%}
        {{ exceptions.raise_compiler_error("disclosure_control must be 'standard' or 'none', got '" ~ value ~ "'") }}
    {%- endif -%}
    {{- return(value) -}}
{% endmacro %}
