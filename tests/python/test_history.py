"""The historic record over time: month-by-month replay against the snapshot, archiving
old files, rebuilding the same files, --full-refresh, and an empty landing area."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from warehouse import Warehouse, demo_months

MARTS = ["opt_out_events", "opt_out_periods", "current_opt_outs", "rejected_rows"]
LEDGERS = ["intermediate.int_opt_out_code_rows_received", "intermediate.int_practice_count_rows_received"]


def snapshot(warehouse: Warehouse, tables: list[str]) -> dict[str, list[tuple]]:
    # rejected_rows carries the run time it was received: compare what was received.
    return {
        t: warehouse.table(t) if t != "rejected_rows" else warehouse.query(
            "select * exclude (received_at) from rejected_rows order by all")
        for t in tables
    }


@pytest.mark.slow
def test_replay_month_by_month_snapshot_agrees_with_periods(warehouse: Warehouse, demo_warehouse: Warehouse) -> None:
    """docs/rules.md §3: built one month at a time, the snapshot's opted-out versions are exactly
    opt_out_periods, and the end state equals a build of all months at once."""
    for month in demo_months():
        warehouse.land_demo([month])
        warehouse.build()
        from_snapshot = set(warehouse.query(
            "select nhs_number, cast(dbt_valid_from as date), cast(dbt_valid_to as date) "
            "from snapshots.type2_opt_out_status where is_opted_out"
        ))
        assert from_snapshot == set(warehouse.table("opt_out_periods")), month
    versions = warehouse.query("select count(*) from snapshots.type2_opt_out_status where dbt_valid_to is not null")
    assert versions[0][0] > 0, "the replay should see status changes"
    assert snapshot(warehouse, MARTS[:3]) == snapshot(demo_warehouse, MARTS[:3])


@pytest.mark.slow
def test_archiving_old_files_loses_nothing_even_with_full_refresh(warehouse: Warehouse) -> None:
    warehouse.built_demo()
    before = snapshot(warehouse, MARTS + LEDGERS)
    last = demo_months()[-1]
    for feed in ("opt_out_codes", "practice_counts"):
        for folder in (warehouse.landing / feed).iterdir():
            if folder.name != last:
                shutil.rmtree(folder)
    warehouse.build()
    assert snapshot(warehouse, MARTS + LEDGERS) == before
    warehouse.build("--full-refresh")
    assert snapshot(warehouse, MARTS + LEDGERS) == before
    archived = warehouse.query("select count(*) from landing_file_reconciliation where not is_in_landing")
    assert archived[0][0] > 0


@pytest.mark.slow
def test_building_the_same_files_twice_changes_nothing(warehouse: Warehouse) -> None:
    warehouse.built_demo()
    before = snapshot(warehouse, MARTS + LEDGERS + ["snapshots.type2_opt_out_status"])
    warehouse.build()
    assert snapshot(warehouse, MARTS + LEDGERS + ["snapshots.type2_opt_out_status"]) == before


@pytest.mark.parametrize("layout", ["absent", "empty_folders"])
def test_empty_landing_area_builds(warehouse: Warehouse, layout: str) -> None:
    """docs/rules.md §1: nothing has arrived yet, or the folders exist but are empty."""
    if layout == "empty_folders":
        (warehouse.landing / "opt_out_codes" / "2025-04").mkdir(parents=True)
        (warehouse.landing / "practice_counts").mkdir()
    warehouse.build()
    for mart in MARTS:
        assert warehouse.table(mart) == []


def test_a_file_changed_after_receipt_is_refused_and_history_kept(warehouse: Warehouse) -> None:
    """Files already received are not read again; one that changes is reported, not merged."""
    warehouse.built_demo()
    before = snapshot(warehouse, MARTS + LEDGERS)
    changed = sorted((warehouse.landing / "opt_out_codes").rglob("A81001_*.csv"))[0]
    with changed.open("a") as handle:
        handle.write("2025-04-01,A81001,9000000017,9Nu4,2025-01-01\n")
    warehouse.build()
    relative = changed.relative_to(warehouse.landing).as_posix()
    assert warehouse.query(f"select reason from rejected_files where source_file = '{relative}'") == [
        ("changed_after_receipt",)]
    assert snapshot(warehouse, MARTS + LEDGERS) == before
    assert warehouse.query("select count(*) from staging.stg_landing__files where already_received")[0][0] > 80


@pytest.mark.slow
def test_a_late_file_change_reaches_the_snapshot(warehouse: Warehouse) -> None:
    """docs/rules.md §3: the snapshot's current versions agree with current_opt_outs whatever
    order files land in. A file dated before months already built withdraws a patient whose
    current version began later: the snapshot records the change when it became known."""
    for month in demo_months()[:4]:
        warehouse.land_demo([month])
    warehouse.build()
    latest = warehouse.query("select max(received_date) from opt_out_events")[0][0]
    number, recorded = warehouse.query(
        "select c.nhs_number, c.opted_out_on from current_opt_outs as c "
        f"where c.received_date = '{latest}' and c.opted_out_on < date '2025-05-01' order by all limit 1")[0]
    late = warehouse.landing / "opt_out_codes" / "late" / "A81001_2025-05-20.csv"
    late.parent.mkdir(parents=True)
    late.write_text("extract_date,practice_code,nhs_number,code,recorded_date\n"
                    f"2025-05-20,A81001,{number},9Nu5,{recorded + timedelta(days=1)}\n")
    warehouse.build()
    current = {n for (n,) in warehouse.query("select nhs_number from current_opt_outs")}
    assert number not in current
    in_snapshot = {n for (n,) in warehouse.query(
        "select nhs_number from snapshots.type2_opt_out_status where dbt_valid_to is null and is_opted_out")}
    assert in_snapshot == current


@pytest.mark.slow
def test_each_publication_is_a_record_version_and_releases_name_theirs(warehouse: Warehouse) -> None:
    """docs/rules.md §6: every build whose checks pass adds one record version (append-only,
    kept by --full-refresh); every release build adds a manifest row naming the version it
    applied; the same list has the same hash."""
    warehouse.built_demo()
    warehouse.build()
    warehouse.build("--full-refresh")
    versions = warehouse.query("select version_id, record_hash, opted_out_patients, latest_received_date "
                               "from published_record_versions order by published_at")
    assert len(versions) == 3 and len({v[0] for v in versions}) == 3
    assert len({v[1] for v in versions}) == 1, "the same list has the same hash, whatever its order"
    assert versions[-1][2] == warehouse.query("select count(*) from current_opt_outs")[0][0]
    assert versions[-1][3] == warehouse.query("select max(received_date) from opt_out_events")[0][0]
    manifest = warehouse.query("select release_name, version_id, opt_outs from release_manifest")
    assert len(manifest) == 3 * 3
    for release, version, opt_outs in manifest:
        assert (version in {v[0] for v in versions}) if opt_outs == "applied" else version is None, release
    in_force = warehouse.query("select max(version_id) from published.published_current_opt_outs")[0][0]
    assert in_force == versions[-1][0]
    assert {v for (v,) in warehouse.query("select version_id from release_audit where opt_outs = 'applied'")} == {
        in_force}
