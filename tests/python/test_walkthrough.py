"""The README walked as a newcomer walks it, on a fresh copy of the project (issue 20): a plain
`dbt build` (no make, no settings), the Quick start's `make demo`, the monthly operation on a
made-up new month, a patient's enquiry, the list check in both formats and the docs site in a
browser. Each step is the README's own command; the checks are what a person would look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from test_statistics import rendered
from warehouse import DBT, DEMO_LANDING, PROJECT_DIR, copy_project

MAKE = shutil.which("make")
NEW_PATIENT = "9000000084"   # synthetic, valid, in no demo file


def run(command: list[str], project: Path, env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=project, env=env, input=stdin, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-2000:])
    return result


@pytest.mark.slow
def test_the_readme_walked_end_to_end_on_a_fresh_clone(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "clone")
    (project / "warehouse").mkdir()
    shutil.copy(PROJECT_DIR / "warehouse" / "README.md", project / "warehouse" / "README.md")
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_PROFILES_DIR", "OPT_OUT_DUCKDB_PATH")}

    # Plain dbt build: no make, no DBT_PROFILES_DIR, no OPT_OUT_DUCKDB_PATH; the demo builds in warehouse/.
    result = run([DBT, "build"], project, env)
    assert (project / "warehouse" / "opt_out.duckdb").exists()
    assert "ERROR=0" in result.stdout and "SKIP=0" in result.stdout

    # Quick start: make demo (the virtualenv is this one's: -o, make installs nothing).
    (project / ".venv").symlink_to(PROJECT_DIR / ".venv")
    make = [MAKE, "--no-print-directory", "-o", ".venv/bin/dbt"]
    result = run(make + ["demo"], project, env)
    assert "Opt-out record published: version" in result.stdout

    # Monthly operation: land a new month (a new opt-out and the month's counts), build, check.
    landing = tmp_path / "landing"
    shutil.copytree(DEMO_LANDING, landing)
    codes = landing / "opt_out_codes" / "2025-11" / "A81001_2025-11-03.csv"
    codes.parent.mkdir()
    codes.write_text("extract_date,practice_code,nhs_number,code,recorded_date\n"
                     f"2025-11-03,A81001,{NEW_PATIENT},9Nu4,2025-10-20\n")
    counts = landing / "practice_counts" / "2025-11" / "practice_counts_2025-11-03.csv"
    counts.parent.mkdir()
    october = (DEMO_LANDING / "practice_counts" / "2025-10" / "practice_counts_2025-10-01.csv").read_text()
    counts.write_text(october.replace("2025-10-01", "2025-11-03"))
    monthly = {**env, "DBT_PROFILES_DIR": "."}
    result = run([str(project / ".venv" / "bin" / "dbt"), "build", "--vars", f"{{landing_dir: {landing}}}"],
                 project, monthly)
    assert "known to the extracts received up to 2025-11-03" in result.stdout
    with duckdb.connect(str(project / "warehouse" / "opt_out.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from rejected_files where source_file like '%2025-11%'").fetchone() == (0,)
        assert con.execute(f"select count(*) from current_opt_outs where nhs_number = '{NEW_PATIENT}'"
                           ).fetchone() == (1,)
        months = con.execute("select max(reporting_month) from national_opt_out_statistics").fetchone()[0]
    assert str(months) == "2025-11-01"
    assert (project / "publication" / "care_information_choices_2025-11_national.csv").exists()

    # The service: a patient's enquiry (the number typed, never on the command line).
    result = run(make + ["-s", "enquiry"], project, env, stdin=f"{NEW_PATIENT[:3]} {NEW_PATIENT[3:6]} {NEW_PATIENT[6:]}\n")
    assert "Type 2 events received (1):" in result.stdout and "now (still applied)" in result.stdout
    assert NEW_PATIENT not in result.stdout

    # The list check, CSV and MESH .dat: the new patient is removed, a free number kept.
    (tmp_path / "cohort.csv").write_text(f"nhs_number,study_id\n{NEW_PATIENT},1\n9434765919,2\n")
    (tmp_path / "cohort.dat").write_text(f"{NEW_PATIENT}\n9434765919\n")
    for suffix, line in (("csv", 2), ("dat", 1)):   # the input's line: a .dat file has no header
        result = run(make + ["check-list", f"INPUT={tmp_path / f'cohort.{suffix}'}",
                             f"OUTPUT={tmp_path / f'usable.{suffix}'}"], project, env)
        assert "1 opted out, 1 may be used" in result.stdout
        assert NEW_PATIENT not in (tmp_path / f"usable.{suffix}").read_text()
        assert "9434765919" in (tmp_path / f"usable.{suffix}").read_text()
        assert (tmp_path / "usable_refused.csv").read_text().splitlines()[1] == f"{line},opted_out"

    # The docs site, opened from disk in a browser.
    result = run(make + ["docs"], project, env)
    page = project / "target" / "static_index.html"
    assert str(page) in result.stdout
    assert len(set(re.findall(r'href="#!/model/model\.opt_out_warehouse\.(\w+)"', rendered(page)))) >= 5
