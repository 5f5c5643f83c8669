{#- Lines of an opt-out codes feed (docs/rules.md §1: opt_out_codes/ and gp_level_data/opt_out_codes/,
    same columns) whose file has the expected header, typed and normalised: NHS number (R1),
    code (R2), dates (R5 parsing), practice code (R6). Flags only; no rule decides here. -#}
{% macro stage_opt_out_code_lines(source_relation, feed) %}
with

source as (
    select * from {{ source_relation }}
),

data_rows as (
    {{ landing_data_lines('source', feed) }}
),

normalised as (
    select
        source_file,
        row_number,
        extract_date_raw,
        practice_code_raw,
        nhs_number_raw,
        code_raw,
        recorded_date_raw,
        has_wrong_column_count,
        has_line_break,
        has_stray_quote,
        {{ parse_iso_date('extract_date_raw') }} as extract_date,
        {{ normalise_practice_code('practice_code_raw') }} as practice_code,
        {{ normalise_nhs_number('nhs_number_raw') }} as nhs_number,
        {{ normalise_code('code_raw') }} as code,
        {{ parse_iso_date('recorded_date_raw') }} as recorded_date
    from data_rows
),

-- R1: the number as an integer once, then its check digit (cheaper than re-parsing).
as_number as (
    select
        *,
        {{ nhs_number_as_bigint('nhs_number') }} as nhs_number_as_bigint
    from normalised
),

flagged as (
    select
        *,
        {{ is_valid_practice_code('practice_code') }} as practice_code_is_valid,
        {{ is_valid_nhs_number('nhs_number', as_bigint='nhs_number_as_bigint') }} as nhs_number_is_valid
    from as_number
)

select * from flagged
{% endmacro %}
