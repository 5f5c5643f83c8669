{{
    config(
        materialized=derived_history_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['nhs_number', 'opt_out_type', 'action', 'recorded_date_as_sent', 'recorded_date_is_valid'],
    )
}}
-- The accepted Type 2 rows of the historic record, compacted for R5 and R7: one row per
-- NHS number, code meaning and recorded date as sent (and whether it parsed as a valid
-- date), holding the first row that carried it — earliest extract_date, then practice code
-- (R6: UNKNOWN when malformed), file and line, the order R7 takes a practice from — and
-- when the warehouse first received a row of it on that extract date. Every later repeat
-- of the same value (a monthly full extract repeats every code) changes nothing that R5 or
-- R7 derive, so this table grows with patients, not with months.
-- Incremental (docs/rules.md §7): only rows received since the last build are read; a key
-- is rewritten only when one of them arrived first (a new code, or a late file with an
-- earlier extract_date); derived_at says which build rewrote it.
with

new_rows as (
    select
        nhs_number,
        opt_out_type,
        action,
        coalesce(trim(recorded_date_raw), '') as recorded_date_as_sent,
        recorded_date_is_valid,
        recorded_date,
        extract_date,
        {{ practice_code_or_unknown() }} as practice_code,
        source_file,
        row_number,
        received_at as first_received_at,
        true as is_new
    from {{ ref('int_opt_out_code_rows_received') }}
    where rejection_reason is null
    {%- if is_incremental() %}
        and received_at > {{ last_derived_at() }}
    {%- endif %}
),

candidates as (
    select * from new_rows
    {%- if is_incremental() %}
        union all
        select
            known.nhs_number,
            known.opt_out_type,
            known.action,
            known.recorded_date_as_sent,
            known.recorded_date_is_valid,
            known.recorded_date,
            known.extract_date,
            known.practice_code,
            known.source_file,
            known.row_number,
            known.first_received_at,
            false as is_new
        from {{ this }} as known
        where exists (
            select 1
            from new_rows
            where
                new_rows.nhs_number = known.nhs_number
                and new_rows.opt_out_type = known.opt_out_type
                and new_rows.action = known.action
                and new_rows.recorded_date_as_sent = known.recorded_date_as_sent
                and new_rows.recorded_date_is_valid = known.recorded_date_is_valid
        )
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by nhs_number, opt_out_type, action, recorded_date_as_sent, recorded_date_is_valid
            -- A row already known wins a tie with itself read again.
            order by extract_date, practice_code, source_file, row_number, is_new
        ) as arrival_order,
        min(first_received_at) over (
            partition by nhs_number, opt_out_type, action, recorded_date_as_sent, recorded_date_is_valid, extract_date
        ) as first_received_on_extract_date
    from candidates
),

first_arrivals as (
    select
        nhs_number,
        opt_out_type,
        action,
        recorded_date_as_sent,
        recorded_date_is_valid,
        recorded_date,
        extract_date,
        practice_code,
        source_file,
        row_number,
        first_received_on_extract_date as first_received_at,
        {{ build_started_at() }} as derived_at
    from ranked
    -- Keys whose first row is still the one known are left as they are.
    where arrival_order = 1 and is_new
)

select * from first_arrivals
