-- R14 reconciliation per landed collection file: rows in = collected + excluded (Type 1)
-- + rejected. Counts only: which patients were excluded is never stored.
with

rows_classified as (
    select * from {{ ref('int_gp_level_data_patient_rows_classified') }}
),

summary as (
    select
        source_file,
        min(collection_date) as collection_date,
        count(*) as rows_in,
        count(*) filter (where rejection_reason is null and not is_type1_opted_out) as rows_collected,
        count(*) filter (where rejection_reason is null and is_type1_opted_out) as rows_excluded_type1,
        count(*) filter (where rejection_reason is not null) as rows_rejected
    from rows_classified
    group by source_file
)

select
    source_file,
    collection_date,
    rows_in,
    rows_collected,
    rows_excluded_type1,
    rows_rejected
from summary
