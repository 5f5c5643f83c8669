"""Operating the service (docs/rules.md §6): the 21-day promise measured with a simulated
clock, the enquiry command, practice data quality."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from warehouse import DEMO_LANDING, PROJECT_DIR, Warehouse, copy_project, demo_months

FAILING_CHECK = "-- A check on the opt-out record that fails.\nselect count(*) from {{ ref('current_opt_outs') }} having true\n"


def land_months(warehouse: Warehouse, months: list[str]) -> None:
    for month in months:
        for feed in ("opt_out_codes", "practice_counts"):
            warehouse.land(DEMO_LANDING / feed / month, f"{feed}/{month}")


@pytest.mark.slow
def test_the_21_day_promise_fails_on_a_breach_and_passes_otherwise(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    warehouse = Warehouse(tmp_path, project_dir=project)
    months = demo_months()
    land_months(warehouse, months[:-1])
    warehouse.build()

    # A new month arrives while a check fails: the record stays unpublished.
    failing = project / "tests" / "dbt" / "injected_failure.sql"
    failing.write_text(FAILING_CHECK)
    land_months(warehouse, months[-1:])
    today = warehouse.build(check=False)
    assert "OPT-OUT RECORD NOT PUBLISHED" in today.stdout
    assert "PASS none_waiting_longer_than_opt_out_changes_waiting_21" in today.stdout, "waiting, but not for long"
    assert "SERVICE LEVEL BREACHED" not in today.stdout
    waiting = warehouse.query("select count(*) from opt_out_changes_waiting")[0][0]
    assert waiting > 0

    # Five weeks later the record is still unpublished: the promise is broken, and said so.
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=35)).strftime("%Y-%m-%d %H:%M:%S")
    breach = warehouse.build(check=False, extra_vars={"service_level_clock": later})
    assert "FAIL 1 none_waiting_longer_than_opt_out_changes_waiting_21" in breach.stdout
    assert f"SERVICE LEVEL BREACHED: {waiting} received opt-out status changes have waited more than 21 days" \
        in breach.stdout
    warned = warehouse.build(check=False, extra_vars={"service_level_clock": later, "service_level_severity": "warn"})
    assert "WARN 1 none_waiting_longer_than_opt_out_changes_waiting_21" in warned.stdout

    # The check is fixed: the record is published and applies the changes — late, which this
    # build still reports — and from the next build on nothing waits and the test passes.
    failing.unlink()
    recovery = warehouse.build(check=False, extra_vars={"service_level_clock": later})
    assert "OPT-OUT RECORD NOT PUBLISHED" not in recovery.stdout
    assert f"SERVICE LEVEL BREACHED: {waiting} received" in recovery.stdout
    assert "The record this build published applies them now, late." in recovery.stdout
    warehouse.build(extra_vars={"service_level_clock": later})
    assert warehouse.query("select count(*) from opt_out_changes_waiting") == [(0,)]
    latest = f"{months[-1]}-01"
    rows = warehouse.query("select first_applied_at is not null, days_to_apply, within_21_days "
                           f"from opt_out_service_level where extract_date >= '{latest}'")
    assert len(rows) == waiting and all(applied and within for applied, _, within in rows)
    earlier = warehouse.query(f"select count(*) from opt_out_service_level where extract_date < '{latest}' "
                              "and not within_21_days")
    assert earlier == [(0,)]


def test_practice_data_quality_flags(warehouse: Warehouse) -> None:
    """A crafted landing area: A81001 sends late in June with half its codes rows bad, then a
    list size 30 % larger in July; A81003, valid all along, sends nothing in June."""
    codes = "extract_date,practice_code,nhs_number,code,recorded_date\n"
    counts = "extract_date,practice_code,registered_patients,type1_opt_outs\n"
    (warehouse.landing / "opt_out_codes").mkdir()
    (warehouse.landing / "practice_counts").mkdir()
    (warehouse.landing / "opt_out_codes" / "A81001_2025-06-15.csv").write_text(
        codes + "2025-06-15,A81001,9434765919,9Nu4,2025-06-01\n2025-06-15,A81001,9434765918,9Nu4,2025-06-01\n")
    (warehouse.landing / "opt_out_codes" / "A81001_2025-07-01.csv").write_text(
        codes + "2025-07-01,A81001,9434765919,9Nu4,2025-06-01\n")
    (warehouse.landing / "opt_out_codes" / "A81003_2025-07-01.csv").write_text(
        codes + "2025-07-01,A81003,9000000017,9Nu4,2025-06-01\n")
    (warehouse.landing / "practice_counts" / "2025-06-15.csv").write_text(
        counts + "2025-06-15,A81001,1000,10\n2025-06-15,A81002,2000,20\n")
    (warehouse.landing / "practice_counts" / "2025-07-01.csv").write_text(
        counts + "2025-07-01,A81001,1300,10\n2025-07-01,A81002,2000,20\n2025-07-01,A81003,500,5\n")
    warehouse.build()
    rows = {(str(m)[:7], p): rest for m, p, *rest in warehouse.query(
        "select reporting_month, practice_code, codes_received, counts_received, rows_landed, rows_rejected, "
        "rejected_by_reason, registered_patients_change, is_missing, is_late, is_high_reject_rate, "
        "is_outlying_change from practice_data_quality")}
    assert rows[("2025-06", "A81001")] == [True, True, 3, 1, "invalid_nhs_number: 1", None, False, True, True, False]
    assert rows[("2025-06", "A81003")] == [False, False, 0, 0, None, None, True, False, False, False]
    assert rows[("2025-07", "A81001")] == [True, True, 2, 0, None, 300, False, False, False, True]
    assert rows[("2025-07", "A81002")][:2] == [False, True] and not rows[("2025-07", "A81002")][6]
