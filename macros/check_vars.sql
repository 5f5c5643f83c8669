{#- Run first at on-run-start: a mistyped var is one sentence before anything is built. -#}
{% macro check_vars() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- do publication_month() -%}
    {%- do disclosure_control() -%}
    {%- if not (var('landing_dir', '') | string | trim) -%}
        {{ exceptions.raise_compiler_error("The dbt var landing_dir is empty: set it to the folder the extracts land in.") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
