-- R3: every landed row that was not accepted, once, with its file, line and one reason,
-- and the raw values as sent — none for a line that did not split into its columns (R3),
-- for a Type 1 row or one that looks like it (R4), or for any GP-level row (R14).
-- patient_demographics rows (SPEC §9) keep extract_date and nhs_number in their columns and
-- their other values in year_of_birth, gender and date_of_death; nhs_number_changes rows
-- theirs in superseded_nhs_number and effective_date.
with

code_rejects as (
    select
        'opt_out_codes' as feed,
        source_file,
        row_number,
        rejection_reason as reason,
        extract_date_raw as extract_date,
        practice_code_raw as practice_code,
        nhs_number_raw as nhs_number,
        code_raw as code,
        recorded_date_raw as recorded_date,
        cast(null as {{ dbt.type_string() }}) as registered_patients,
        cast(null as {{ dbt.type_string() }}) as type1_opt_outs,
        cast(null as {{ dbt.type_string() }}) as year_of_birth,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as date_of_death,
        cast(null as {{ dbt.type_string() }}) as superseded_nhs_number,
        cast(null as {{ dbt.type_string() }}) as effective_date,
        received_at
    from {{ ref('int_opt_out_code_rows_rejected') }}
    where rejection_reason is not null
),

count_rows as (
    select * from {{ ref('int_practice_count_rows_received') }}
),

conflicting_counts as (
    select
        source_file,
        row_number
    from {{ ref('int_practice_count_rows_resolved') }}
    where is_conflicting
),

count_rejects as (
    select
        'practice_counts' as feed,
        count_rows.source_file,
        count_rows.row_number,
        case
            when conflicting_counts.row_number is not null then 'conflicting_counts'
            else count_rows.rejection_reason
        end as reason,
        count_rows.extract_date_raw as extract_date,
        count_rows.practice_code_raw as practice_code,
        cast(null as {{ dbt.type_string() }}) as nhs_number,
        cast(null as {{ dbt.type_string() }}) as code,
        cast(null as {{ dbt.type_string() }}) as recorded_date,
        count_rows.registered_patients_raw as registered_patients,
        count_rows.type1_opt_outs_raw as type1_opt_outs,
        cast(null as {{ dbt.type_string() }}) as year_of_birth,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as date_of_death,
        cast(null as {{ dbt.type_string() }}) as superseded_nhs_number,
        cast(null as {{ dbt.type_string() }}) as effective_date,
        count_rows.received_at
    from count_rows
    left join conflicting_counts
        on
            count_rows.source_file = conflicting_counts.source_file
            and count_rows.row_number = conflicting_counts.row_number
    where count_rows.rejection_reason is not null or conflicting_counts.row_number is not null
),

-- R14: rejects of the GP-level feeds keep no NHS number and no value that may hold one
-- (any GP-level patient may have a Type 1 opt-out): only where to look, and why.
gp_patient_rejects as (
    select
        'gp_level_data_patients' as feed,
        source_file,
        row_number,
        rejection_reason as reason,
        cast(null as {{ dbt.type_string() }}) as extract_date,
        cast(null as {{ dbt.type_string() }}) as practice_code,
        cast(null as {{ dbt.type_string() }}) as nhs_number,
        cast(null as {{ dbt.type_string() }}) as code,
        cast(null as {{ dbt.type_string() }}) as recorded_date,
        cast(null as {{ dbt.type_string() }}) as registered_patients,
        cast(null as {{ dbt.type_string() }}) as type1_opt_outs,
        cast(null as {{ dbt.type_string() }}) as year_of_birth,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as date_of_death,
        cast(null as {{ dbt.type_string() }}) as superseded_nhs_number,
        cast(null as {{ dbt.type_string() }}) as effective_date,
        cast(null as timestamp) as received_at
    from {{ ref('int_gp_level_data_patient_rows_classified') }}
    where rejection_reason is not null
),

gp_code_rejects as (
    select
        'gp_level_data_opt_out_codes' as feed,
        source_file,
        row_number,
        rejection_reason as reason,
        cast(null as {{ dbt.type_string() }}) as extract_date,
        cast(null as {{ dbt.type_string() }}) as practice_code,
        cast(null as {{ dbt.type_string() }}) as nhs_number,
        cast(null as {{ dbt.type_string() }}) as code,
        cast(null as {{ dbt.type_string() }}) as recorded_date,
        cast(null as {{ dbt.type_string() }}) as registered_patients,
        cast(null as {{ dbt.type_string() }}) as type1_opt_outs,
        cast(null as {{ dbt.type_string() }}) as year_of_birth,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as date_of_death,
        cast(null as {{ dbt.type_string() }}) as superseded_nhs_number,
        cast(null as {{ dbt.type_string() }}) as effective_date,
        cast(null as timestamp) as received_at
    from {{ ref('int_gp_level_data_code_rows_classified') }}
    where rejection_reason is not null
),

demographic_rejects as (
    select
        'patient_demographics' as feed,
        source_file,
        row_number,
        rejection_reason as reason,
        extract_date_raw as extract_date,
        cast(null as {{ dbt.type_string() }}) as practice_code,
        nhs_number_raw as nhs_number,
        cast(null as {{ dbt.type_string() }}) as code,
        cast(null as {{ dbt.type_string() }}) as recorded_date,
        cast(null as {{ dbt.type_string() }}) as registered_patients,
        cast(null as {{ dbt.type_string() }}) as type1_opt_outs,
        year_of_birth_raw as year_of_birth,
        gender_raw as gender,
        date_of_death_raw as date_of_death,
        cast(null as {{ dbt.type_string() }}) as superseded_nhs_number,
        cast(null as {{ dbt.type_string() }}) as effective_date,
        received_at
    from {{ ref('int_patient_demographic_rows_received') }}
    where rejection_reason is not null
),

change_rejects as (
    select
        'nhs_number_changes' as feed,
        source_file,
        row_number,
        rejection_reason as reason,
        extract_date_raw as extract_date,
        cast(null as {{ dbt.type_string() }}) as practice_code,
        nhs_number_raw as nhs_number,
        cast(null as {{ dbt.type_string() }}) as code,
        cast(null as {{ dbt.type_string() }}) as recorded_date,
        cast(null as {{ dbt.type_string() }}) as registered_patients,
        cast(null as {{ dbt.type_string() }}) as type1_opt_outs,
        cast(null as {{ dbt.type_string() }}) as year_of_birth,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as date_of_death,
        superseded_nhs_number_raw as superseded_nhs_number,
        effective_date_raw as effective_date,
        received_at
    from {{ ref('int_nhs_number_change_rows_received') }}
    where rejection_reason is not null
),

all_rejects as (
    select * from code_rejects
    union all
    select * from count_rejects
    union all
    select * from gp_patient_rejects
    union all
    select * from gp_code_rejects
    union all
    select * from demographic_rejects
    union all
    select * from change_rejects
)

select
    source_file,
    row_number,
    feed,
    reason,
    extract_date,
    practice_code,
    nhs_number,
    code,
    recorded_date,
    registered_patients,
    type1_opt_outs,
    year_of_birth,
    gender,
    date_of_death,
    superseded_nhs_number,
    effective_date,
    received_at
from all_rejects
