{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- docs/rules.md §6: one row per publication of the checked record — each build whose checks
-- passed rebuilt published_current_opt_outs, and this row records it: its version id, when,
-- an order-independent hash of the list (the same list gives the same hash), how many
-- patients it holds and the latest received date it is known at. Append-only, never
-- rewritten by --full-refresh.
with

published as (
    select * from {{ ref('published_current_opt_outs') }}
),

this_version as (
    select
        {{ record_hash(
            "nhs_number || '|' || cast(opted_out_on as " ~ dbt.type_string() ~ ") || '|' || cast(received_date as "
            ~ dbt.type_string() ~ ")"
        ) }} as record_hash,
        count(*) as opted_out_patients,
        max(record_as_of_date) as latest_received_date
    from published
)

select
    cast({{ record_version_id() }} as {{ dbt.type_string() }}) as version_id,
    {{ build_started_at() }} as published_at,
    record_hash,
    opted_out_patients,
    latest_received_date
from this_version
{%- if is_incremental() %}
where not exists (select 1 from {{ this }} as earlier where earlier.version_id = {{ record_version_id() }})
{%- endif %}
