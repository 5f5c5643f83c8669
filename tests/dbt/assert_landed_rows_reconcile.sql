-- R3 reconciliation: for every landed file, rows in = rows received into the historic
-- record = rows accepted + rows rejected. Returns the files that do not reconcile.
select
    feed,
    source_file,
    rows_in_landing,
    rows_received,
    rows_accepted,
    rows_rejected
from {{ ref('landing_file_reconciliation') }}
where
    rows_received <> rows_accepted + rows_rejected
    or (is_in_landing and rows_in_landing <> rows_received)
