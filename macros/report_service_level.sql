{#- At on-run-end: how many received status changes had waited more than 21 days without
    being applied when this build started, and since when (docs/rules.md §6) — counts and
    dates only; `published_now` when this build's record applies them. -#}
{% macro report_service_level(published_now) %}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.opt_out_changes_waiting') -%}
    {%- set waiting = load_relation(api.Relation.create(database=node.database, schema=node.schema,
                                                        identifier=node.alias)) if node else none -%}
    {%- if waiting is none -%}{{ return('') }}{%- endif -%}
    {%- set row = run_query("select count(*) filter (where days_waiting > 21), min(received_at) filter (where days_waiting > 21),"
        ~ " count(*) from " ~ waiting).rows[0] -%}
    {%- if row[0] == 0 -%}
        {{ log("21-day service level met: no received opt-out status change has waited more than 21 days"
            ~ ((" (" ~ row[2] ~ " waiting for a record to be published)") if row[2] > 0 and not published_now else "")
            ~ ".", info=True) }}
    {%- endif -%}
    {%- if row[0] > 0 -%}
        {{ log("SERVICE LEVEL BREACHED: " ~ row[0] ~ " received opt-out status change" ~ ("s have" if row[0] > 1 else " has")
            ~ " waited more than 21 days without being applied to a published record (the oldest received at "
            ~ row[1] ~ "). " ~ ("The record this build published applies them now, late."
                               if published_now else "Fix what stops the record being published and build again."),
            info=True) }}
    {%- endif -%}
{% endmacro %}
