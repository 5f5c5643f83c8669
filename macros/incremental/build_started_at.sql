{#- The start of this build as a timestamp literal: the one clock of the historic record
    (received_at) and of the derived history (derived_at), so "since the last build" is a
    comparison of two values written by the same expression. -#}
{% macro build_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}
