{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
    )
}}
-- R3: the rejected rows of the opt_out_codes historic record, as they were received (the
-- NHS number already dropped where R4 says so). Incremental (docs/rules.md §7): each build
-- appends the rejects it received, so rejected_rows does not scan the whole record.
select
    source_file,
    row_number,
    rejection_reason,
    extract_date_raw,
    practice_code_raw,
    nhs_number_raw,
    code_raw,
    recorded_date_raw,
    received_at,
    {{ build_started_at() }} as derived_at
from {{ ref('int_opt_out_code_rows_received') }}
where rejection_reason is not null
{%- if is_incremental() %}
    and received_at > {{ last_derived_at() }}
{%- endif %}
