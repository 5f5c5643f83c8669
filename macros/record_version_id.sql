{#- docs/rules.md §6: the id of the opt-out record version this build publishes — the build's
    start (build_started_at: unique per build and growing with each, whatever the clock), as
    text (`v2025-11-03T06:00:00`): the published tables, the record's versions and the
    releases built on it all carry the same id. -#}
{% macro record_version_id() -%}
    cast('v{{ build_started_at_value().strftime("%Y-%m-%dT%H:%M:%S") }}' as {{ dbt.type_string() }})
{%- endmacro %}
