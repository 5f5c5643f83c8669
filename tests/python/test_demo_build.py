"""End to end on the shipped demo data: the marts agree with an independent reading of
the rules (tests/python/reference.py), and nothing R4 forbids is stored."""

from __future__ import annotations

import csv
import json

import pytest
import reference
from warehouse import Warehouse

SPEC_MART_COLUMNS = {
    "opt_out_events": ["nhs_number", "opt_out_type", "action", "recorded_date", "recorded_date_imputed",
                       "received_date", "practice_code"],
    "opt_out_periods": ["nhs_number", "applied_from", "applied_to"],
    "current_opt_outs": ["nhs_number", "opted_out_on", "received_date"],
    "rejected_rows": ["source_file", "row_number", "reason"],
}


@pytest.fixture(scope="module")
def expected(demo_warehouse: Warehouse) -> reference.Reference:
    return reference.compute(demo_warehouse.landing)


@pytest.mark.parametrize("mart", sorted(SPEC_MART_COLUMNS))
def test_spec_marts_have_their_columns(demo_warehouse: Warehouse, mart: str) -> None:
    columns = [r[0] for r in demo_warehouse.query(
        f"select column_name from information_schema.columns where table_schema = 'main' and table_name = '{mart}'"
    )]
    assert set(SPEC_MART_COLUMNS[mart]) <= set(columns)


def test_events_match_reference(demo_warehouse: Warehouse, expected: reference.Reference) -> None:
    actual = {
        (n, t, a, r): (i, rec, p)
        for n, t, a, r, i, rec, p in demo_warehouse.table("opt_out_events")
    }
    wanted = {key: (e["imputed"], e["received_date"], e["practice"]) for key, e in expected.events.items()}
    assert actual == wanted
    assert any(imputed for imputed, _, _ in actual.values()), "demo data should exercise R5 imputation"


def test_periods_match_reference(demo_warehouse: Warehouse, expected: reference.Reference) -> None:
    assert set(demo_warehouse.table("opt_out_periods")) == expected.periods
    assert any(to is not None for _, _, to in expected.periods), "demo data should close some periods"


def test_current_opt_outs_match_reference(demo_warehouse: Warehouse, expected: reference.Reference) -> None:
    actual = {n: (on, received) for n, on, received in demo_warehouse.table("current_opt_outs")}
    assert actual == expected.current
    assert len(actual) > 100


def test_rejects_match_reference(demo_warehouse: Warehouse, expected: reference.Reference) -> None:
    rows = demo_warehouse.query(
        "select feed, source_file, row_number, reason from rejected_rows "
        "where feed in ('opt_out_codes', 'practice_counts')"
    )
    actual = {(("counts:" if feed == "practice_counts" else "") + f, n): reason for feed, f, n, reason in rows}
    assert actual == expected.rejected
    reasons = set(actual.values())
    for reason in ["invalid_nhs_number", "unknown_code", "invalid_extract_date", "invalid_recorded_date",
                   "type1_not_collected", "invalid_practice_code", "invalid_count", "conflicting_counts"]:
        assert reason in reasons, f"demo data should exercise {reason}"


def test_every_landed_row_accepted_or_rejected(demo_warehouse: Warehouse) -> None:
    """R3, counted straight from the files: per file, lines = accepted + rejected."""
    recon = {
        (feed, f): (accepted, rejected)
        for feed, f, accepted, rejected in demo_warehouse.query(
            "select feed, source_file, rows_accepted, rows_rejected from landing_file_reconciliation"
        )
    }
    rejected_files = {f for (f,) in demo_warehouse.query("select source_file from rejected_files")}
    checked = 0
    for feed in ("opt_out_codes", "practice_counts"):
        for path in (demo_warehouse.landing / feed).rglob("*.csv"):
            relative = path.relative_to(demo_warehouse.landing).as_posix()
            if relative in rejected_files:
                continue
            with path.open(newline="") as handle:
                lines = sum(1 for _ in csv.reader(handle)) - 1
            accepted, rejected = recon[(feed, relative)]
            assert lines == accepted + rejected, relative
            checked += 1
    assert checked > 50


def test_misnamed_header_file_is_reported(demo_warehouse: Warehouse) -> None:
    assert demo_warehouse.query("select source_file, reason from rejected_files") == [
        ("opt_out_codes/2025-10/misnamed_columns.csv", "unexpected_header")
    ]


def test_type1_nhs_numbers_are_stored_nowhere(demo_warehouse: Warehouse, expected: reference.Reference) -> None:
    """R4: the NHS numbers of Type 1 rows in the Type 2 feed appear in no table at all."""
    assert expected.type1_nhs_numbers, "demo data should carry Type 1 codes in the Type 2 feed"
    stored = demo_warehouse.all_text_values()
    leaked = {n for n in expected.type1_nhs_numbers if any(n in value for value in stored)}
    assert not leaked
    assert demo_warehouse.query("select count(*) from rejected_rows where reason = 'type1_not_collected'")[0][0] > 0


def test_a_successful_build_says_what_it_published(demo_warehouse: Warehouse) -> None:
    """The last lines of a build that passes name the record version in force, the
    publication files written and the 21-day service level (README, Quick start)."""
    out = demo_warehouse.first_build.stdout
    version, patients, latest = demo_warehouse.query(
        "select version_id, opted_out_patients, latest_received_date from published_record_versions")[0]
    assert patients == demo_warehouse.query("select count(*) from published.published_current_opt_outs")[0][0]
    assert (f"Opt-out record published: version {version}, {patients} patients opted out, known to the extracts "
            f"received up to {latest}.") in out
    files = sorted(p.name for p in demo_warehouse.publication.iterdir())
    assert files and f"Care Information Choices files written to publication/: {', '.join(files)}." in out
    assert "21-day service level met" in out
    tail = out.strip().splitlines()[-15:]
    assert any("Opt-out record published" in line for line in tail), "among the last lines"


def test_every_column_of_every_table_is_documented(demo_warehouse: Warehouse) -> None:
    """Issue 20 item 9: every column of every model, seed and snapshot the build wrote has a
    description in YAML (compared with the warehouse's own columns, so a new column counts)."""
    manifest = json.loads((demo_warehouse.root / "target" / "manifest.json").read_text())
    described = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed", "snapshot"):
            described[(node["schema"], node["alias"])] = (
                node["name"], {name.lower() for name, column in node["columns"].items() if column.get("description")})
    undocumented, checked = [], 0
    for schema, table, column in demo_warehouse.query(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()"):
        if (schema, table) in described:
            checked += 1
            if column.lower() not in described[(schema, table)][1]:
                undocumented.append(f"{described[(schema, table)][0]}.{column}")
    assert checked > 400
    assert undocumented == []
