-- R13: CCG and England figures are the sums of their practice rows, month by month.
with

practice_sums as (
    select
        reporting_month,
        ccg_code,
        sum(registered_patients) as registered_patients,
        sum(type1_opt_outs) as type1_opt_outs,
        sum(type2_opt_outs) as type2_opt_outs
    from {{ ref('practice_opt_out_statistics') }}
    group by reporting_month, ccg_code
),

ccg_mismatches as (
    select
        practice_sums.reporting_month,
        practice_sums.ccg_code
    from practice_sums
    full outer join {{ ref('ccg_opt_out_statistics') }} as ccg
        on practice_sums.reporting_month = ccg.reporting_month and practice_sums.ccg_code = ccg.ccg_code
    where
        ccg.ccg_code is null
        or practice_sums.ccg_code is null
        or practice_sums.registered_patients is distinct from ccg.registered_patients
        or practice_sums.type1_opt_outs is distinct from ccg.type1_opt_outs
        or practice_sums.type2_opt_outs <> ccg.type2_opt_outs
),

england_mismatches as (
    select
        national.reporting_month,
        'ENGLAND' as ccg_code
    from {{ ref('national_opt_out_statistics') }} as national
    left join (
        select
            reporting_month,
            sum(registered_patients) as registered_patients,
            sum(type1_opt_outs) as type1_opt_outs,
            sum(type2_opt_outs) as type2_opt_outs
        from practice_sums
        group by reporting_month
    ) as summed
        on national.reporting_month = summed.reporting_month
    where
        summed.registered_patients is distinct from national.registered_patients
        or coalesce(summed.type1_opt_outs, 0) <> national.type1_opt_outs
        or coalesce(summed.type2_opt_outs, 0) <> national.type2_opt_outs
)

select * from ccg_mismatches
union all
select * from england_mismatches
