"""docs/rules.md §7: monthly builds derive only what the new rows touch. Landing the demo
months out of order — a month in two parts, a late month with an earlier extract_date,
counts before and after their codes — and building after each step must end exactly where
a build of the same files from empty ends, and where the independent reference ends."""

from __future__ import annotations

import pytest
import reference
from warehouse import DEMO_LANDING, Warehouse, demo_months

# Every SPEC §5 mart, and the columns that say what was derived (not when it ran).
SPEC_MARTS = {
    "opt_out_events": "*",
    "opt_out_periods": "*",
    "current_opt_outs": "*",
    "rejected_rows": "* exclude (received_at)",
    "practice_opt_out_statistics": "*",
    "ccg_opt_out_statistics": "*",
    "national_opt_out_statistics": "*",
    "individual_gp_level_data": "*",
}
# Also derived incrementally, so compared too.
DERIVED = {
    "intermediate.int_type2_attribution_monthly": "* exclude (derived_at)",
    "intermediate.int_type2_opted_out_at_month_end": "* exclude (derived_at)",
    "practice_data_quality": "*",
    "landing_file_reconciliation": "* exclude (first_received_at)",
}


def practice_files(month: str) -> list[str]:
    return sorted(p.name for p in (DEMO_LANDING / "opt_out_codes" / month).iterdir())


def shuffled_plan() -> list[list[tuple[str, str, list[str] | None]]]:
    """Steps of (feed, month, files or None for the whole month folder)."""
    months = demo_months()
    assert len(months) >= 6, "the demo data should have at least six months"
    first, second, third, fourth = months[0], months[1], months[2], months[3]
    half = len(practice_files(first)) // 2
    return [
        # Part of the first month, and the second month's counts before any of its codes.
        [("opt_out_codes", first, practice_files(first)[:half]), ("practice_counts", second, None)],
        # The rest of the first month after the second month's codes.
        [("opt_out_codes", second, None), ("opt_out_codes", first, practice_files(first)[half:])],
        # The fourth month, then the third late: its extract_date is earlier than what is known.
        [("opt_out_codes", fourth, None), ("practice_counts", first, None)],
        [("opt_out_codes", third, None), ("practice_counts", third, None), ("practice_counts", fourth, None)],
        # Everything else, in reverse order, with the GP-level collection.
        *[[("opt_out_codes", m, None), ("practice_counts", m, None)] for m in reversed(months[4:])],
        [("gp_level_data", "", None)],
    ]


def land_step(warehouse: Warehouse, step: list[tuple[str, str, list[str] | None]]) -> None:
    for feed, month, files in step:
        folder = DEMO_LANDING / feed / month
        if files is None:
            if folder.exists():
                warehouse.land(folder, f"{feed}/{month}" if month else feed)
        else:
            for name in files:
                warehouse.land(folder / name, f"{feed}/{month}/{name}")


def contents(warehouse: Warehouse, tables: dict[str, str]) -> dict[str, list[tuple]]:
    return {name: warehouse.query(f"select {columns} from {name} order by all") for name, columns in tables.items()}


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = Warehouse(tmp_path_factory.mktemp("shuffled"))
    warehouse.landing.mkdir(parents=True)
    for step in shuffled_plan():
        land_step(warehouse, step)
        warehouse.build()
    return warehouse


@pytest.mark.slow
def test_shuffled_landing_equals_a_build_from_empty(shuffled: Warehouse, demo_warehouse: Warehouse) -> None:
    assert contents(shuffled, SPEC_MARTS) == contents(demo_warehouse, SPEC_MARTS)
    assert contents(shuffled, DERIVED) == contents(demo_warehouse, DERIVED)


@pytest.mark.slow
def test_shuffled_landing_equals_the_reference(shuffled: Warehouse) -> None:
    expected = reference.compute(shuffled.landing)
    events = {(n, t, a, r): (i, rec, p) for n, t, a, r, i, rec, p in shuffled.table("opt_out_events")}
    assert events == {key: (e["imputed"], e["received_date"], e["practice"]) for key, e in expected.events.items()}
    assert set(shuffled.table("opt_out_periods")) == expected.periods
    assert {n: (on, received) for n, on, received in shuffled.table("current_opt_outs")} == expected.current
    statistics = {
        (month, practice): (registered, type1, type2)
        for month, practice, registered, type1, type2 in shuffled.query(
            "select reporting_month, practice_code, registered_patients, type1_opt_outs, type2_opt_outs "
            "from practice_opt_out_statistics"
        )
        if registered is not None or type2
    }
    assert statistics == reference.practice_statistics(expected)


@pytest.mark.slow
def test_shuffled_snapshot_current_versions_equal_current_opt_outs(shuffled: Warehouse) -> None:
    current = {n for (n,) in shuffled.query(
        "select nhs_number from snapshots.type2_opt_out_status where dbt_valid_to is null and is_opted_out")}
    assert current == {n for (n,) in shuffled.query("select nhs_number from current_opt_outs")}


@pytest.mark.slow
def test_a_monthly_build_derives_only_what_its_rows_touch(shuffled: Warehouse) -> None:
    """The last data build (the earliest remaining month, landed after later ones) rewrote only
    the months from its extract_date on, and only some patients."""
    last_build, = shuffled.query("select max(derived_at) from intermediate.int_type2_attribution_monthly")[0]
    months = {m for (m,) in shuffled.query(
        "select distinct reporting_month from intermediate.int_type2_attribution_monthly "
        f"where derived_at = '{last_build}'")}
    all_months = {m for (m,) in shuffled.query(
        "select distinct reporting_month from intermediate.int_type2_attribution_monthly")}
    assert months and months < all_months
    assert min(months) == min(all_months).replace(month=min(all_months).month + 4)
    rewritten, total = shuffled.query(
        f"select count(*) filter (where derived_at = '{last_build}'), count(*) from intermediate.int_opt_out_events")[0]
    assert 0 < rewritten < total


@pytest.mark.slow
def test_full_refresh_rederives_the_same_history(shuffled: Warehouse) -> None:
    before = contents(shuffled, {**SPEC_MARTS, **DERIVED})
    shuffled.build("--full-refresh")
    assert contents(shuffled, {**SPEC_MARTS, **DERIVED}) == before


def write_codes(landing, month: str, extract: str, rows: list[tuple[str, str, str]]) -> None:
    folder = landing / "opt_out_codes" / month
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["extract_date,practice_code,nhs_number,code,recorded_date"]
    lines += [f"{extract},A81001,{number},{code},{recorded}" for number, code, recorded in rows]
    (folder / f"A81001_{extract}.csv").write_text("\n".join(lines) + "\n")


@pytest.mark.slow
def test_a_late_month_changes_the_months_after_it(warehouse: Warehouse, tmp_path_factory) -> None:
    """R8 at later month ends: a withdrawal in a month that lands late changes the status at the
    end of every later month — here a month where the patient no longer appears at all."""
    leaver, stayer = "9000001005", "9000001013"
    april = [(leaver, "9Nu4", "2025-03-01"), (stayer, "9Nu4", "2025-03-02")]
    may = april + [(leaver, "9Nu5", "2025-04-20")]
    june = [(stayer, "9Nu4", "2025-03-02")]  # the leaver has left the practice
    write_codes(warehouse.landing, "2025-04", "2025-04-01", april)
    write_codes(warehouse.landing, "2025-06", "2025-06-02", june)
    warehouse.build()
    june_end = "select count(*) from intermediate.int_type2_opted_out_at_month_end where reporting_month = '2025-06-01'"
    assert warehouse.query(june_end) == [(2,)], "before May lands, the leaver is opted out at the end of June"
    write_codes(warehouse.landing, "2025-05", "2025-05-01", may)
    warehouse.build()
    assert warehouse.query(june_end) == [(1,)], "May's withdrawal applies at the end of June too"

    scratch = Warehouse(tmp_path_factory.mktemp("late_scratch"))
    scratch.land(warehouse.landing)
    scratch.build()
    tables = {"national_opt_out_statistics": "*", "practice_opt_out_statistics": "*",
              "intermediate.int_type2_opted_out_at_month_end": "* exclude (derived_at)"}
    assert contents(warehouse, tables) == contents(scratch, tables)
