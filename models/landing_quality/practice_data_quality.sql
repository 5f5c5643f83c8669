-- docs/rules.md §6: per practice and reporting month, what arrived and how good it was —
-- whether a codes extract and counts were received (and the first extract date), rows
-- landed and rejected (by reason), the reject rate, the change in list size and Type 1
-- count from the previous month, and flags: missing, late, high reject rate, outlying
-- change by more than outlying_change and by at least min_change patients (thresholds: dbt
-- var data_quality). Practice codes and counts only.
with

months as (
    select * from {{ ref('int_reporting_months') }}
),

landed as (
    select
        cast({{ dbt.date_trunc('month', 'extract_date') }} as date) as reporting_month,
        practice_code,
        'codes' as feed,
        extract_date,
        rejection_reason,
        row_count
    from {{ ref('int_opt_out_code_receipts') }}
    where extract_date is not null
    union all
    select
        cast({{ dbt.date_trunc('month', 'received.extract_date') }} as date) as reporting_month,
        {{ practice_code_or_unknown('received.practice_code', is_valid_practice_code('received.practice_code')) }}
            as practice_code,
        'counts' as feed,
        received.extract_date,
        case when resolved.is_conflicting then 'conflicting_counts' else received.rejection_reason end
            as rejection_reason,
        1 as row_count
    from {{ ref('int_practice_count_rows_received') }} as received
    left join {{ ref('int_practice_count_rows_resolved') }} as resolved
        on received.source_file = resolved.source_file and received.row_number = resolved.row_number
    where received.extract_date is not null
),

reasons as (
    select
        reporting_month,
        practice_code,
        rejection_reason || ': ' || cast(sum(row_count) as {{ dbt.type_string() }}) as reason_count
    from landed
    where rejection_reason is not null
    group by reporting_month, practice_code, rejection_reason
),

per_practice as (
    select
        reporting_month,
        practice_code,
        min(case when feed = 'codes' then extract_date end) as first_codes_extract_date,
        cast(sum(row_count) as bigint) as rows_landed,
        cast(sum(case when rejection_reason is not null then row_count else 0 end) as bigint) as rows_rejected
    from landed
    group by reporting_month, practice_code
),

reasons_listed as (
    select
        reporting_month,
        practice_code,
        {{ sorted_text_list('reason_count') }} as rejected_by_reason
    from reasons
    group by reporting_month, practice_code
),

counts as (
    select
        reporting_month,
        practice_code,
        registered_patients,
        type1_opt_outs,
        lag(registered_patients) over (partition by practice_code order by reporting_month) as previous_registered,
        lag(type1_opt_outs) over (partition by practice_code order by reporting_month) as previous_type1
    from {{ ref('int_practice_counts_monthly') }}
),

expected as (
    select
        months.reporting_month,
        practices.practice_code
    from months
    inner join {{ ref('practices') }} as practices
        on {{ period_covers_month('practices', 'months.reporting_month') }}
),

practice_months as (
    select reporting_month, practice_code from expected
    union
    select reporting_month, practice_code from per_practice
),

final as (
    select
        practice_months.reporting_month,
        practice_months.practice_code,
        per_practice.first_codes_extract_date is not null as codes_received,
        per_practice.first_codes_extract_date,
        counts.registered_patients is not null as counts_received,
        coalesce(per_practice.rows_landed, 0) as rows_landed,
        coalesce(per_practice.rows_rejected, 0) as rows_rejected,
        reasons_listed.rejected_by_reason,
        case
            when per_practice.rows_landed > 0
                then cast(per_practice.rows_rejected as {{ type_double() }}) / per_practice.rows_landed
        end as reject_rate,
        counts.registered_patients - counts.previous_registered as registered_patients_change,
        counts.type1_opt_outs - counts.previous_type1 as type1_opt_outs_change,
        {{ relative_change('counts.registered_patients', 'counts.previous_registered') }}
            as registered_patients_change_ratio,
        {{ relative_change('counts.type1_opt_outs', 'counts.previous_type1') }} as type1_opt_outs_change_ratio
    from practice_months
    left join per_practice
        on
            practice_months.reporting_month = per_practice.reporting_month
            and practice_months.practice_code = per_practice.practice_code
    left join reasons_listed
        on
            practice_months.reporting_month = reasons_listed.reporting_month
            and practice_months.practice_code = reasons_listed.practice_code
    left join counts
        on
            practice_months.reporting_month = counts.reporting_month
            and practice_months.practice_code = counts.practice_code
)

select
    reporting_month,
    practice_code,
    codes_received,
    first_codes_extract_date,
    counts_received,
    rows_landed,
    rows_rejected,
    rejected_by_reason,
    reject_rate,
    registered_patients_change,
    type1_opt_outs_change,
    practice_code <> 'UNKNOWN' and not codes_received and not counts_received as is_missing,
    coalesce(
        extract(day from first_codes_extract_date) > {{ var('data_quality')['late_after_day'] }}, false
    ) as is_late,
    coalesce(reject_rate > {{ var('data_quality')['high_reject_rate'] }}, false) as is_high_reject_rate,
    coalesce(
        (
            abs(registered_patients_change_ratio) > {{ var('data_quality')['outlying_change'] }}
            and abs(registered_patients_change) >= {{ var('data_quality').get('min_change', 10) }}
        )
        or (
            abs(type1_opt_outs_change_ratio) > {{ var('data_quality')['outlying_change'] }}
            and abs(type1_opt_outs_change) >= {{ var('data_quality').get('min_change', 10) }}
        ),
        false
    ) as is_outlying_change
from final
