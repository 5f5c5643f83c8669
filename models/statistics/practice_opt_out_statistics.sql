-- R11-R13: Care Information Choices figures per practice and reporting month. Every
-- practice valid in the month (from the practices seed), every practice that sent counts
-- or has attributed patients, and UNKNOWN for malformed practice codes, are shown; a
-- practice without counts that month has empty list size and Type 1 figures.
with

months as (
    select * from {{ ref('int_reporting_months') }}
),

counts as (
    select * from {{ ref('int_practice_counts_monthly') }}
),

type2 as (
    select
        reporting_month,
        practice_code,
        type2_opt_outs
    from {{ ref('int_type2_opt_outs_monthly') }}
),

practices as (
    select * from {{ ref('practices') }}
),

known_practices as (
    select
        months.reporting_month,
        practices.practice_code
    from months
    inner join practices
        on {{ period_covers_month('practices', 'months.reporting_month') }}
),

practice_months as (
    select reporting_month, practice_code from known_practices
    union
    select reporting_month, practice_code from counts
    union
    select reporting_month, practice_code from type2
),

-- R13: the CCG of the practices row valid on the first day of the month.
membership as (
    select
        practice_months.reporting_month,
        practice_months.practice_code,
        practices.ccg_code
    from practice_months
    inner join practices
        on
            practice_months.practice_code = practices.practice_code
            and {{ period_covers_month('practices', 'practice_months.reporting_month') }}
),

practice_names as (
    select
        practice_code,
        max(practice_name) as practice_name
    from practices
    group by practice_code
),

final as (
    select
        practice_months.reporting_month,
        practice_months.practice_code,
        practice_names.practice_name,
        coalesce(membership.ccg_code, 'UNKNOWN') as ccg_code,
        counts.registered_patients,
        counts.type1_opt_outs,
        coalesce(type2.type2_opt_outs, 0) as type2_opt_outs,
        {{ opt_out_rate('counts.type1_opt_outs', 'counts.registered_patients') }} as type1_rate,
        {{ opt_out_rate('coalesce(type2.type2_opt_outs, 0)', 'counts.registered_patients') }} as type2_rate
    from practice_months
    left join counts
        on
            practice_months.reporting_month = counts.reporting_month
            and practice_months.practice_code = counts.practice_code
    left join type2
        on
            practice_months.reporting_month = type2.reporting_month
            and practice_months.practice_code = type2.practice_code
    left join membership
        on
            practice_months.reporting_month = membership.reporting_month
            and practice_months.practice_code = membership.practice_code
    left join practice_names
        on practice_months.practice_code = practice_names.practice_code
)

select
    reporting_month,
    practice_code,
    practice_name,
    ccg_code,
    registered_patients,
    type1_opt_outs,
    type2_opt_outs,
    type1_rate,
    type2_rate
from final
