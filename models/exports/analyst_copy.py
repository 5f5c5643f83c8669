"""Reading while building: after the marts are built and tested, copy them (and the
reference data) into a fresh DuckDB file and swap it into
place atomically as `<warehouse>_analyst.duckdb`.

Analysts open that copy (read-only or not): they never hold a lock on the warehouse, so
they cannot block the monthly build, and the build never writes the file they have open —
an open connection keeps reading the previous copy until it reconnects. A Python model
because renaming a file is not SQL's job.
"""

from __future__ import annotations

import os
from pathlib import Path

TABLES = (
    "opt_out_events", "opt_out_periods", "current_opt_outs", "rejected_rows", "rejected_files",
    "landing_file_reconciliation", "practice_opt_out_statistics", "ccg_opt_out_statistics",
    "national_opt_out_statistics", "individual_gp_level_data",
    "gp_level_data_practice_report", "gp_level_data_collection_summary", "opt_out_code_list", "practices", "ccgs",
)


def model(dbt, session):
    dbt.config(materialized="table")
    # The refs order this model after each copied table and its tests (dbt needs literal refs).
    refs = [
        dbt.ref("opt_out_events"), dbt.ref("opt_out_periods"), dbt.ref("current_opt_outs"),
        dbt.ref("rejected_rows"), dbt.ref("rejected_files"), dbt.ref("landing_file_reconciliation"),
        dbt.ref("practice_opt_out_statistics"), dbt.ref("ccg_opt_out_statistics"),
        dbt.ref("national_opt_out_statistics"),
        dbt.ref("individual_gp_level_data"), dbt.ref("gp_level_data_practice_report"),
        dbt.ref("gp_level_data_collection_summary"),
        dbt.ref("opt_out_code_list"), dbt.ref("practices"), dbt.ref("ccgs"),
    ]
    assert len(refs) == len(TABLES)
    warehouse, encrypted = session.execute(
        "select path, encrypted from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0]
    # Nothing to copy beside an in-memory warehouse; and an encrypted warehouse is never
    # copied into a plain file.
    if not warehouse or encrypted:
        return session.sql("select cast(null as varchar) as table_name, cast(null as bigint) as rows where false")
    final = Path(warehouse).with_name(Path(warehouse).stem + "_analyst.duckdb")
    building = final.with_name(f".{final.name}.building")
    building.unlink(missing_ok=True)
    tables = TABLES
    session.execute(f"attach '{building}' as analyst_next")
    copied = []
    try:
        for table in tables:
            session.execute(f'create table analyst_next.main."{table}" as select * from main."{table}"')
            copied.append((table, session.execute(f'select count(*) from main."{table}"').fetchall()[0][0]))
    finally:
        session.execute("detach analyst_next")
    os.chmod(building, 0o600)
    os.replace(building, final)
    # Patient data: the warehouse itself is readable by its owner only.
    for path in (Path(warehouse), Path(warehouse + ".wal")):
        if path.exists():
            os.chmod(path, 0o600)
    values = ", ".join(f"('{name}', {rows})" for name, rows in copied)
    return session.sql(f"select table_name, cast(rows as bigint) as rows from (values {values}) as t(table_name, rows)")
