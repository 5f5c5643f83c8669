{#- "Now" for the 21-day service level: the build's start (build_started_at), or dbt var service_level_clock
    ('YYYY-MM-DD HH:MM:SS') — a simulated clock for tests and for re-reading the past. -#}
{% macro service_level_clock() -%}
    {%- set clock = var('service_level_clock', '') | string -%}
    {%- if clock and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?', clock) -%}
        {{ exceptions.raise_compiler_error("The dbt var service_level_clock must be written 'YYYY-MM-DD HH:MM:SS', got '"
            ~ clock ~ "'.") }}
    {%- endif -%}
    {%- if clock -%}
    cast('{{ clock }}' as timestamp)
    {%- else -%}
    {{ build_started_at() }}
    {%- endif -%}
{%- endmacro %}
