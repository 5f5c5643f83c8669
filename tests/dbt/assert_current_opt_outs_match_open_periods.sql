-- R9 and R10 agree: a patient is a current opt-out iff their last period is still open.
with

open_periods as (
    select nhs_number from {{ ref('opt_out_periods') }}
    where applied_to is null
),

current_opt_outs as (
    select nhs_number from {{ ref('current_opt_outs') }}
),

mismatches as (
    select nhs_number from open_periods
    except
    select nhs_number from current_opt_outs
    union all
    (
        select nhs_number from current_opt_outs
        except
        select nhs_number from open_periods
    )
)

select count(*) as patients_in_one_but_not_the_other
from mismatches
having count(*) > 0
