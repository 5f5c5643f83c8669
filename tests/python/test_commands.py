"""The make targets that take a person's input (README): what reaches a shell, argv and disk,
and the as_of check every release and the list check go through."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from warehouse import DBT, PROJECT_DIR, Warehouse

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def run_make(warehouse: Warehouse, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess:
    # -o: the virtualenv is taken as it is (make never reinstalls it during a test).
    return subprocess.run([MAKE, "--no-print-directory", "-s", "-o", ".venv/bin/dbt", *arguments], cwd=PROJECT_DIR,
                          env=warehouse.env(), input=stdin, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "`touch {marker}`", "$(shell touch {marker})",
                                   "'; touch {marker}; '"])
def test_make_enquiry_refuses_a_number_on_its_command_line(demo_warehouse: Warehouse, tmp_path: Path,
                                                           value: str) -> None:
    marker = tmp_path / "ran"
    value = value.format(marker=marker)
    for how in ("command line", "environment"):
        if how == "environment":
            result = subprocess.run([MAKE, "-s", "-o", ".venv/bin/dbt", "enquiry"], cwd=PROJECT_DIR,
                                    env={**demo_warehouse.env(), "NHS_NUMBER": value}, input="", capture_output=True,
                                    text=True, timeout=300)
        else:
            result = run_make(demo_warehouse, "enquiry", f"NHS_NUMBER={value}")
        assert result.returncode != 0, how
        assert "make enquiry takes no NHS_NUMBER: the number is asked for when the enquiry runs, never taken from " \
               "the command line" in result.stderr
        assert value not in result.stdout + result.stderr and "9434765919" not in result.stdout + result.stderr
        assert not marker.exists(), "a value given to make reached a shell"


def test_make_enquiry_reads_the_number_from_standard_input(demo_warehouse: Warehouse) -> None:
    number = demo_warehouse.query("select nhs_number from opt_out_events order by all limit 1")[0][0]
    started = dt.datetime.now().timestamp()
    result = run_make(demo_warehouse, "enquiry", stdin=f"{number}\n")
    assert result.returncode == 0, result.stderr
    assert "Type 2 events received (" in result.stdout
    assert number not in result.stdout + result.stderr
    for path in (PROJECT_DIR / "target").rglob("*"):
        if path.is_file() and path.stat().st_mtime >= started:
            assert number.encode() not in path.read_bytes(), path


def test_make_check_list_with_nothing_given(demo_warehouse: Warehouse) -> None:
    result = run_make(demo_warehouse, "check-list")
    assert result.returncode != 0
    assert "check-list: give the list to check: make check-list INPUT=list.csv OUTPUT=usable.csv (or python -m " \
           "opt_out_io check-list INPUT OUTPUT)." in result.stderr


def test_make_check_list_passes_file_names_to_no_shell(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """A file name is a file name: quotes, $ and backticks in it are never run."""
    marker = f"ran-{uuid.uuid4().hex}"   # a shell running the name would create it where make runs
    folder = tmp_path / f"it's \"a\" $(touch {marker}) `touch {marker}` $$HOME ${{PATH}}"
    folder.mkdir()
    (folder / "list $1.csv").write_text("nhs,note\n9434765919,x\n")
    try:
        result = run_make(demo_warehouse, "check-list", f"INPUT={folder / 'list $1.csv'}",
                          f"OUTPUT={folder / 'usable.csv'}", "COLUMN=nhs")
        assert not (PROJECT_DIR / marker).exists(), "a file name given to make reached a shell"
    finally:
        (PROJECT_DIR / marker).unlink(missing_ok=True)
    assert result.returncode == 0, result.stderr
    assert (folder / "usable.csv").read_text().splitlines() == ["nhs,note", "9434765919,x"]


def compile_inline(tmp_path: Path, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run([DBT, "compile", "--target", "offline", "--inline", sql, "--target-path",
                           str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
                          cwd=PROJECT_DIR, env={**Warehouse(tmp_path).env()}, capture_output=True, text=True,
                          timeout=300)


VALID = ["2024-02-29", "2000-02-29", "2025-02-28", "2025-12-31", "2025-04-30", "0001-01-01", "9999-12-31"]
INVALID = ["2025-02-30", "2025-02-29", "1900-02-29", "2100-02-29", "2025-04-31", "2025-06-31", "2025-09-31",
           "2025-11-31", "2025-13-01", "2025-00-01", "2025-01-00", "2025-01-32", "0000-01-01", "2025-1-1",
           "01/02/2025", "2025-01-01x"]


def test_validated_as_of_takes_only_real_calendar_dates(tmp_path: Path) -> None:
    """One compile answers for every case; then the sentence a release or the list check gets."""
    checks = " ".join(f"[{{{{ is_calendar_date('{d}') }}}}]" for d in VALID + INVALID)
    result = compile_inline(tmp_path, f"select '{{{{ validated_as_of('2024-02-29') }}}}' -- {checks}")
    assert result.returncode == 0, result.stdout
    assert "select '2024-02-29' -- " + " ".join(["[True]"] * len(VALID) + ["[False]"] * len(INVALID)) \
        in result.stdout
    refused = compile_inline(tmp_path, "{{ validated_as_of('2025-02-30') }}")
    assert refused.returncode != 0
    assert "apply_opt_outs: as_of '2025-02-30' is not a calendar date written 'YYYY-MM-DD'" in refused.stdout


def test_source_freshness_warns_on_the_demo_and_fails_on_real_data(tmp_path: Path) -> None:
    """The shipped demo data is old on purpose: `dbt source freshness` warns there and exits 0;
    on any other landing area the 65-day error stands (README, Monthly operation)."""
    warehouse = Warehouse(tmp_path)
    tmp_path.joinpath("demo_data").symlink_to(PROJECT_DIR / "demo_data")
    demo = warehouse.dbt("source", "freshness", check=False, extra_vars={"landing_dir": "demo_data/landing"})
    assert demo.returncode == 0 and "WARN freshness of landing.opt_out_codes" in demo.stdout, demo.stdout[-2000:]
    warehouse.land(PROJECT_DIR / "demo_data" / "landing")
    real = warehouse.dbt("source", "freshness", check=False)
    assert real.returncode != 0 and "ERROR STALE freshness of landing.opt_out_codes" in real.stdout, real.stdout[-2000:]


def test_spark_demo_without_java_is_one_sentence(tmp_path: Path) -> None:
    """No Java on the machine: make spark-demo says what to install instead of a PySpark traceback."""
    bin_dir = tmp_path / "bin"  # a PATH with a shell and nothing else
    bin_dir.mkdir()
    for tool in ("sh", "bash"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    env = {**Warehouse(tmp_path).env(), "PATH": str(bin_dir)}
    env.pop("JAVA_HOME", None)
    result = subprocess.run([MAKE, "--no-print-directory", "-s", "-o", ".venv/bin/dbt", "spark-demo"], cwd=PROJECT_DIR,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "make spark-demo needs Java 17 for Spark: install it (apt-get install openjdk-17-jre-headless)" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def installed_requirements(*targets: str) -> set[str]:
    """The requirement files `make` would install for `targets` on a fresh machine (a dry run)."""
    result = subprocess.run([MAKE, "--no-print-directory", "-n", "-B", *targets], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return {line.split(" -r ", 1)[1].strip() for line in result.stdout.splitlines() if "pip install" in line and " -r " in line}


def pinned(path: str) -> set[str]:
    lines = (PROJECT_DIR / path).read_text().splitlines()
    return {line.split("==")[0].split("[")[0].lower() for line in lines if "==" in line}


def test_the_quick_start_installs_only_what_embedded_duckdb_needs() -> None:
    """Issue 20: make demo installs dbt-core, dbt-duckdb and duckdb; each other engine, MetricFlow
    and the test tools come with the target that uses them, and make test installs them all."""
    assert installed_requirements("demo") == {"requirements.txt"}
    assert pinned("requirements.txt") == {"dbt-core", "dbt-duckdb", "duckdb"}
    assert installed_requirements("postgres-demo") == {"requirements.txt", "requirements/postgres.txt"}
    assert installed_requirements("setup-metricflow") == {"requirements.txt", "requirements/metricflow.txt"}
    assert "requirements/test.txt" in installed_requirements("test")
    test_set = (PROJECT_DIR / "requirements/test.txt").read_text()
    for engine in ("postgres.txt", "spark.txt", "metricflow.txt"):
        assert f"-r {engine}" in test_set, "CI tests every engine"
    assert {"pyspark", "dbt-spark"} <= pinned("requirements/spark.txt")
    assert {"dbt-postgres", "psycopg2-binary"} <= pinned("requirements/postgres.txt")
