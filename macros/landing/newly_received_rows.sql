{#- The historic record's increment: the rows of `classified` not yet received (same file,
    same line), stamped with this run's start. Idempotent: rebuilding the same landing
    files adds nothing. Only rows received after the received-files ledger's latest entry
    can be met again (received_files_watermark), so only those are compared. -#}
{% macro newly_received_rows(classified) %}
select
    classified.*,
    {{ build_started_at() }} as received_at
from {{ classified }} as classified
{%- if is_incremental() %}
where not exists (
    select 1
    from {{ this }} as received
    where
        received.received_at > {{ received_files_watermark() }}
        and received.source_file = classified.source_file
        and received.row_number = classified.row_number
)
{%- endif %}
{% endmacro %}
