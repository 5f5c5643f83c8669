-- R14: the Individual GP Level Data collection: NHS numbers of registered patients and
-- their usual GP, without any patient whose Type 1 opt-out was recorded before the
-- collection date. The only table the collection writes holding NHS numbers.
with

collected as (
    select distinct
        collection_date,
        practice_code,
        nhs_number,
        usual_gp_code
    from {{ ref('int_gp_level_data_patient_rows_classified') }}
    where rejection_reason is null and not is_type1_opted_out
)

select
    collection_date,
    practice_code,
    nhs_number,
    usual_gp_code
from collected
