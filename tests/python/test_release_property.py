"""R15 as a property (hypothesis): for random event histories and random release rows, no
patient opted out as known at the release date survives, and every row of every other
patient with a valid number does. The SQL under test is the project's own, compiled by
dbt: the R8-R10 models and the apply_opt_outs macro; the expectation is the plain
reading of the rules in reference.py."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import reference
from hypothesis import given, settings
from hypothesis import strategies as st
from warehouse import DBT, PROJECT_DIR, Warehouse

STATUS_MODELS = [
    ("intermediate", "int_type2_status_by_received_date"),
    ("intermediate", "int_type2_status_changes"),
    ("intermediate", "int_type2_status_current"),
    ("main", "opt_out_events"),
    ("main", "opt_out_periods"),
    ("main", "current_opt_outs"),
    ("published", "published_current_opt_outs"),
    ("published", "published_opt_out_periods"),
]
PLACEHOLDER_DATE = "1999-12-31"
RELEASE_VARIANTS = {
    (policy, point_in_time): (
        "{{ apply_opt_outs(api.Relation.create(database='memory', schema='main', identifier='release_rows')"
        + (f", as_of='{PLACEHOLDER_DATE}'" if point_in_time else "")
        + f", rows_without_nhs_number='{policy}') }}}}"
    )
    for policy in ("exclude", "keep")
    for point_in_time in (False, True)
}
SEPARATOR = "\n-- next release --\n"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("release_property")
    env = Warehouse(root).env()
    common = ["--target", "lint", "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
              "--vars", json.dumps({"landing_dir": str(root)})]
    subprocess.run([DBT, "compile", *common, "--select", *[m for _, m in STATUS_MODELS]],
                   cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=True)
    models = {}
    for schema, name in STATUS_MODELS:
        path = next((root / "target" / "compiled").rglob(f"{name}.sql"))
        models[(schema, name)] = path.read_text()
    inline = SEPARATOR.join(RELEASE_VARIANTS.values())
    result = subprocess.run([DBT, "compile", *common, "--quiet", "--inline", inline],
                            cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=True)
    releases = dict(zip(RELEASE_VARIANTS, result.stdout.split(SEPARATOR.strip())))
    return {"models": models, "releases": releases}


@pytest.fixture(scope="module")
def con(compiled: dict) -> duckdb.DuckDBPyConnection:
    with duckdb.connect() as connection:
        connection.execute("create schema intermediate")
        connection.execute("create schema published")
        connection.execute(
            "create table intermediate.int_opt_out_events (nhs_number varchar, opt_out_type integer, action varchar, "
            "recorded_date date, recorded_date_imputed boolean, received_date date, practice_code varchar)"
        )
        # The write-audit-publish gate the published tables read (its checks are tested elsewhere).
        connection.execute("create table published.opt_out_record_checks (check_name varchar, failures bigint)")
        connection.execute("create table main.release_rows (row_id integer, nhs_number varchar)")
        # No changed NHS numbers here (SPEC §9): the links and the published links are empty.
        connection.execute("create table intermediate.int_nhs_number_patients (nhs_number varchar, patient_number "
                           "varchar, effective_date date, linked_at timestamp, derived_at timestamp)")
        connection.execute("create table published.published_nhs_number_links (nhs_number varchar, patient_number "
                           "varchar, component_number varchar, effective_date date, linked_at timestamp, published_at timestamp, version_id "
                           "varchar, checks_passed bigint)")
        for (schema, name), sql in compiled["models"].items():
            connection.execute(f"create view {schema}.{name} as {sql}")
        yield connection


def valid_number(seed: int) -> str:
    body = f"9{seed:08d}"
    while True:
        check = 11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1))) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return body + str(check)
        body = f"{int(body) + 1:09d}"


PATIENTS = [valid_number(seed * 7919) for seed in range(1, 9)]
MONTHS = [date(2025, m, 1) for m in range(1, 9)]

event = st.tuples(
    st.sampled_from(PATIENTS),
    st.sampled_from(["opt_out", "withdrawal"]),
    st.integers(min_value=0, max_value=240).map(lambda d: date(2024, 9, 1) + timedelta(days=d)),
    st.sampled_from(MONTHS),
)
written = st.one_of(
    st.sampled_from(PATIENTS + [valid_number(99_999)]),
    st.sampled_from(PATIENTS).map(lambda n: f"{n[:3]} {n[3:6]} {n[6:]}"),
    st.sampled_from(PATIENTS).map(lambda n: f" {n[:3]}-{n[3:6]}-{n[6:]} "),
    st.sampled_from([None, "", "9000000008", "unknown", "9999999999"]),
)


@settings(max_examples=1200, deadline=None)
@given(
    events=st.lists(event, max_size=12),
    rows=st.lists(written, min_size=1, max_size=15),
    as_of=st.one_of(st.none(), st.sampled_from(MONTHS + [date(2025, 3, 15)])),
    policy=st.sampled_from(["exclude", "keep"]),
)
def test_release_removes_exactly_the_opted_out(con, compiled, events, rows, as_of, policy) -> None:
    # R7: one event per (patient, action, recorded date), received at its earliest arrival.
    history: dict[tuple, date] = {}
    for nhs, action, recorded, received in events:
        key = (nhs, 2, action, recorded)
        history[key] = min(history.get(key, received), received)
    con.execute("delete from intermediate.int_opt_out_events")
    con.execute("delete from main.release_rows")
    if history:
        con.executemany("insert into intermediate.int_opt_out_events values (?, ?, ?, ?, false, ?, 'A81001')",
                        [[*key, received] for key, received in history.items()])
    con.executemany("insert into main.release_rows values (?, ?)", [[i, n] for i, n in enumerate(rows)])
    sql = compiled["releases"][(policy, as_of is not None)]
    if as_of is not None:
        sql = sql.replace(PLACEHOLDER_DATE, as_of.isoformat())
    kept = {row_id for row_id, _ in con.execute(sql).fetchall()}

    ref = reference.Reference(events={
        key: {"received_date": received, "recorded_date": key[3], "action": key[2]}
        for key, received in history.items()
    })
    latest = max(history.values(), default=MONTHS[0])
    for row_id, raw in enumerate(rows):
        number = reference.normalise_nhs_number(raw)
        if not reference.is_valid_nhs_number(number):
            assert (row_id in kept) == (policy == "keep"), raw
        elif ref.status_at(number, as_of or latest):
            assert row_id not in kept, f"opted-out patient {raw!r} survived the release"
        else:
            assert row_id in kept, f"row of a patient who is not opted out ({raw!r}) was removed"
