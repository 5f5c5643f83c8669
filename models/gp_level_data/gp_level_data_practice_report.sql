-- R14 report back to practices: per collection, practice and usual GP, the number of
-- patients collected. Counts only.
with

collected as (
    select * from {{ ref('individual_gp_level_data') }}
),

per_gp as (
    select
        collection_date,
        practice_code,
        usual_gp_code,
        count(distinct nhs_number) as patients
    from collected
    group by collection_date, practice_code, usual_gp_code
)

select
    collection_date,
    practice_code,
    usual_gp_code,
    patients
from per_gp
