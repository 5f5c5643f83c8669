{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- docs/rules.md §4: one row per release per build, appended by record_release_build — the post-hook
-- of every release model — right after the release is built. This model only defines the
-- table (it selects no rows); append-only and never truncated, even by --full-refresh.
select
    cast(null as {{ dbt.type_string() }}) as release_name,
    cast(null as timestamp) as built_at,
    cast(null as {{ dbt.type_string() }}) as version_id,
    cast(null as {{ dbt.type_string() }}) as purpose,
    cast(null as {{ dbt.type_string() }}) as recipient,
    cast(null as {{ dbt.type_string() }}) as opt_outs,
    cast(null as {{ dbt.type_string() }}) as exemption,
    cast(null as date) as as_of,
    cast(null as {{ dbt.type_string() }}) as rows_without_nhs_number_policy,
    cast(null as bigint) as rows_in,
    cast(null as bigint) as rows_out,
    cast(null as bigint) as rows_removed,
    cast(null as bigint) as patients_removed,
    cast(null as bigint) as rows_without_nhs_number
where 1 = 0
