{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
    )
}}
-- The historic record of opt_out_codes/ summarised (no NHS numbers): rows received, per
-- build, file, extract date, practice (R6: UNKNOWN when malformed) and outcome (accepted,
-- or R3's reason). What the landing reconciliation, the reporting months, the data quality
-- report and the statistics' touched months need to know about every row ever received,
-- at a size that follows files and practices, not rows. Incremental (docs/rules.md §7):
-- each build appends the rows received since the last one (a file's rows arrive in one
-- build, so nothing is counted twice).
with

received as (
    select
        received_at,
        source_file,
        extract_date,
        {{ practice_code_or_unknown() }} as practice_code,
        rejection_reason
    from {{ ref('int_opt_out_code_rows_received') }}
    {%- if is_incremental() %}
        where received_at > {{ last_derived_at() }}
    {%- endif %}
),

summarised as (
    select
        received_at,
        source_file,
        extract_date,
        practice_code,
        rejection_reason,
        count(*) as row_count,
        {{ build_started_at() }} as derived_at
    from received
    group by received_at, source_file, extract_date, practice_code, rejection_reason
)

select * from summarised
