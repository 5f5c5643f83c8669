"""Reading while building: after the marts are built and tested, copy them (and the
reference data) into `<warehouse>_analyst.duckdb` through opt_out_io.analyst_copy, which
swaps the copy into place atomically. Lists the tables copied.
"""

from __future__ import annotations

from opt_out_io.analyst_copy import make_copy, warehouse_file


def model(dbt, session):
    dbt.config(materialized="table")
    # The refs order this model after each copied table and its tests (dbt needs literal refs).
    tables = {
        "opt_out_events": dbt.ref("opt_out_events"), "opt_out_periods": dbt.ref("opt_out_periods"),
        "current_opt_outs": dbt.ref("current_opt_outs"), "rejected_rows": dbt.ref("rejected_rows"),
        "rejected_files": dbt.ref("rejected_files"),
        "landing_file_reconciliation": dbt.ref("landing_file_reconciliation"),
        "practice_opt_out_statistics": dbt.ref("practice_opt_out_statistics"),
        "ccg_opt_out_statistics": dbt.ref("ccg_opt_out_statistics"),
        "national_opt_out_statistics": dbt.ref("national_opt_out_statistics"),
        "individual_gp_level_data": dbt.ref("individual_gp_level_data"),
        "gp_level_data_practice_report": dbt.ref("gp_level_data_practice_report"),
        "gp_level_data_collection_summary": dbt.ref("gp_level_data_collection_summary"),
        "opt_out_code_list": dbt.ref("opt_out_code_list"), "practices": dbt.ref("practices"), "ccgs": dbt.ref("ccgs"),
    }
    warehouse, encrypted = warehouse_file(session)
    # Nothing to copy beside an in-memory warehouse; an encrypted one is never copied into a plain file.
    if warehouse is None or encrypted:
        return session.sql("select cast(null as varchar) as table_name, cast(null as bigint) as rows where false")
    copied = make_copy(session, warehouse, list(tables))
    values = ", ".join(f"('{name}', {rows})" for name, rows in copied)
    return session.sql(f"select table_name, cast(rows as bigint) as rows from (values {values}) as t(table_name, rows)")
