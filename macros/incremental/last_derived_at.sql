{#- When this incremental model last wrote rows (its watermark), as a timestamp literal read
    when the model runs: rows of the historic record received, or upstream rows derived,
    after it are the increment. A literal, not a subquery, so DuckDB skips the blocks of
    older rows (their min/max) instead of reading the whole history to compare. A build that
    writes nothing leaves the watermark where it was: the next build looks at those rows
    again, which is safe (every derivation is idempotent). -#}
{% macro last_derived_at() -%}
    {{ return(latest_timestamp(this, 'derived_at')) }}
{%- endmacro %}

{#- Files received into the historic record (int_landing_files_received) are never read
    again, so the only rows of the record a build can meet again are those received after
    the ledger's latest entry (a build stopped between the two). As a timestamp literal. -#}
{% macro received_files_watermark() -%}
    {%- if not execute -%}
        {{ return("cast('1900-01-01 00:00:00' as timestamp)") }}
    {%- endif -%}
    {{ return(latest_timestamp(node_relation('int_landing_files_received'), 'received_at')) }}
{%- endmacro %}

{#- max(column) of relation as a timestamp literal; 1900-01-01 when the relation does not
    exist yet or is empty. -#}
{% macro latest_timestamp(relation, column) -%}
    {%- set value = none -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
        {%- if existing is not none -%}
            {%- set value = run_query('select max(' ~ column ~ ') from ' ~ existing).columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    {%- set text = value.strftime('%Y-%m-%d %H:%M:%S') if value is not none and value is not string
        else (value or '1900-01-01 00:00:00') -%}
    {{ return("cast('" ~ text ~ "' as timestamp)") }}
{%- endmacro %}
