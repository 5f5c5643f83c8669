"""Releases (docs/rules.md §4, R15), their governance, the list check, and Type 1 at the point of
collection (R14), end to end."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest
import reference
from warehouse import DBT, DEMO_LANDING, PROJECT_DIR, DbtFailed, Warehouse, copy_project

DEMO_EPISODES = PROJECT_DIR / "demo_data" / "releases" / "hospital_episodes.csv"


def episodes() -> list[dict[str, str]]:
    with DEMO_EPISODES.open(newline="") as handle:
        return list(csv.DictReader(handle))


def expected_release(ref: reference.Reference, as_of: date | None) -> set[str]:
    """Episode ids a release keeps: valid number, not opted out as known at as_of (R15)."""
    latest = max(e["received_date"] for e in ref.events.values())
    kept = set()
    for row in episodes():
        number = reference.normalise_nhs_number(row["nhs_number"])
        # SPEC §9: a superseded number is its patient's (the number they are known by now), and
        # a number joined to an opted-out one by a link left in conflict is withheld.
        if reference.is_valid_nhs_number(number) and not ref.withheld_at(number, as_of or latest):
            kept.add(row["episode_id"])
    return kept


@pytest.mark.parametrize(
    ("release", "as_of"),
    [("release_hes_research_extract", None), ("release_hes_research_extract_2025_09_01", date(2025, 9, 1))],
)
def test_demo_releases_match_reference(demo_warehouse: Warehouse, release: str, as_of: date | None) -> None:
    ref = reference.compute(demo_warehouse.landing)
    kept = {r[0] for r in demo_warehouse.query(f"select episode_id from releases.{release}")}
    assert kept == expected_release(ref, as_of)
    assert 0 < len(kept) < len(episodes())


def test_point_in_time_release_differs_from_current(demo_warehouse: Warehouse) -> None:
    current = demo_warehouse.query("select count(*) from releases.release_hes_research_extract")
    as_of = demo_warehouse.query("select count(*) from releases.release_hes_research_extract_2025_09_01")
    assert current != as_of, "demo data should make the as_of release differ from the current one"


def test_exempt_release_keeps_everything(demo_warehouse: Warehouse) -> None:
    assert demo_warehouse.query("select count(*) from releases.release_hes_cancer_registration")[0][0] == len(episodes())


def test_release_audit_counts(demo_warehouse: Warehouse) -> None:
    rows = demo_warehouse.query(
        "select release_name, opt_outs, exemption, rows_in, rows_out, rows_removed, patients_removed, "
        "rows_without_nhs_number, as_of from release_audit order by release_name"
    )
    ref = reference.compute(demo_warehouse.landing)
    total = len(episodes())
    invalid = sum(1 for r in episodes()
                  if not reference.is_valid_nhs_number(reference.normalise_nhs_number(r["nhs_number"])))
    current = expected_release(ref, None)
    latest = max(e["received_date"] for e in ref.events.values())
    # SPEC §9: a patient once, whichever numbers of their chain their rows carry.
    removed_patients = {
        ref.patient(reference.normalise_nhs_number(r["nhs_number"])) for r in episodes()
        if reference.is_valid_nhs_number(reference.normalise_nhs_number(r["nhs_number"]))
        and ref.withheld_at(reference.normalise_nhs_number(r["nhs_number"]), latest)
    }
    assert rows[0] == ("release_hes_cancer_registration", "exempt", "national_cancer_registration",
                       total, total, 0, 0, None, None)
    assert rows[1] == ("release_hes_research_extract", "applied", None, total, len(current),
                       total - len(current), len(removed_patients), invalid, latest)
    assert rows[2][8] == date(2025, 9, 1)


RELEASE_SQL = "select * from {{ ref('hospital_episodes') }}"
APPLIED_SQL = "{{ apply_opt_outs(ref('hospital_episodes')) }}"


@pytest.mark.parametrize(
    ("case", "sql", "meta", "tests", "message"),
    [
        ("no_declaration", RELEASE_SQL, {"purpose": "p", "recipient": "r"}, [], "must declare meta.opt_outs"),
        ("unknown_exemption", RELEASE_SQL,
         {"purpose": "p", "recipient": "r", "opt_outs": "exempt", "exemption": "because", "exemption_reason": "x"},
         [], "unknown ground 'because'"),
        ("exempt_without_reason", RELEASE_SQL,
         {"purpose": "p", "recipient": "r", "opt_outs": "exempt", "exemption": "anonymised"}, [],
         "gives no exemption_reason"),
        ("applied_without_macro", RELEASE_SQL, {"purpose": "p", "recipient": "r", "opt_outs": "applied"},
         ["no_opted_out_patients"], "does not call apply_opt_outs"),
        ("applied_without_test", APPLIED_SQL, {"purpose": "p", "recipient": "r", "opt_outs": "applied"}, [],
         "has no no_opted_out_patients test"),
        ("no_purpose", APPLIED_SQL, {"recipient": "r", "opt_outs": "applied"}, ["no_opted_out_patients"],
         "declares no meta.purpose"),
    ],
)
def test_release_governance_fails_the_build_naming_the_model(
    tmp_path: Path, case: str, sql: str, meta: dict, tests: list[str], message: str
) -> None:
    project = copy_project(tmp_path / "project")
    name = f"release_bad_{case}"
    (project / "models" / "releases" / f"{name}.sql").write_text(sql + "\n")
    meta_yaml = "\n".join(f"        {k}: {v}" for k, v in meta.items())
    tests_yaml = ("    data_tests:\n" + "\n".join(f"      - {t}" for t in tests)) if tests else ""
    (project / "models" / "releases" / f"{name}.yml").write_text(
        f"version: 2\nmodels:\n  - name: {name}\n    config:\n      meta:\n{meta_yaml}\n{tests_yaml}\n"
    )
    warehouse = Warehouse(tmp_path, project_dir=project)
    warehouse.landing.mkdir()
    with pytest.raises(DbtFailed) as failure:
        warehouse.build("--select", "ccgs")
    assert name in str(failure.value) and message in str(failure.value)


def test_a_new_release_is_audited_without_being_listed(tmp_path: Path) -> None:
    """docs/rules.md §4: every release is in release_audit. A release is one SQL file and one YAML
    entry; its audit row comes from the graph (the releases' post-hook), not a hand list."""
    project = copy_project(tmp_path / "project")
    (project / "models" / "releases" / "release_unlisted.sql").write_text(APPLIED_SQL + "\n")
    (project / "models" / "releases" / "release_unlisted.yml").write_text(textwrap.dedent("""\
        version: 2
        models:
          - name: release_unlisted
            config:
              meta: {purpose: p, recipient: r, opt_outs: applied}
            data_tests: [no_opted_out_patients]
        """))
    warehouse = Warehouse(tmp_path, project_dir=project)
    warehouse.land(DEMO_LANDING)
    warehouse.build()
    audited = warehouse.query(
        "select rows_in, rows_out from release_audit where release_name = 'release_unlisted'")
    released = warehouse.query("select count(*) from releases.release_unlisted")[0][0]
    assert audited == [(len(episodes()), released)]
    assert released < len(episodes())
    manifest = warehouse.query("select count(*) from release_manifest where release_name = 'release_unlisted'")
    assert manifest == [(1,)]


def test_no_opted_out_patients_test_catches_a_leaking_release(tmp_path: Path) -> None:
    """A release that calls the macro but adds rows back is caught by its data test."""
    project = copy_project(tmp_path / "project")
    release = project / "models" / "releases" / "release_hes_research_extract.sql"
    release.write_text(APPLIED_SQL + "\nunion all\nselect * from {{ ref('hospital_episodes') }}\n")
    warehouse = Warehouse(tmp_path, project_dir=project)
    warehouse.land(DEMO_LANDING)
    result = warehouse.build(check=False)
    assert result.returncode != 0
    assert "FAIL" in result.stdout and "no_opted_out_patients_release_hes_research_extract" in result.stdout


def test_check_a_list(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """The documented list check: usable rows written back, invalid numbers counted per row."""
    opted_out = demo_warehouse.query("select nhs_number from current_opt_outs order by nhs_number limit 2")
    free = "9000000009"
    assert free not in {n for (n,) in demo_warehouse.query("select nhs_number from current_opt_outs")}
    listed = tmp_path / "list.csv"
    rows = [[free, "keep me"], [f"{free[:3]} {free[3:6]} {free[6:]}", "spaced"], [opted_out[0][0], "opted out"],
            [f"{opted_out[1][0][:3]}-{opted_out[1][0][3:]}", "opted out, hyphen"], ["", "missing"],
            ["9000000008", "bad check digit"], ["not a number", "junk"]]
    with listed.open("w", newline="") as handle:
        csv.writer(handle).writerows([["nhs_number", "note"], *rows])
    output = tmp_path / "usable.csv"
    result = subprocess.run([sys.executable, "-m", "opt_out_io", "check-list", str(listed), str(output)],
                            cwd=PROJECT_DIR, env=demo_warehouse.env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with output.open(newline="") as handle:
        usable = [row["note"] for row in csv.DictReader(handle)]
    assert sorted(usable) == ["keep me", "spaced"]
    assert "7 rows read, 0 unreadable (not UTF-8, or the wrong number of values), 3 with a missing or invalid NHS number, 2 opted out, 2 may be used" in result.stdout
    assert opted_out[0][0] not in result.stdout


def gp_reference(landing: Path) -> tuple[set[str], set[str]]:
    """R14 read straight from the demo files: (collected numbers, excluded numbers)."""
    codes = reference.load_code_list()
    by_patient: dict[str, list[tuple[date | None, str]]] = {}
    for _, _, values, _ in reference.read_feed(landing, "gp_level_data/opt_out_codes", reference.CODES_COLUMNS):
        extract, _, raw_nhs, raw_code, raw_recorded = values
        meaning = codes.get(reference.normalise_code(raw_code) or "")
        number = reference.normalise_nhs_number(raw_nhs)
        if reference.parse_date(extract) and meaning and meaning[0] == 1 and reference.is_valid_nhs_number(number):
            recorded = reference.parse_date(raw_recorded)
            if recorded is None and meaning[1] == "withdrawal":
                continue
            by_patient.setdefault(number, []).append((recorded, meaning[1]))
    collected, excluded = set(), set()
    for _, _, values, _ in reference.read_feed(landing, "gp_level_data/patients",
                                              ["collection_date", "practice_code", "nhs_number", "usual_gp_code"]):
        when = reference.parse_date(values[0])
        number = reference.normalise_nhs_number(values[2])
        practice = reference.normalise_practice(values[1])
        if when is None or not reference.is_valid_nhs_number(number) or len(practice) != 6:
            continue
        before = [(d or date.fromordinal(when.toordinal() - 1), a) for d, a in by_patient.get(number, [])
                  if d is None or d < when]
        if before and max(before, key=lambda e: (e[0], e[1] == "opt_out"))[1] == "opt_out":
            excluded.add(number)
        else:
            collected.add(number)
    return collected, excluded


def test_type1_opt_outs_upheld_at_collection(demo_warehouse: Warehouse) -> None:
    collected, excluded = gp_reference(demo_warehouse.landing)
    assert excluded and collected
    assert {n for (n,) in demo_warehouse.query("select nhs_number from individual_gp_level_data")} == collected


def test_excluded_patients_are_written_to_no_table(demo_warehouse: Warehouse) -> None:
    """R14: scan every table of the warehouse for the excluded patients' numbers."""
    _, excluded = gp_reference(demo_warehouse.landing)
    stored = demo_warehouse.all_text_values()
    assert not {n for n in excluded if any(n in value for value in stored)}


def test_a_release_over_integer_nhs_numbers_and_a_wrongly_typed_column(tmp_path: Path) -> None:
    """R15: NHS numbers held as integers (common in real datasets) are matched like text;
    a column of another type is one sentence naming it and its type."""
    project = copy_project(tmp_path / "project")
    usable = [row for row in episodes()
              if reference.is_valid_nhs_number(reference.normalise_nhs_number(row["nhs_number"]))]
    with (project / "seeds" / "integer_episodes.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["episode_id", "nhs_number", "admission_date"])
        writer.writerows([r["episode_id"], reference.normalise_nhs_number(r["nhs_number"]), r["admission_date"]]
                         for r in usable)
    (project / "seeds" / "integer_episodes.yml").write_text(textwrap.dedent("""\
        version: 2
        seeds:
          - name: integer_episodes
            config:
              column_types: {episode_id: varchar, nhs_number: bigint, admission_date: date}
        """))
    (project / "models" / "releases" / "release_integer_numbers.sql").write_text(
        "{{ apply_opt_outs(ref('integer_episodes')) }}\n")
    (project / "models" / "releases" / "release_integer_numbers.yml").write_text(textwrap.dedent("""\
        version: 2
        models:
          - name: release_integer_numbers
            config:
              meta: {purpose: p, recipient: r, opt_outs: applied}
            data_tests: [no_opted_out_patients]
        """))
    warehouse = Warehouse(tmp_path, project_dir=project)
    warehouse.land(DEMO_LANDING)
    warehouse.build()
    assert warehouse.query("select data_type from information_schema.columns where table_name = 'integer_episodes' "
                           "and column_name = 'nhs_number'") == [("BIGINT",)]
    kept = {r[0] for r in warehouse.query("select episode_id from releases.release_integer_numbers")}
    assert kept == expected_release(reference.compute(warehouse.landing), None)
    assert warehouse.query("select rows_removed > 0 from release_audit where release_name = 'release_integer_numbers'"
                           ) == [(True,)]

    (project / "models" / "releases" / "release_integer_numbers.sql").write_text(
        "{{ apply_opt_outs(ref('integer_episodes'), nhs_number_column='admission_date') }}\n")
    result = warehouse.build("--select", "release_integer_numbers", check=False)
    assert result.returncode != 0
    assert "column 'admission_date' of" in result.stdout and "is date; NHS numbers must be held as text or as " \
        "whole numbers" in result.stdout


def run_check_list(warehouse: Warehouse, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opt_out_io", "check-list", *args], cwd=PROJECT_DIR,
                          env=warehouse.env(), capture_output=True, text=True, timeout=300)


def test_check_list_reads_row_by_row_and_prints_no_number(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """A byte that is not UTF-8, or a malformed line, deep in the list costs that row only,
    and no number reaches the console, dbt's log or target/."""
    opted_out = demo_warehouse.query("select nhs_number from published.published_current_opt_outs order by all")[0][0]
    free = next(n for n in ("9434765919", "9000000017", "9000000025") if not demo_warehouse.query(
        f"select 1 from published.published_opt_out_periods where nhs_number = '{n}'"))
    listed = tmp_path / "list.csv"
    listed.write_bytes(b"nhs_number,note\n" + f"{free},fine\n".encode() * 50 + f"{opted_out},caf\xe9\n".encode("latin-1")
                       + f"{free},too,many\n".encode() + f"{free},last\n".encode())
    output = tmp_path / "usable.csv"
    log = PROJECT_DIR / "logs" / "dbt.log"
    log_before = log.read_bytes() if log.exists() else b""
    result = run_check_list(demo_warehouse, str(listed), str(output))
    assert result.returncode == 0, result.stderr
    assert "53 rows read, 2 unreadable (not UTF-8, or the wrong number of values), 0 with a missing or invalid " \
           "NHS number, 0 opted out, 51 may be used" in result.stdout
    assert len(output.read_text().splitlines()) == 52
    written = (log.read_bytes() if log.exists() else b"")[len(log_before):]
    for number in (opted_out, free):
        assert number not in result.stdout + result.stderr
        assert number.encode() not in written
        for path in (PROJECT_DIR / "target").rglob("*"):
            if path.is_file() and path.stat().st_mtime >= listed.stat().st_mtime:
                assert number.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(("case", "content", "message"), [
    ("empty", b"", "the input is empty"),
    ("no_column", b"nhs,note\n9434765919,x\n", "the header row has no column named 'nhs_number' (2 columns)"),
    ("semicolons", b"nhs_number;note\n9434765919;x\n", "is the file separated by something other than commas?"),
    ("same_file", b"nhs_number\n9434765919\n", "OUTPUT names the input file"),
    ("missing", None, "does not exist"),
])
def test_check_list_refuses_with_one_sentence(demo_warehouse: Warehouse, tmp_path: Path, case: str,
                                              content: bytes | None, message: str) -> None:
    listed = tmp_path / "list.csv"
    if content is not None:
        listed.write_bytes(content)
    output = listed if case == "same_file" else tmp_path / "usable.csv"
    result = run_check_list(demo_warehouse, str(listed), str(output))
    assert result.returncode != 0
    assert message in result.stderr and result.stderr.startswith("check-list: ")
    assert "Traceback" not in result.stderr and "9434765919" not in result.stdout + result.stderr
    if content is not None:
        assert listed.read_bytes() == content, "the input is never overwritten"
    assert case == "same_file" or not output.exists()


def free_and_opted_out(warehouse: Warehouse) -> tuple[str, str]:
    """A valid number never opted out, and one opted out on the published current record."""
    opted_out = warehouse.query("select nhs_number from published.published_current_opt_outs order by all")[0][0]
    free = next(n for n in ("9434765919", "9000000017", "9000000025") if not warehouse.query(
        f"select 1 from published.published_opt_out_periods where nhs_number = '{n}'"))
    return free, opted_out


def check_list_of(warehouse: Warehouse, tmp_path: Path, content: bytes, *args: str) -> tuple[
        subprocess.CompletedProcess, bytes]:
    listed, output = tmp_path / "list.csv", tmp_path / "usable.csv"
    listed.write_bytes(content)
    result = run_check_list(warehouse, str(listed), str(output), *args)
    assert result.returncode == 0, result.stderr
    assert listed.read_bytes() == content
    return result, output.read_bytes()


def test_check_list_reads_a_file_excel_saved_as_csv_utf8(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark; the usable rows keep it (Excel reads them back)."""
    free, opted_out = free_and_opted_out(demo_warehouse)
    result, written = check_list_of(demo_warehouse, tmp_path, f"\ufeffnhs_number,note\n{free},café\n"
                                    f"{opted_out},gone\n".encode())
    assert "2 rows read, 0 unreadable (not UTF-8, or the wrong number of values), 0 with a missing or invalid " \
           "NHS number, 1 opted out, 1 may be used" in result.stdout
    assert written == f"\ufeffnhs_number,note\r\n{free},café\r\n".encode()


def test_check_list_keeps_columns_with_no_name(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """A trailing comma in the header (Excel writes one) is an unnamed column, written back unnamed."""
    free, opted_out = free_and_opted_out(demo_warehouse)
    result, written = check_list_of(demo_warehouse, tmp_path, f",nhs_number,column_1,,note,\nx,{free},y,,a,\n"
                                    f"z,{opted_out},w,,b,\n,{free},,v,c,u\n".encode())
    assert "3 rows read, 0 unreadable (not UTF-8, or the wrong number of values), 0 with a missing or invalid " \
           "NHS number, 1 opted out, 2 may be used" in result.stdout
    assert list(csv.reader(written.decode().splitlines())) == [
        ["", "nhs_number", "column_1", "", "note", ""], ["x", free, "y", "", "a", ""], ["", free, "", "v", "c", "u"]]


def test_check_list_input_may_have_any_column_name(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """The check's own row-order column is named so that it meets no column of the input."""
    free, opted_out = free_and_opted_out(demo_warehouse)
    result, written = check_list_of(demo_warehouse, tmp_path, (
        "opt_out_list_row,nhs_number,OPT_OUT_LIST_ROW_1\n"
        + "".join(f"{9 - i},{opted_out if i == 4 else free},{i}\n" for i in range(9))).encode())
    assert "9 rows read, 0 unreadable (not UTF-8, or the wrong number of values), 0 with a missing or invalid " \
           "NHS number, 1 opted out, 8 may be used" in result.stdout
    assert list(csv.reader(written.decode().splitlines())) == [
        ["opt_out_list_row", "nhs_number", "OPT_OUT_LIST_ROW_1"],
        *([str(9 - i), free, str(i)] for i in range(9) if i != 4)]


def test_check_list_matches_on_its_column_whatever_the_others_are_named(
        demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """R15: no column of the input, whatever its name (here the names apply_opt_outs gives its
    own helper columns), changes which rows are removed."""
    free, opted_out = free_and_opted_out(demo_warehouse)
    result, written = check_list_of(demo_warehouse, tmp_path, (
        "nhs_number,opt_out_nhs_normalised,opt_out_nhs_as_bigint\n"
        f"{opted_out},{free},{free}\n{free},{free},{free}\n").encode())
    assert "2 rows read, 0 unreadable (not UTF-8, or the wrong number of values), 0 with a missing or invalid " \
           "NHS number, 1 opted out, 1 may be used" in result.stdout
    assert opted_out.encode() not in written
    assert list(csv.reader(written.decode().splitlines())) == [
        ["nhs_number", "opt_out_nhs_normalised", "opt_out_nhs_as_bigint"], [free, free, free]]


def test_check_list_removes_an_opted_out_number_however_it_is_padded(
        demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """R1 removes every whitespace character, Unicode spaces included, anywhere in the value."""
    free, opted_out = free_and_opted_out(demo_warehouse)
    padded = {"leading tab": f"\t{opted_out}", "trailing tab": f"{opted_out}\t",
              "no-break space": f"{opted_out[:3]}\u00a0{opted_out[3:6]}\u00a0{opted_out[6:]}",
              "carriage return": f"{opted_out}\r", "spaced": f"{opted_out[:3]} {opted_out[3:6]} {opted_out[6:]}",
              "narrow no-break space": f"{opted_out[:3]}\u202f{opted_out[3:]}"}
    content = io.StringIO(newline="")
    csv.writer(content).writerows(
        [["nhs_number", "note"], [free, "free"], *([value, note] for note, value in padded.items())])
    result, written = check_list_of(demo_warehouse, tmp_path, content.getvalue().encode())
    assert f"{len(padded) + 1} rows read, 0 unreadable (not UTF-8, or the wrong number of values), 0 with a " \
           f"missing or invalid NHS number, {len(padded)} opted out, 1 may be used" in result.stdout
    assert list(csv.reader(written.decode().splitlines())) == [["nhs_number", "note"], [free, "free"]]
    assert opted_out not in result.stdout + result.stderr


@pytest.mark.parametrize("as_of", ["2025-02-30", "2025-02-29", "1900-02-29", "2025-04-31", "2025-13-01",
                                   "2025-00-10", "2025-1-1", "01/02/2025", "0000-01-01"])
def test_check_list_as_of_must_be_a_calendar_date(demo_warehouse: Warehouse, tmp_path: Path, as_of: str) -> None:
    listed, output = tmp_path / "list.csv", tmp_path / "usable.csv"
    listed.write_bytes(b"nhs_number\n9434765919\n")
    result = run_check_list(demo_warehouse, str(listed), str(output), "--as-of", as_of)
    assert result.returncode != 0 and not output.exists()
    assert result.stderr == "check-list: --as-of must be a calendar date written YYYY-MM-DD, such as 2025-02-28.\n"


def test_check_list_as_of_a_leap_day(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    free, _ = free_and_opted_out(demo_warehouse)
    result, written = check_list_of(demo_warehouse, tmp_path, f"nhs_number\n{free}\n".encode(), "--as-of",
                                    "2024-02-29")
    assert "1 may be used" in result.stdout and written.decode().splitlines() == ["nhs_number", free]


@pytest.mark.parametrize(("arguments", "message"), [
    (["", ""], "give the list to check: make check-list INPUT=list.csv OUTPUT=usable.csv "
               "(or python -m opt_out_io check-list INPUT OUTPUT)"),
    (["LIST", ""], "give the list to check: make check-list INPUT=list.csv OUTPUT=usable.csv "
                   "(or python -m opt_out_io check-list INPUT OUTPUT)"),
    ([], "give the list to check: make check-list INPUT=list.csv OUTPUT=usable.csv "
         "(or python -m opt_out_io check-list INPUT OUTPUT)"),
    (["LIST", "OUT", "--column", ""], "--column is empty: name the column of NHS numbers with --column NAME, "
                                      "or COLUMN=NAME with make check-list"),
    (["LIST", "OUT", "--column", "nhs"], "the header row has no column named 'nhs' (2 columns); name the column "
                                         "with --column NAME, or COLUMN=NAME with make check-list"),
])
def test_check_list_says_what_to_give(demo_warehouse: Warehouse, tmp_path: Path, arguments: list[str],
                                      message: str) -> None:
    listed = tmp_path / "list.csv"
    listed.write_bytes(b"nhs_number,note\n9434765919,x\n")
    arguments = [{"LIST": str(listed), "OUT": str(tmp_path / "usable.csv")}.get(a, a) for a in arguments]
    result = run_check_list(demo_warehouse, *arguments)
    assert result.returncode != 0 and result.stderr == f"check-list: {message}.\n"
    assert not (tmp_path / "usable.csv").exists()


def test_check_list_names_each_refused_line_and_its_reason_never_its_number(
        demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """Issue 20 item 4: the side file <OUTPUT>_refused.csv gives the line (of the input, a quoted
    line break counted) and reason of every row left out, so `9.434765919E9` can be found."""
    free, opted_out = free_and_opted_out(demo_warehouse)
    content = ("nhs_number,note\n"
               f"{free},fine\n"                    # line 2
               f"{opted_out},\"two\nlines\"\n"     # lines 3-4: opted out
               "9.434765919E9,excel\n"             # line 5: mangled by a spreadsheet
               f"{free},too,many\n"                # line 6
               "\n"                                # line 7: blank, skipped
               ",no number\n"                      # line 8
               f"{free},last\n").encode()          # line 9
    result, written = check_list_of(demo_warehouse, tmp_path, content)
    side = tmp_path / "usable_refused.csv"
    assert f"the lines left out and why -> {side}" in result.stdout
    assert list(csv.reader(side.read_text().splitlines())) == [
        ["line", "reason"], ["3", "opted_out"], ["5", "missing_or_invalid_nhs_number"],
        ["6", "wrong_number_of_values"], ["8", "missing_or_invalid_nhs_number"]]
    assert len(written.decode().splitlines()) == 3
    for number in (free, opted_out, "9434765919"):
        assert number not in side.read_text()


def test_check_list_reads_and_writes_the_mesh_format(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """The national service's MESH format: a .dat file of NHS numbers, one a line, no header;
    the usable numbers go back the same way (as R1 normalises them), the refused lines beside."""
    free, opted_out = free_and_opted_out(demo_warehouse)
    listed, output = tmp_path / "cohort.dat", tmp_path / "cohort_usable.dat"
    listed.write_bytes(f"{free}\r\n{opted_out}\r\n\r\n123\r\n{free[:3]} {free[3:6]} {free[6:]}\r\n".encode())
    result = run_check_list(demo_warehouse, str(listed), str(output))
    assert result.returncode == 0, result.stderr
    assert "4 rows read, 0 unreadable (not UTF-8, or the wrong number of values), 1 with a missing or invalid NHS " \
           "number, 1 opted out, 2 may be used" in result.stdout
    assert output.read_text() == f"{free}\n{free}\n"
    assert list(csv.reader((tmp_path / "cohort_usable_refused.csv").read_text().splitlines())) == [
        ["line", "reason"], ["2", "opted_out"], ["4", "missing_or_invalid_nhs_number"]]
    csv_output = tmp_path / "usable.csv"
    assert run_check_list(demo_warehouse, str(listed), str(csv_output)).returncode == 0
    assert csv_output.read_text().splitlines() == ["nhs_number", free, f"{free[:3]} {free[3:6]} {free[6:]}"]


# ------------------------------------------------------------- changed NHS numbers (SPEC §9)


def demo_changes() -> list[dict[str, str]]:
    path = DEMO_LANDING / "nhs_number_changes" / "2025-09" / "nhs_number_changes_2025-09-01.csv"
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_opt_out_follows_the_patient_to_every_new_number(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """SPEC §9: the demo patient A, opted out, became B and then C (received after the opt-out).
    Their events and status are reported once, under C; a release removes rows under A, B or
    C; the list check refuses all three; the enquiry answers for A with C's history, printing
    neither number. A withdrawn patient's new number stays usable."""
    changes = demo_changes()
    first, middle, last = changes[0]["superseded_nhs_number"], changes[0]["nhs_number"], changes[1]["nhs_number"]
    assert changes[1]["superseded_nhs_number"] == middle
    withdrawn_new = changes[2]["nhs_number"]
    current = {n for (n,) in demo_warehouse.query("select nhs_number from current_opt_outs")}
    assert last in current and not {first, middle} & current
    events = demo_warehouse.query(f"select count(*) from opt_out_events where nhs_number = '{last}'")[0][0]
    assert events > 0 and demo_warehouse.query(
        f"select count(*) from opt_out_events where nhs_number in ('{first}', '{middle}')") == [(0,)]
    assert demo_warehouse.query("select current_type2_opt_outs from national_opt_out_statistics "
                                "order by reporting_month desc limit 1")[0][0] == len(current)
    kept = {reference.normalise_nhs_number(n) for (n,) in demo_warehouse.query(
        "select nhs_number from releases.release_hes_research_extract")}
    assert not {first, middle, last} & kept and withdrawn_new in kept
    listed = tmp_path / "list.csv"
    listed.write_text("nhs_number,note\n" + "".join(f"{n},{note}\n" for n, note in
                                                    ((first, "a"), (middle, "b"), (last, "c"), (withdrawn_new, "d"))))
    output = tmp_path / "usable.csv"
    result = subprocess.run([sys.executable, "-m", "opt_out_io", "check-list", str(listed), str(output)],
                            cwd=PROJECT_DIR, env=demo_warehouse.env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert output.read_text().splitlines() == ["nhs_number,note", f"{withdrawn_new},d"]
    answer = subprocess.run([sys.executable, "-m", "opt_out_io", "enquiry"], cwd=PROJECT_DIR,
                            env=demo_warehouse.env(), input=f"{first}\n", capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0, answer.stderr
    assert f"Type 2 events received ({events}):" in answer.stdout
    assert "The patient was given a different NHS number from 2025-06-15" in answer.stdout
    assert first not in answer.stdout and last not in answer.stdout


def test_nhs_number_changes_that_would_guess_are_left_for_a_person(demo_warehouse: Warehouse,
                                                                   tmp_path: Path) -> None:
    """SPEC §9: a number linked to two numbers, a cycle, and a link between two patients who
    both have histories are listed in nhs_number_change_conflicts and not applied: each
    number keeps its own status (both patients of the merge stay opted out, counted twice).
    Until a person resolves it, a number the conflict cuts off from an opted-out patient (the
    fork's new number) is withheld: releases remove its rows, the list check refuses it, and
    the enquiry says so, with its own status."""
    changes = demo_changes()
    forked, fork_new = changes[4]["superseded_nhs_number"], changes[4]["nhs_number"]
    assert changes[5]["superseded_nhs_number"] == forked
    current = {n for (n,) in demo_warehouse.query("select nhs_number from current_opt_outs")}
    assert forked in current and fork_new not in current
    released = {reference.normalise_nhs_number(n) for (n,) in demo_warehouse.query(
        "select nhs_number from releases.release_hes_research_extract")}
    assert fork_new in {reference.normalise_nhs_number(r["nhs_number"]) for r in episodes()}
    assert fork_new not in released
    listed, output = tmp_path / "list.csv", tmp_path / "usable.csv"
    listed.write_text(f"nhs_number\n{fork_new}\n")
    checked = subprocess.run([sys.executable, "-m", "opt_out_io", "check-list", str(listed), str(output)],
                             cwd=PROJECT_DIR, env=demo_warehouse.env(), capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr
    assert output.read_text().splitlines() == ["nhs_number"]
    answer = subprocess.run([sys.executable, "-m", "opt_out_io", "enquiry"], cwd=PROJECT_DIR,
                            env=demo_warehouse.env(), input=f"{fork_new}\n", capture_output=True, text=True,
                            timeout=300)
    assert answer.returncode == 0, answer.stderr
    assert "left for a person to resolve" in answer.stdout and "so this number is withheld now" in answer.stdout
    assert "No Type 2 opt-out or withdrawal has been received for it" in answer.stdout
    assert fork_new not in answer.stdout and forked not in answer.stdout
    merged_old, merged_new = changes[3]["superseded_nhs_number"], changes[3]["nhs_number"]
    conflicts = demo_warehouse.query("select superseded_nhs_number, nhs_number, reason "
                                     "from nhs_number_change_conflicts order by all")
    assert {reason for _, _, reason in conflicts} == {"links_to_two_numbers", "merges_two_histories", "cycle"}
    assert (merged_old, merged_new, "merges_two_histories") in conflicts
    assert {merged_old, merged_new} <= current
    assert reference.compute(demo_warehouse.landing).link_conflicts == {
        (old, new): reason for old, new, reason in conflicts}


def test_link_groups_grow_with_the_links_not_with_their_square(tmp_path: Path) -> None:
    """SPEC §9: a faulty changes file sending 20,000 numbers into one (and a chain of 20,000
    links) is one group each, found within 256 MB: the group walk keeps one row per number,
    where a walk of (number, number reached) pairs needs 400 million rows, fails for lack of
    memory, and stops every build (no new opt-out published) until the feed is mended."""
    root = tmp_path / "compiled"
    subprocess.run([DBT, "compile", "--target", "lint", "--quiet", "--select", "int_nhs_number_link_components",
                    "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
                   cwd=PROJECT_DIR, env=Warehouse(root).env(), capture_output=True, text=True, check=True)
    sql = next(p for p in (root / "target" / "compiled").rglob("int_nhs_number_link_components.sql")
               if "models/demographics" in str(p)).read_text()
    with duckdb.connect() as con:
        con.execute("set memory_limit = '256MB'")
        con.execute("set threads = 1")
        con.execute("create schema intermediate")
        con.execute("create table intermediate.int_nhs_number_link_chains as "
                    "select 'S' || lpad(cast(i as varchar), 6, '0') as superseded_nhs_number, 'C' as nhs_number "
                    "from range(20000) as t(i) union all "
                    "select 'L' || lpad(cast(i as varchar), 6, '0'), 'L' || lpad(cast(i + 1 as varchar), 6, '0') "
                    "from range(20000) as t(i)")
        groups = con.execute(f"select component_number, count(*) from ({sql}) group by all order by all").fetchall()
    assert groups == [("C", 20001), ("L000000", 20001)]


def test_a_release_over_a_published_record_out_of_step_stops(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """SPEC §9: the published current record, periods and links are one build's. A --select
    or --exclude build that would publish them without everything they are derived from
    publishes nothing; and tables left out of step all the same (a build killed between
    them) stop a release when it is built and each time it is read, and the list check,
    with one sentence: a release over them would match one build's superseded numbers
    against another's patients. A record published by an earlier version of the project stops
    the list check and the enquiry with one sentence too."""
    warehouse = Warehouse(tmp_path)
    shutil.copy(demo_warehouse.db_path, warehouse.db_path)
    warehouse.landing.symlink_to(demo_warehouse.landing)
    versions = ("select (select max(version_id) from published.published_current_opt_outs), "
                "(select max(version_id) from published.published_nhs_number_links)")
    before = warehouse.query(versions)
    for partial in (("--select", "published_nhs_number_links"), ("--exclude", "models/opt_outs")):
        refused = warehouse.build(*partial, check=False)
        assert refused.returncode != 0 and "is published only by a build of everything it is derived from" in \
            refused.stdout and "run `dbt build` of the whole project" in refused.stdout
        assert warehouse.query(versions) == before
    # Out of step all the same: the links of another build.
    with duckdb.connect(str(warehouse.db_path)) as con:
        con.execute("update published.published_nhs_number_links set version_id = 'v-another-build'")
    result = warehouse.build("--select", "release_hes_research_extract", check=False)
    assert result.returncode != 0
    assert "The published opt-out record is out of step" in result.stdout and "run `dbt build` of the whole" in \
        result.stdout
    listed = tmp_path / "list.csv"
    listed.write_text("nhs_number\n9000000009\n")
    checked = subprocess.run([sys.executable, "-m", "opt_out_io", "check-list", str(listed), str(tmp_path / "out.csv")],
                             cwd=PROJECT_DIR, env=warehouse.env(), capture_output=True, text=True, timeout=300)
    assert checked.returncode != 0 and "the published opt-out record is out of step" in checked.stderr
    assert not (tmp_path / "out.csv").exists()
    # The release views built before are views: read now, over those tables, they stop too
    # (and so when the record is newer, or the links table is left empty by another build),
    # naming the problem; in step, they release.
    releases = [name for (name,) in warehouse.query(
        "select view_name from duckdb_views() where schema_name = 'releases' "
        "and sql like '%published_nhs_number_links%'")]  # not the exempt release, which applies none
    assert len(releases) >= 2
    in_step = ("update published.published_nhs_number_links set version_id = "
               "(select max(version_id) from published.published_current_opt_outs)")
    out_of_step = [  # as left above, then each table of another build's
        [],
        [in_step, "update published.published_nhs_number_links set version_id = 'v-another-build'"],
        [in_step, "delete from published.published_nhs_number_links"],
        [in_step, "update published.published_current_opt_outs set version_id = 'v-another-build'",
         "update published.published_opt_out_periods set version_id = 'v-another-build'"],
    ]
    with duckdb.connect(str(warehouse.db_path)) as con:
        for mangles in out_of_step:
            for release in releases:
                con.execute("begin")
                for mangle in mangles:
                    con.execute(mangle)
                with pytest.raises(duckdb.InvalidInputException, match="The published opt-out record is out of step"):
                    con.execute(f"select count(*) from releases.{release}").fetchone()
                con.execute("rollback")
        con.execute(in_step)
        for release in releases:
            assert con.execute(f"select count(*) from releases.{release}").fetchone()[0] > 0
        # A record published by an earlier version of the project (no groups of links yet).
        con.execute("alter table published.published_nhs_number_links drop column component_number")
    checked = subprocess.run([sys.executable, "-m", "opt_out_io", "check-list", str(listed), str(tmp_path / "out.csv")],
                             cwd=PROJECT_DIR, env=warehouse.env(), capture_output=True, text=True, timeout=300)
    assert checked.returncode != 0 and "built by another version): run dbt build first" in checked.stderr
    assert not (tmp_path / "out.csv").exists()
    answer = subprocess.run([sys.executable, "-m", "opt_out_io", "enquiry"], cwd=PROJECT_DIR, env=warehouse.env(),
                            input="9000000009\n", capture_output=True, text=True, timeout=300)
    assert answer.returncode != 0 and "built by another version): run dbt build first" in answer.stderr
