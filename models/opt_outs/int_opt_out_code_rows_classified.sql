-- Implements R3's reason order for the Type 2 feed (R2 code, R4 Type 1, R5 withdrawal
-- dates, R1 validity): each landed opt_out_codes row is accepted (rejection_reason null)
-- or takes the first reason that applies. R4: a Type 1 row keeps no NHS number, nor does a
-- row whose code is a Type 1 code but for its case (it stays unknown_code, R2).
-- A table of this build's new lines only (the landing readers read only new files): the
-- historic record and the key test read it, not the files again.
{{ config(materialized='table') }}
with

staged as (
    select * from {{ ref('stg_landing__opt_out_codes') }}
),

code_list as (
    select
        code,
        code_system,
        opt_out_type,
        action
    from {{ ref('opt_out_code_list') }}
),

type1_codes_case_folded as (
    select distinct lower(code) as folded_code
    from code_list
    where opt_out_type = 1
),

coded as (
    select
        staged.*,
        code_list.code_system,
        code_list.opt_out_type,
        code_list.action,
        coalesce(
            staged.recorded_date is not null
            and staged.recorded_date <= staged.extract_date,
            false
        ) as recorded_date_is_valid,
        type1_codes_case_folded.folded_code is not null as is_type1_code_ignoring_case
    from staged
    left join code_list on staged.code = code_list.code
    left join type1_codes_case_folded on lower(staged.code) = type1_codes_case_folded.folded_code
),

classified as (
    select
        *,
        {#- R5: only a withdrawal is rejected for its date; an opt-out is dated later. #}
        {{ first_rejection_reason([
            ['invalid_extract_date', 'extract_date is null'],
            ['unknown_code', 'opt_out_type is null'],
            ['type1_not_collected', 'opt_out_type = 1'],
            ['invalid_nhs_number', 'not nhs_number_is_valid'],
            ['invalid_recorded_date', "action = 'withdrawal' and not recorded_date_is_valid"],
        ]) }} as rejection_reason,
        -- R4 (also for a Type 1 code in another case), and a line whose columns cannot be
        -- trusted may hold a Type 1 number anywhere.
        coalesce(
            is_type1_code_ignoring_case or has_extra_values or has_line_break, false
        ) as must_not_keep_nhs_number
    from coded
),

final as (
    select
        source_file,
        row_number,
        extract_date_raw,
        practice_code_raw,
        case when not must_not_keep_nhs_number then nhs_number_raw end as nhs_number_raw,
        code_raw,
        recorded_date_raw,
        extract_date,
        practice_code,
        practice_code_is_valid,
        case when not must_not_keep_nhs_number and nhs_number_is_valid then nhs_number end as nhs_number,
        code,
        code_system,
        opt_out_type,
        action,
        recorded_date,
        recorded_date_is_valid,
        rejection_reason
    from classified
)

select * from final
