"""Canary fuzz test (SPEC §2, R1-R4, R14, R15, §8): one `dbt build` over a seeded landing
area of hostile lines (tests/python/canary.py), then every place the warehouse could keep
a number is searched for the canaries — numbers it must store nowhere — and every
release and list check is searched for rows of opted-out patients.

Rerun a failure with the seed it prints: CANARY_SEED=<seed> pytest tests/python/test_canary.py.
A failure names the kind of line, the file and line number of the canary and where it was
found; never the number itself.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import canary
import duckdb
import pytest
import reference
from warehouse import Warehouse, copy_project

EXAMPLES_PER_KIND = 3
# Types a 10-digit number cannot hide in; every other column is cast to text and searched.
NOT_SEARCHED_TYPES = ("DATE", "TIME", "TIMESTAMP", "INTERVAL", "BOOLEAN")
FRACTIONAL_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")


@dataclass
class Run:
    landing: canary.Landing
    inputs: canary.Inputs
    warehouse: Warehouse
    project: Path
    build: subprocess.CompletedProcess
    build_started: float
    lists: dict[str, tuple[subprocess.CompletedProcess, Path]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rerun(self) -> str:
        return f"seed {self.landing.seed} (rerun: CANARY_SEED={self.landing.seed} pytest tests/python/test_canary.py)"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("canary")
    started = time.monotonic()
    project = copy_project(root / "project")
    warehouse = Warehouse(root / "warehouse", project_dir=project)
    landing = canary.generate(warehouse.landing, avoid=canary.numbers_in(project))
    inputs = canary.build_inputs(landing)
    canary.write_release_project(project, inputs)
    generated = time.monotonic()
    build_started = time.time()
    build = warehouse.build(check=False, cli=True)  # a failing build is reported by test_build_passes
    built = time.monotonic()
    result = Run(landing, inputs, warehouse, project, build, build_started)
    lists = root / "lists"
    lists.mkdir()
    for name, path in canary.write_lists(lists, inputs).items():
        output = lists / f"usable_{name}"
        checked = subprocess.run([sys.executable, "-m", "opt_out_io", "check-list", str(path), str(output)],
                                 cwd=project, env=warehouse.env(), capture_output=True, text=True, timeout=600)
        result.lists[name] = (checked, output)
    result.seconds = {"generate": generated - started, "build": built - generated,
                      "list checks": time.monotonic() - built}
    print(canary.summary(landing), result.seconds)
    return result


# ------------------------------------------------------------------- reporting


def report(run: Run, title: str, problems: list[tuple[str, str]], totals: Counter | None = None) -> None:
    """Fail with the problems grouped by kind: counts and a few examples, never a number."""
    if not problems:
        return
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, example in problems:
        by_kind[kind].append(example)
    lines = [f"{title} — {run.rerun}; {len(problems)} problems of {len(by_kind)} kinds:"]
    for kind, examples in sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0])):
        of = f" of {totals[kind]}" if totals and kind in totals else ""
        lines.append(f"  {kind}: {len(examples)}{of}")
        lines += [f"      e.g. {canary.mask(e)}" for e in sorted(set(examples))[:EXAMPLES_PER_KIND]]
    pytest.fail("\n".join(lines), pytrace=False)


def canary_problems(run: Run, found: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(kind, example) per canary found: its kind, its first lines in the landing area, where found."""
    return [(run.landing.canary_kind[number],
             f"{canary.describe(run.landing, number, 1)} -> found in {', '.join(sorted(places)[:3])}")
            for number, places in found.items()]


def query(run: Run, sql: str) -> list[tuple]:
    """A query of the built warehouse; a missing table fails the test in one sentence."""
    try:
        return run.warehouse.query(sql)
    except duckdb.Error as error:
        problem = canary.mask(str(error).splitlines()[0])
    pytest.fail(f"the warehouse cannot answer ({problem}); did the build finish? — {run.rerun}", pytrace=False)


# ---------------------------------------------------------------- the searches


def search_database(path: Path, numbers: set[str]) -> dict[str, set[str]]:
    """number -> {schema.table.column} for every base table, every column cast to text."""
    found: dict[str, set[str]] = defaultdict(set)
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            """
            select c.table_schema, c.table_name, c.column_name, c.data_type
            from information_schema.columns as c
            inner join information_schema.tables as t
                on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema
                and c.table_name = t.table_name
            where t.table_type = 'BASE TABLE'
            order by all
            """
        ).fetchall()
        for schema, table, column, data_type in columns:
            if data_type.upper().startswith(NOT_SEARCHED_TYPES):
                continue
            as_text = f'cast("{column}" as varchar)'
            values = con.execute(
                f'select distinct {as_text} from "{schema}"."{table}" '
                f"where length(regexp_replace({as_text}, '[^0-9]', '', 'g')) >= 10"
            ).fetchall()
            for (value,) in values:
                if data_type.upper().startswith(FRACTIONAL_TYPES):
                    value = value.split(".")[0]  # a number held in a double is its whole part
                for number in canary.find_in(value, numbers):
                    found[number].add(f"{schema}.{table}.{column}")
    return found


def search_files(paths: list[Path], numbers: set[str], newer_than: float = 0.0) -> dict[str, set[str]]:
    """number -> {file} for every file under `paths` (modified at or after `newer_than`),
    read as text whatever it holds; the database files are searched by the table searches."""
    found: dict[str, set[str]] = defaultdict(set)
    for top in paths:
        if not top.exists():
            continue
        for path in [top] if top.is_file() else sorted(top.rglob("*")):
            if not path.is_file() or path.suffix in (".duckdb", ".wal") or path.stat().st_mtime < newer_than:
                continue
            text = path.read_bytes().decode("utf-8", "replace")
            for number in canary.find_in(text, numbers):
                found[number].add(str(path.relative_to(top.parent)))
    return found


# ---------------------------------------------------------------------- tests


def test_generator_is_seeded_and_hostile(tmp_path: Path) -> None:
    """Same seed, same bytes; enough hostile lines; canaries valid, of one kind each, disjoint
    from every number that may be stored."""
    first = canary.generate(tmp_path / "a", seed=7)
    second = canary.generate(tmp_path / "b", seed=7)
    assert first.files == second.files
    for relative in first.files:
        assert (first.root / relative).read_bytes() == (second.root / relative).read_bytes(), relative
    assert first.canary_kind == second.canary_kind
    assert first.hostile_lines >= canary.MIN_HOSTILE_LINES and first.ordinary_lines >= 1000
    assert len(first.files) >= 50 and len(set(first.files.values())) == 4
    assert all(reference.is_valid_nhs_number(n) and n.startswith("9") for n in first.canary_kind)
    assert all(reference.is_valid_nhs_number(n) and n.startswith("9") for n in first.lawful)
    assert not set(first.canary_kind) & first.lawful
    kinds = first.canary_kinds()
    assert len(kinds) >= 50 and min(kinds.values()) >= 1
    assert canary.generate(tmp_path / "c", seed=8).canary_kind != first.canary_kind


def test_build_passes(run: Run) -> None:
    """The build may fail only if a data test catches something; either way it is a failure."""
    if run.build.returncode == 0:
        return
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in run.build.stdout.splitlines()]
    failing = [line for line in lines if " FAIL " in line or " ERROR " in line or "Error in" in line]
    report(run, "dbt build failed", [("build_failed", line[:300]) for line in failing[:20]]
           or [("build_failed", run.build.stdout[-800:])])


def test_fixture_is_meaningful(run: Run) -> None:
    """The canary searches only mean something if the build read the data: the anchors are
    current opt-outs, clean GP-level patients are collected, the release inputs hold the
    values as written, and the warehouse and analyst copy exist."""
    problems = []
    for path in (run.warehouse.db_path, run.warehouse.analyst_copy):
        if not path.exists():
            problems.append(("missing_database", path.name))
    if not run.warehouse.db_path.exists():
        report(run, "the build left no warehouse", problems)
    current = {n for (n,) in query(run, "select nhs_number from current_opt_outs")}
    problems += [("anchor_not_a_current_opt_out", f"anchor #{i}") for i, n in enumerate(run.landing.opted_out)
                 if n not in current]
    collected = {n for (n,) in query(run, "select nhs_number from individual_gp_level_data")}
    problems += [("clean_gp_patient_not_collected", f"collected patient #{i}")
                 for i, n in enumerate(run.landing.collected) if n not in collected]
    for input_name, rows in run.inputs.releases.items():
        schema = query(run, f"select table_schema from information_schema.tables where table_name = '{input_name}'")
        if not schema:
            problems.append(("release_input_not_built", input_name))
            continue
        columns = canary.columns_of(input_name)
        selected = f"select row_id, {', '.join(columns)} from {schema[0][0]}.{input_name}"
        stored = {r[0]: r[1:] for r in query(run, selected)}
        for row in rows:
            written = tuple(None if row.values.get(c) in (None, "") else row.values[c] for c in columns)
            if stored.get(row.row_id) != written:
                problems.append(("release_input_value_not_as_written", f"{input_name} {row.row_id} ({row.case})"))
    report(run, "the canary fixture did not load as written", problems)


def test_no_canary_in_any_warehouse_table(run: Run) -> None:
    """R3, R4, R14: no canary in any column of any base table of the warehouse, its digits
    looked for whatever surrounds them (spaces, hyphens, dots, Excel's exponent)."""
    if not run.warehouse.db_path.exists():
        pytest.fail(f"no warehouse to search — {run.rerun}", pytrace=False)
    found = search_database(run.warehouse.db_path, set(run.landing.canary_kind))
    report(run, "canaries stored in the warehouse", canary_problems(run, found), run.landing.canary_kinds())


def test_no_canary_in_the_analyst_copy(run: Run) -> None:
    if not run.warehouse.analyst_copy.exists():
        pytest.fail(f"no analyst copy to search — {run.rerun}", pytrace=False)
    found = search_database(run.warehouse.analyst_copy, set(run.landing.canary_kind))
    report(run, "canaries stored in the analyst copy", canary_problems(run, found), run.landing.canary_kinds())


def test_no_canary_in_publication_logs_or_artefacts(run: Run) -> None:
    """Publication files, dbt's logs and target/, and anything the build or the list check
    wrote in the project (the copy's files older than the build are its own source)."""
    numbers = set(run.landing.canary_kind)
    root = run.warehouse.root
    found = search_files([run.warehouse.publication, root / "logs", root / "target"], numbers)
    others = [p for p in root.iterdir() if p.name not in ("landing", "publication", "logs", "target")]
    for place, where in (*search_files(others, numbers).items(),
                         *search_files([run.project], numbers, newer_than=run.build_started - 1).items()):
        found.setdefault(place, set()).update(where)
    # Also what dbt printed.
    for number in canary.find_in(run.build.stdout + run.build.stderr, numbers):
        found.setdefault(number, set()).add("dbt build output")
    report(run, "canaries written to files", canary_problems(run, found), run.landing.canary_kinds())


def test_no_canary_in_the_bytes_of_the_database_files(run: Run) -> None:
    """"Stored nowhere" includes pages a table no longer uses: the raw bytes of the warehouse,
    its write-ahead log and the analyst copy hold no canary written out in digits (a lower
    bound: a compressed string is not seen here, the table searches see it)."""
    numbers = set(run.landing.canary_kind)
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(run.warehouse.root.glob("*.duckdb*")):
        for digits in re.findall(rb"[0-9]{10,}", path.read_bytes()):
            for number in canary.windows(digits.decode()) & numbers:
                found[number].add(path.name)
    report(run, "canaries in the bytes of the database files", canary_problems(run, found),
           run.landing.canary_kinds())


def test_releases_remove_every_form_of_an_opted_out_number(run: Run) -> None:
    """R15: every row whose number is a current opt-out, in any form (spaces, hyphens, tabs,
    NBSP and other Unicode spaces, a trailing CR, held as an integer, beside columns named
    like the macro's own), is removed — with the default policy and with 'keep'. Rows of
    free numbers stay, whatever their other columns hold; rows without a usable number
    follow the policy."""
    problems = []
    for model, (seed_name, policy) in run.inputs.release_models.items():
        try:
            released = {r[0] for r in run.warehouse.query(f"select row_id from releases.{model}")}
        except duckdb.Error as error:
            problems.append(("release_not_readable", f"{model} ({type(error).__name__})"))
            continue
        for row in run.inputs.releases[seed_name]:
            where = f"{model}: {row.case} ({row.row_id})"
            if row.expect == "removed" and row.row_id in released:
                problems.append((f"release_keeps_opted_out:{row.case}", where))
            elif row.expect == "kept" and row.row_id not in released:
                problems.append((f"release_removes_free_number:{row.case}", where))
            elif row.expect == "policy" and (row.row_id in released) != (policy == "keep"):
                problems.append((f"release_ignores_policy_{policy}:{row.case}", where))
    report(run, "releases", problems)


def test_list_check_removes_every_form_of_an_opted_out_number(run: Run) -> None:
    """R15 for `python -m opt_out_io check-list`: the usable rows written hold no row of an
    opted-out patient (and none of their numbers), keep every free number, and nothing
    printed holds a number."""
    problems = []
    opted_out = set(run.landing.opted_out)
    for name, (checked, output) in run.lists.items():
        if checked.returncode != 0 or not output.exists():
            problems.append(("list_check_failed", f"{name}: {canary.mask(checked.stderr.strip())[:200]}"))
            continue
        written = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"), newline="")))
        usable = {row["row_id"] for row in written}
        for row in run.inputs.lists[name]:
            where = f"{name}: {row.case} ({row.row_id})"
            if row.expect == "removed" and row.row_id in usable:
                problems.append((f"list_keeps_opted_out:{row.case}", where))
            elif row.expect == "kept" and row.row_id not in usable:
                problems.append((f"list_removes_free_number:{row.case}", where))
            elif row.expect == "policy" and row.row_id in usable:
                problems.append((f"list_keeps_unusable:{row.case}", where))
        # Whatever happened to the row identifiers: no usable row's number is an opted-out one.
        problems += [("list_output_holds_opted_out_number", f"{name}: row {row['row_id']}")
                     for row in written if canary.find_in(row.get("nhs_number") or "", opted_out)]
        printed = canary.find_in(checked.stdout + checked.stderr, opted_out | set(run.landing.canary_kind))
        problems += [("list_check_prints_a_number", name) for _ in printed]
    report(run, "list check", problems)


def test_every_file_is_reconciled(run: Run) -> None:
    """R3: every file written is in landing_file_reconciliation (rows in = received =
    accepted + rejected, and not none) or in rejected_files with its reason."""
    reconciliation = {(feed, source): rest for feed, source, *rest in query(
        run, "select feed, source_file, rows_in_landing, rows_received, rows_accepted, rows_rejected "
             "from landing_file_reconciliation")}
    rejected_files = dict(query(run, "select source_file, reason from rejected_files"))
    problems = []
    for relative, folder in sorted(run.landing.files.items()):
        counts = reconciliation.get((canary.FEED_NAMES[folder], relative))
        if counts is None:
            if relative not in rejected_files:
                problems.append(("file_not_reported", relative))
            continue
        rows_in, received, accepted, rejected = counts
        if not rows_in:
            problems.append(("file_counted_empty", f"{relative}: {rows_in} rows in"))
        elif not rows_in == received == accepted + rejected:
            problems.append(("rows_in_not_accepted_plus_rejected",
                             f"{relative}: in {rows_in}, received {received}, accepted {accepted}, "
                             f"rejected {rejected}"))
    report(run, "reconciliation", problems)
