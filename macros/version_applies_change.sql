{#- docs/rules.md §6: record version `versions` applies received status change `changes` when
    it was published at or after the change's receipt and is known at or after its extract
    date. The one definition of "applied", for the service level and the waiting changes. -#}
{% macro version_applies_change(versions, changes) -%}
    (
        {{ versions }}.published_at >= {{ changes }}.received_at
        and {{ versions }}.latest_received_date >= {{ changes }}.extract_date
    )
{%- endmacro %}
