-- R3 reconciliation: per landed file, rows in = rows accepted + rows rejected. Files
-- archived out of the landing area keep their line from the historic record.
with

-- A file whose bytes were already received (in an earlier run, or this run under another
-- name: received_as) is not read again: its line count, and its rows, are those of the
-- file its bytes were received as.
landed as (
    select
        files.feed,
        files.source_file,
        coalesce(files.received_as, files.source_file) as received_as,
        coalesce(files.data_rows, received_files.data_rows) as data_rows
    from {{ ref('stg_landing__files') }} as files
    left join {{ ref('int_landing_files_received') }} as received_files
        on
            files.feed = received_files.feed
            and files.received_as = received_files.source_file
    where files.already_received or files.header_matches
),

received as (
    select
        'opt_out_codes' as feed,
        source_file,
        cast(sum(row_count) as bigint) as rows_received,
        min(received_at) as first_received_at
    from {{ ref('int_opt_out_code_receipts') }}
    group by source_file
    union all
    select
        'practice_counts' as feed,
        source_file,
        count(*) as rows_received,
        min(received_at) as first_received_at
    from {{ ref('int_practice_count_rows_received') }}
    group by source_file
    union all
    select
        'patient_demographics' as feed,
        source_file,
        count(*) as rows_received,
        min(received_at) as first_received_at
    from {{ ref('int_patient_demographic_rows_received') }}
    group by source_file
    union all
    select
        'nhs_number_changes' as feed,
        source_file,
        count(*) as rows_received,
        min(received_at) as first_received_at
    from {{ ref('int_nhs_number_change_rows_received') }}
    group by source_file
    union all
    -- GP-level feeds are never stored (R14): what was read this run is what was received.
    select
        'gp_level_data_patients' as feed,
        source_file,
        count(*) as rows_received,
        cast(null as timestamp) as first_received_at
    from {{ ref('int_gp_level_data_patient_rows_classified') }}
    group by source_file
    union all
    select
        'gp_level_data_opt_out_codes' as feed,
        source_file,
        count(*) as rows_received,
        cast(null as timestamp) as first_received_at
    from {{ ref('int_gp_level_data_code_rows_classified') }}
    group by source_file
),

accepted as (
    select
        'opt_out_codes' as feed,
        source_file,
        cast(sum(row_count) as bigint) as rows_accepted
    from {{ ref('int_opt_out_code_receipts') }}
    where rejection_reason is null
    group by source_file
    union all
    select
        'practice_counts' as feed,
        source_file,
        count(*) as rows_accepted
    from {{ ref('int_practice_count_rows_resolved') }}
    where not is_conflicting
    group by source_file
    union all
    select
        'patient_demographics' as feed,
        source_file,
        count(*) as rows_accepted
    from {{ ref('int_patient_demographic_rows_received') }}
    where rejection_reason is null
    group by source_file
    union all
    select
        'nhs_number_changes' as feed,
        source_file,
        count(*) as rows_accepted
    from {{ ref('int_nhs_number_change_rows_received') }}
    where rejection_reason is null
    group by source_file
    union all
    -- Collected or excluded under R14: both are accepted rows.
    select
        'gp_level_data_patients' as feed,
        source_file,
        count(*) as rows_accepted
    from {{ ref('int_gp_level_data_patient_rows_classified') }}
    where rejection_reason is null
    group by source_file
    union all
    select
        'gp_level_data_opt_out_codes' as feed,
        source_file,
        count(*) as rows_accepted
    from {{ ref('int_gp_level_data_code_rows_classified') }}
    where rejection_reason is null
    group by source_file
),

rejected as (
    select
        feed,
        source_file,
        count(*) as rows_rejected
    from {{ ref('rejected_rows') }}
    group by feed, source_file
),

files as (
    select
        feed,
        source_file,
        received_as
    from landed
    union
    select
        feed,
        source_file,
        source_file as received_as
    from received
    where not exists (
        select 1 from landed
        where landed.feed = received.feed and landed.source_file = received.source_file
    )
),

final as (
    select
        files.feed,
        files.source_file,
        files.received_as,
        landed.data_rows as rows_in_landing,
        coalesce(received.rows_received, 0) as rows_received,
        coalesce(accepted.rows_accepted, 0) as rows_accepted,
        coalesce(rejected.rows_rejected, 0) as rows_rejected,
        landed.source_file is not null as is_in_landing,
        received.first_received_at
    from files
    left join landed on files.feed = landed.feed and files.source_file = landed.source_file
    left join received on files.feed = received.feed and files.received_as = received.source_file
    left join accepted on files.feed = accepted.feed and files.received_as = accepted.source_file
    left join rejected on files.feed = rejected.feed and files.received_as = rejected.source_file
)

select
    feed,
    source_file,
    received_as,
    rows_in_landing,
    rows_received,
    rows_accepted,
    rows_rejected,
    is_in_landing,
    first_received_at
from final
