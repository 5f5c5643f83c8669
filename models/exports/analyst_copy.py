"""Reading while building: after the marts are built and tested, copy every public mart
(`access: public`) and the reference seeds into `<warehouse>_analyst.duckdb` through
opt_out_io.analyst_copy, which swaps the copy into place atomically, and each public mart to
`<warehouse>_parquet/<mart>.parquet` when it changed. Lists the tables copied.

dbt orders a Python model by its literal refs, so the marts are named here; the on-run-start
check check_analyst_copy stops the build, naming what to add, when this list and the public
marts and reference seeds differ. release_manifest is copied as it stands when the copy is
taken: a release built later in the same run is in the next build's copy.
"""

from __future__ import annotations

from opt_out_io.analyst_copy import make_copy, warehouse_file, write_parquet


def model(dbt, session):
    dbt.config(materialized="table")
    # Every public mart and reference seed; the refs also order this model after each and its tests.
    # The marts also go to Parquet, each rewritten only when it changed.
    copied = {
        "opt_out_events": dbt.ref("opt_out_events"), "opt_out_periods": dbt.ref("opt_out_periods"),
        "current_opt_outs": dbt.ref("current_opt_outs"), "rejected_rows": dbt.ref("rejected_rows"),
        "rejected_files": dbt.ref("rejected_files"),
        "landing_file_reconciliation": dbt.ref("landing_file_reconciliation"),
        "practice_data_quality": dbt.ref("practice_data_quality"),
        "practice_opt_out_statistics": dbt.ref("practice_opt_out_statistics"),
        "ccg_opt_out_statistics": dbt.ref("ccg_opt_out_statistics"),
        "national_opt_out_statistics": dbt.ref("national_opt_out_statistics"),
        "sub_icb_opt_out_statistics": dbt.ref("sub_icb_opt_out_statistics"),
        "icb_opt_out_statistics": dbt.ref("icb_opt_out_statistics"),
        "region_opt_out_statistics": dbt.ref("region_opt_out_statistics"),
        "type2_opt_outs_by_age_gender": dbt.ref("type2_opt_outs_by_age_gender"),
        "nhs_number_change_conflicts": dbt.ref("nhs_number_change_conflicts"),
        "individual_gp_level_data": dbt.ref("individual_gp_level_data"),
        "gp_level_data_practice_report": dbt.ref("gp_level_data_practice_report"),
        "gp_level_data_collection_summary": dbt.ref("gp_level_data_collection_summary"),
        "opt_out_service_level": dbt.ref("opt_out_service_level"),
        "published_record_versions": dbt.ref("published_record_versions"),
        "opt_out_changes_waiting": dbt.ref("opt_out_changes_waiting"),
        "release_manifest": dbt.ref("release_manifest"), "release_audit": dbt.ref("release_audit"),
    }
    reference = {
        "opt_out_code_list": dbt.ref("opt_out_code_list"), "practices": dbt.ref("practices"), "ccgs": dbt.ref("ccgs"),
        "sub_icb_locations": dbt.ref("sub_icb_locations"),
        "practice_sub_icb_locations": dbt.ref("practice_sub_icb_locations"),
    }
    warehouse, encrypted = warehouse_file(session)
    # Nothing to copy beside an in-memory warehouse; an encrypted one is never copied into a plain file.
    if warehouse is None or encrypted:
        return session.sql("select cast(null as varchar) as table_name, cast(null as bigint) as rows, "
                           "cast(null as boolean) as parquet_written where false")
    parquet = dict(write_parquet(session, warehouse, list(copied)))
    values = ", ".join(f"('{name}', {rows}, {'null' if name not in parquet else str(parquet[name]).lower()})"
                       for name, rows in make_copy(session, warehouse, [*copied, *reference]))
    return session.sql("select table_name, cast(rows as bigint) as rows, parquet_written "
                       f"from (values {values}) as t(table_name, rows, parquet_written)")
