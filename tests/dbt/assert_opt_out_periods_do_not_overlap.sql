-- R10: a patient's periods are disjoint and in order; only the last may be open.
with

periods as (
    select
        nhs_number,
        applied_from,
        applied_to,
        lead(applied_from) over (partition by nhs_number order by applied_from) as next_from
    from {{ ref('opt_out_periods') }}
)

select
    nhs_number,
    applied_from
from periods
where
    (applied_to is not null and applied_to <= applied_from)
    or (next_from is not null and (applied_to is null or applied_to >= next_from))
