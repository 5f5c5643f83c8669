"""Operating the service (docs/rules.md §6): the 21-day promise measured with a simulated
clock, the enquiry command, practice data quality."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import reference
from warehouse import PROJECT_DIR, Warehouse, copy_project, demo_months

FAILING_CHECK = "-- A check on the opt-out record that fails.\nselect count(*) from {{ ref('current_opt_outs') }} having true\n"


@pytest.mark.slow
def test_the_21_day_promise_fails_on_a_breach_and_passes_otherwise(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    warehouse = Warehouse(tmp_path, project_dir=project)
    months = demo_months()
    warehouse.built_demo(months[:-1])

    # A new month arrives while a check fails: the record stays unpublished.
    failing = project / "tests" / "dbt" / "injected_failure.sql"
    failing.write_text(FAILING_CHECK)
    warehouse.land_demo(months[-1:])
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
        counts + "2025-07-01,A81001,1300,10\n2025-07-01,A81002,2000,26\n2025-07-01,A81003,500,5\n")
    warehouse.build()
    rows = {(str(m)[:7], p): rest for m, p, *rest in warehouse.query(
        "select reporting_month, practice_code, codes_received, counts_received, rows_landed, rows_rejected, "
        "rejected_by_reason, registered_patients_change, is_missing, is_late, is_high_reject_rate, "
        "is_outlying_change from practice_data_quality")}
    assert rows[("2025-06", "A81001")] == [True, True, 3, 1, "invalid_nhs_number: 1", None, False, True, True, False]
    assert rows[("2025-06", "A81003")] == [False, False, 0, 0, None, None, True, False, False, False]
    assert rows[("2025-07", "A81001")] == [True, True, 2, 0, None, 300, False, False, False, True]
    assert rows[("2025-07", "A81002")][:2] == [False, True] and not rows[("2025-07", "A81002")][6]
    # Type 1 count 20 -> 26: 30 % but 6 patients, under min_change (10): not worth a call.
    assert rows[("2025-07", "A81002")][9] is False


def run_enquiry(warehouse: Warehouse, number: str | None, *arguments: str) -> subprocess.CompletedProcess:
    """The enquiry as a script runs it: the number on standard input (a line), never in argv."""
    return subprocess.run([sys.executable, "-m", "opt_out_io", "enquiry", *arguments], cwd=PROJECT_DIR,
                          env=warehouse.env(), input=None if number is None else f"{number}\n",
                          capture_output=True, text=True, timeout=300)


def test_enquiry_answers_for_a_patient_and_writes_the_number_nowhere(demo_warehouse: Warehouse) -> None:
    number = demo_warehouse.query(
        "select nhs_number from opt_out_periods group by nhs_number having count(*) > 1 order by all limit 1")[0][0]
    given = f"{number[:3]} {number[3:6]}-{number[6:]}"
    log = PROJECT_DIR / "logs" / "dbt.log"
    log_before = log.read_bytes() if log.exists() else b""
    started = dt.datetime.now().timestamp()
    result = run_enquiry(demo_warehouse, given)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    events = demo_warehouse.query("select received_date, action, recorded_date from opt_out_events "
                                  f"where nhs_number = '{number}' order by all")
    assert f"Type 2 events received ({len(events)}):" in out
    for received, action, recorded in events:
        assert any(f"received {received}" in line and action in line and f"recorded {recorded}" in line
                   for line in out.splitlines()), (received, action)
    periods = demo_warehouse.query(f"select applied_from, applied_to from opt_out_periods where nhs_number = "
                                   f"'{number}' order by all")
    for applied_from, applied_to in periods:
        assert f"from {applied_from} to {applied_to or 'now (still applied)'}" in out
    versions = demo_warehouse.query("select count(*) from published_record_versions")[0][0]
    assert f"Published record versions that applied it: {versions}" in out
    written = (log.read_bytes() if log.exists() else b"")[len(log_before):]
    # Neither the number nor the text given (with its space and hyphen) reaches the console,
    # dbt's log or any file under target/ (run_results.json records the process's argv).
    for value in (number, given, number[:3] + " " + number[3:6]):
        assert value not in out + result.stderr and value.encode() not in written
        for path in (PROJECT_DIR / "target").rglob("*"):
            if path.is_file() and path.stat().st_mtime >= started:
                assert value.encode() not in path.read_bytes(), path


def test_enquiry_about_an_invalid_or_a_type1_only_number(demo_warehouse: Warehouse) -> None:
    invalid = run_enquiry(demo_warehouse, "943 476 5918")
    assert invalid.returncode != 0 and "enquiry: that is not a valid NHS number" in invalid.stderr
    assert "Traceback" not in invalid.stderr
    type1_only = sorted(reference.compute(demo_warehouse.landing).type1_nhs_numbers - {
        n for (n,) in demo_warehouse.query("select nhs_number from opt_out_events")})[0]
    answer = run_enquiry(demo_warehouse, type1_only)
    assert answer.returncode == 0
    assert "No Type 2 opt-out or withdrawal has been received for it. Type 1 codes sent in the Type 2 feed are " \
           "never stored (R4)" in answer.stdout


@pytest.mark.parametrize("arguments", [["9434765919"], ["943", "476", "5919"], ["--number", "9434765919"],
                                       ["--", "9434765919"]])
def test_enquiry_refuses_a_number_on_the_command_line(demo_warehouse: Warehouse, arguments: list[str]) -> None:
    """argv is in the process list, shell history and dbt's run_results.json: never read it."""
    started = dt.datetime.now().timestamp()
    result = run_enquiry(demo_warehouse, None, *arguments)
    assert result.returncode != 0
    assert result.stderr.startswith("enquiry: the NHS number is asked for when the enquiry runs, never taken "
                                    "from the command line")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not any(argument in result.stdout + result.stderr for argument in arguments if argument != "--")
    assert not any(path.is_file() and path.stat().st_mtime >= started for path in (PROJECT_DIR / "target").rglob("*"))


@pytest.mark.parametrize("given", ["", "   ", None])
def test_enquiry_with_no_number_given(demo_warehouse: Warehouse, given: str | None) -> None:
    result = subprocess.run([sys.executable, "-m", "opt_out_io", "enquiry"], cwd=PROJECT_DIR,
                            env=demo_warehouse.env(), input="" if given is None else f"{given}\n",
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and result.stderr.startswith("enquiry: no NHS number was given")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_summary_page_shows_the_service_level_and_flagged_practices(demo_warehouse: Warehouse) -> None:
    latest = demo_months()[-1]
    page = (demo_warehouse.publication / f"care_information_choices_{latest}_summary.html").read_text()
    received = demo_warehouse.query(
        "select strftime(extract_date, '%Y-%m'), count(*), count(*) filter (where within_21_days), "
        "count(*) filter (where first_applied_at is not null and not within_21_days), "
        "count(*) filter (where first_applied_at is null) from opt_out_service_level group by 1 order by 1")
    assert received
    for month, total, within, late, waiting in received:
        assert (f'<tr data-month="{month}"><td>{month}</td><td>{total:,}</td><td>{within:,}</td><td>{late:,}</td>'
                f'<td>{waiting:,}</td></tr>') in page
    flagged = {p for (p,) in demo_warehouse.query(
        f"select practice_code from practice_data_quality where reporting_month = '{latest}-01' and "
        "(is_missing or is_late or is_high_reject_rate or is_outlying_change)")}
    assert flagged and {p for p in flagged if f'<tr data-practice="{p}">' in page} == flagged
    assert page.count("<tr data-practice=") == len(flagged)
    # Type 1 and Type 2 opt-outs, not the national data opt-out (its 2018 successor service).
    assert "Type 1 and Type 2 opt-outs" in page and "national data opt-out" not in page.lower()
