-- R14 inputs: codes of the GP-level feed. Type 1 codes are used; Type 2 codes are not
-- (type2_not_used). A Type 1 opt-out with a missing or bad recorded date still counts
-- (as before any collection); a withdrawal with one is ignored (invalid_recorded_date).
-- A view, never a table (R14).
{{ config(materialized='view') }}

with

staged as (
    select * from {{ ref('stg_landing__gp_level_data_opt_out_codes') }}
),

code_list as (
    select
        code,
        opt_out_type,
        action
    from {{ ref('opt_out_code_list') }}
),

classified as (
    select
        staged.source_file,
        staged.row_number,
        staged.nhs_number,
        code_list.action,
        staged.recorded_date,
        {{ first_rejection_reason([
            ['invalid_extract_date', 'staged.extract_date is null or staged.extract_date > ' ~ received_on()],
            ['unknown_code', 'code_list.opt_out_type is null'],
            ['type2_not_used', 'code_list.opt_out_type = 2'],
            ['invalid_nhs_number', 'not staged.nhs_number_is_valid'],
            ['invalid_recorded_date', "code_list.action = 'withdrawal' and staged.recorded_date is null"],
        ]) }} as rejection_reason
    from staged
    left join code_list on staged.code = code_list.code
)

select * from classified
