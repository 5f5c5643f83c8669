-- Implements R3's reason order for the Type 2 feed (§2 extract dates: unparseable or later
-- than the day received, macro received_on; R2 code, R4 Type 1, R5 withdrawal
-- dates, R1 validity): each landed opt_out_codes row is accepted (rejection_reason null)
-- or takes the first reason that applies. R4: a Type 1 row keeps no NHS number and no value
-- as sent, nor does an unknown-code row any of whose values looks like a Type 1 code
-- (macro looks_like_type1_code). A malformed line (R3) arrives with no values at all.
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

type1_codes as (
    select
        code,
        description
    from {{ ref('opt_out_code_list') }}
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
        ) as recorded_date_is_valid
    from staged
    left join code_list on staged.code = code_list.code
),

-- R4 in disguise: unknown-code rows with any value that looks like a Type 1 code (few rows
-- against the few Type 1 codes).
type1_lookalike_rows as (
    select distinct
        coded.source_file,
        coded.row_number
    from coded
    inner join type1_codes
        on {{ any_looks_like_type1_code(
            ['coded.code_raw', 'coded.nhs_number_raw', 'coded.practice_code_raw', 'coded.extract_date_raw',
             'coded.recorded_date_raw'],
            'type1_codes',
        ) }}
    where coded.opt_out_type is null
),

classified as (
    select
        coded.*,
        {#- R5: only a withdrawal is rejected for its date; an opt-out is dated later. #}
        {{ first_rejection_reason([
            ['invalid_extract_date', 'extract_date is null or extract_date > ' ~ received_on()],
            ['unknown_code', 'opt_out_type is null'],
            ['type1_not_collected', 'opt_out_type = 1'],
            ['invalid_nhs_number', 'not nhs_number_is_valid'],
            ['invalid_recorded_date', "action = 'withdrawal' and not recorded_date_is_valid"],
        ]) }} as rejection_reason,
        -- R4: a Type 1 code, or a value that looks like one. When in doubt, keep no number
        -- (and R3: a malformed line, whose values landing_data_lines already dropped).
        (
            coalesce(coded.opt_out_type = 1, false)
            or type1_lookalike_rows.row_number is not null
            or coalesce(coded.has_wrong_column_count or coded.has_line_break or coded.has_stray_quote, false)
        ) as must_not_keep_nhs_number
    from coded
    left join type1_lookalike_rows
        on
            coded.source_file = type1_lookalike_rows.source_file
            and coded.row_number = type1_lookalike_rows.row_number
),

final as (
    select
        source_file,
        row_number,
        -- A row that must keep no number keeps no value as sent: any of them may hold it.
        case when not must_not_keep_nhs_number then extract_date_raw end as extract_date_raw,
        case when not must_not_keep_nhs_number then practice_code_raw end as practice_code_raw,
        case when not must_not_keep_nhs_number then nhs_number_raw end as nhs_number_raw,
        case when not must_not_keep_nhs_number then code_raw end as code_raw,
        case when not must_not_keep_nhs_number then recorded_date_raw end as recorded_date_raw,
        extract_date,
        case when not must_not_keep_nhs_number then practice_code end as practice_code,
        practice_code_is_valid,
        case when not must_not_keep_nhs_number and nhs_number_is_valid then nhs_number end as nhs_number,
        case when not must_not_keep_nhs_number or opt_out_type is not null then code end as code,
        code_system,
        opt_out_type,
        action,
        recorded_date,
        recorded_date_is_valid,
        rejection_reason
    from classified
)

select * from final
