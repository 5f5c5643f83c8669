-- Write-audit-publish gate: the checks that span more than one model of the opt-out record,
-- one row each with its number of failures (counts only, never a number). Both published
-- tables read this model, so every test on it and on everything upstream of it — single-
-- model, multi-model, unit and singular — must pass before the record is published; a
-- failure leaves the last published record in force. Its own test: all_checks_pass.
with

-- R9 = R10: a patient is a current opt-out iff their last period is still open.
open_periods as (
    select nhs_number from {{ ref('opt_out_periods') }}
    where applied_to is null
),

current_record as (
    select nhs_number from {{ ref('current_opt_outs') }}
),

current_without_open_period as (
    select nhs_number from current_record
    except
    select nhs_number from open_periods
),

open_period_without_current as (
    select nhs_number from open_periods
    except
    select nhs_number from current_record
),

-- R3: for every landed file, rows in = rows received = rows accepted + rows rejected.
unreconciled_files as (
    select source_file
    from {{ ref('landing_file_reconciliation') }}
    where
        rows_received <> rows_accepted + rows_rejected
        or (is_in_landing and rows_in_landing <> rows_received)
),

checks as (
    select
        'current_opt_outs_match_open_periods' as check_name,
        (select count(*) from current_without_open_period)
        + (select count(*) from open_period_without_current) as failures
    union all
    select
        'landed_rows_reconcile' as check_name,
        (select count(*) from unreconciled_files) as failures
    {{ snapshot_agreement_check('current_record') }}
)

select
    check_name,
    cast(failures as bigint) as failures
from checks
