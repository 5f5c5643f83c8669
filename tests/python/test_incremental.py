"""docs/rules.md §7: monthly builds derive only what the new rows touch. Landing the demo
months out of order — a month in two parts, a late month with an earlier extract_date,
counts before and after their codes, the later demographics extract before the earlier
one, NHS number changes before the codes they link — and building after each step must end exactly where
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
    # SPEC §9: today's geography, and age and gender (the later demographics extract landed
    # before the earlier one).
    "sub_icb_opt_out_statistics": "*",
    "icb_opt_out_statistics": "*",
    "region_opt_out_statistics": "*",
    "type2_opt_outs_by_age_gender": "*",
    "nhs_number_change_conflicts": "* exclude (linked_at)",
}
# Also derived incrementally, so compared too.
DERIVED = {
    "intermediate.int_type2_attribution_monthly": "* exclude (derived_at)",
    "intermediate.int_type2_opted_out_at_month_end": "* exclude (derived_at)",
    "practice_data_quality": "*",
    "landing_file_reconciliation": "* exclude (first_received_at)",
    "intermediate.int_nhs_number_patients": "* exclude (derived_at, linked_at)",
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
        [("opt_out_codes", second, None), ("opt_out_codes", first, practice_files(first)[half:]),
         ("patient_demographics", "2025-10", None)],
        # The fourth month, then the third late: its extract_date is earlier than what is known.
        # The NHS number changes, after the opt-outs of the patients they link are known (their
        # snapshot versions are closed) and before some of the codes: a link applied now is in
        # conflict once the new number's earlier history lands (two patients), and is undone.
        [("opt_out_codes", fourth, None), ("practice_counts", first, None), ("nhs_number_changes", "2025-09", None)],
        [("opt_out_codes", third, None), ("practice_counts", third, None), ("practice_counts", fourth, None)],
        # Everything else, in reverse order, with the GP-level collection.
        *[[("opt_out_codes", m, None), ("practice_counts", m, None)] for m in reversed(months[4:])],
        [("gp_level_data", "", None), ("patient_demographics", "2025-07", None)],
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


# Checks scoped the way the project's own are, on data the code handles correctly: one on a
# derived table fails on rows from practice B81002, one on a per-patient view fails on patient
# 9000001013 (name, model, column, accepted value, where).
INJECTED_SCOPED_CHECKS = {
    "derived": ("int_opt_out_events", "practice_code", "A81001", "derived_at > __last_checked_build__"),
    "per_patient": ("int_type2_status_current", "nhs_number", "9000001005", "nhs_number in __unchecked_patients__"),
}


def inject_scoped_checks(project, names) -> None:
    models = project / "models" / "opt_outs" / "_opt_outs__models.yml"
    text = (project / "_opt_outs__models.original").read_text() if (
        project / "_opt_outs__models.original").exists() else models.read_text()
    (project / "_opt_outs__models.original").write_text(text)
    for name in names:
        model, column, value, where = INJECTED_SCOPED_CHECKS[name]
        head, tail = text.split(f"- name: {model}\n", 1)
        block, rest = tail.split("\n- name: ", 1)
        check = (f"  - accepted_values:\n      column_name: {column}\n      arguments:\n        values: ['{value}']\n"
                 f"      config:\n        where: \"{where}\"\n")
        block = block.rstrip("\n") + "\n"
        block = block.replace("\n  data_tests:\n", "\n  data_tests:\n" + check, 1) if "\n  data_tests:\n" in block \
            else block + "  data_tests:\n" + check
        text = head + f"- name: {model}\n" + block + "\n- name: " + rest
    models.write_text(text)


def failed_checks(result) -> set[str]:
    return {name for name, (model, *_) in INJECTED_SCOPED_CHECKS.items()
            if any(" FAIL " in line and f"accepted_values_{model}" in line for line in result.stdout.splitlines())}


@pytest.mark.slow
def test_a_failing_check_keeps_failing_until_fixed(tmp_path) -> None:
    """Tests cannot heal themselves (docs/rules.md §7): a scoped check that fails keeps failing
    on the next build though that build writes nothing new; the patients a catch-up build
    derives are checked; `dbt test` on its own checks every row."""
    from warehouse import copy_project

    project = copy_project(tmp_path / "project")
    inject_scoped_checks(project, ["derived", "per_patient"])
    warehouse = Warehouse(tmp_path / "w", project_dir=project)
    warehouse.landing.mkdir(parents=True)
    write_codes(warehouse.landing, "2025-04", "2025-04-01", [("9000001005", "9Nu4", "2025-03-01")])
    warehouse.build()
    write_codes(warehouse.landing, "2025-05", "2025-05-01", [("9000001013", "9Nu4", "2025-04-02")])
    sent = warehouse.landing / "opt_out_codes" / "2025-05" / "A81001_2025-05-01.csv"
    sent.with_name("B81002_2025-05-01.csv").write_text(sent.read_text().replace("A81001", "B81002"))
    sent.unlink()

    first = warehouse.build(check=False)
    assert first.returncode != 0 and failed_checks(first) == {"derived"}, first.stdout[-3000:]
    again = warehouse.build(check=False)  # nothing new: the same check fails again
    assert again.returncode != 0 and failed_checks(again) == {"derived"}, again.stdout[-3000:]

    inject_scoped_checks(project, ["per_patient"])  # the derived check is "fixed"
    catch_up = warehouse.build(check=False)  # derives the patient the failed builds left behind
    assert catch_up.returncode != 0 and failed_checks(catch_up) == {"per_patient"}, catch_up.stdout[-3000:]
    alone = warehouse.dbt("test", check=False)
    assert alone.returncode != 0 and failed_checks(alone) == {"per_patient"}, alone.stdout[-3000:]
    assert warehouse.query("select build_number from landing.checked_builds") == [(1,)]

    inject_scoped_checks(project, [])
    warehouse.build()
    assert len(warehouse.query("select build_number from landing.checked_builds")) == 2


@pytest.mark.slow
def test_a_rule_change_refuses_an_incremental_build(tmp_path) -> None:
    """A rule change cannot leave stale history (docs/rules.md §7): a build under changed rule
    code stops before anything is derived, in one sentence naming the tables and the command;
    --full-refresh derives them again and records the new code. A change outside the derived
    history (a publication view) asks for nothing."""
    from warehouse import copy_project

    project = copy_project(tmp_path / "project")
    warehouse = Warehouse(tmp_path / "w", project_dir=project)
    warehouse.landing.mkdir(parents=True)
    write_codes(warehouse.landing, "2025-04", "2025-04-01", [("9000001005", "9Nu4", "2025-03-01")])
    warehouse.build()
    derived = "select max(derived_at) from intermediate.int_type2_status_changes"
    before = warehouse.query(derived)

    rule = project / "macros" / "rules" / "status_decision_key.sql"
    rule.write_text(rule.read_text().replace("{%- endmacro %}", "{#- changed -#}{%- endmacro %}", 1))
    view = project / "models" / "publication" / "publication_national.sql"
    view.write_text(view.read_text() + "\n-- changed\n")
    write_codes(warehouse.landing, "2025-05", "2025-05-01", [("9000001013", "9Nu4", "2025-04-02")])
    refused = warehouse.build(check=False, cli=True)
    assert refused.returncode != 0
    message = refused.stdout.split("The rule code changed since it derived the history in ", 1)[1].split(":")[0]
    assert message.split(", ") == ["int_type2_attribution_monthly", "int_type2_opt_outs_monthly",
                                   "int_type2_opted_out_at_month_end", "int_type2_status_by_received_date",
                                   "int_type2_status_changes"], message
    assert "run `dbt build --full-refresh`" in refused.stdout and "Traceback" not in refused.stdout + refused.stderr
    assert warehouse.query(derived) == before, "nothing derived under the changed code"

    warehouse.build("--full-refresh")
    warehouse.build()
    assert warehouse.query("select count(*) from current_opt_outs") == [(2,)]


@pytest.mark.slow
def test_a_partial_build_leaves_no_stale_month(warehouse: Warehouse) -> None:
    """A stale month cannot stay (docs/rules.md §7): a --select build that derives a month end
    while the statuses it reads are behind (here a withdrawal not yet derived) leaves a month
    the next whole build derives again, because it derives everything since the last checked
    build, not since each model's own last run."""
    leaver = "9000001005"
    write_codes(warehouse.landing, "2025-04", "2025-04-01", [(leaver, "9Nu4", "2025-03-01")])
    warehouse.build()
    write_codes(warehouse.landing, "2025-05", "2025-05-01", [(leaver, "9Nu4", "2025-03-01"), (leaver, "9Nu5", "2025-04-20")])
    # New rows taken in and the month end derived, but not the events and statuses between them.
    warehouse.build("--select", "+int_opt_out_code_first_arrivals", "+int_reporting_months",
                    "int_type2_opted_out_at_month_end")
    may_end = "select count(*) from intermediate.int_type2_opted_out_at_month_end where reporting_month = '2025-05-01'"
    assert warehouse.query(may_end) == [(1,)], "the partial build read the statuses from before May"
    warehouse.build()
    assert warehouse.query(may_end) == [(0,)], "the whole build derives May's month end again"
    assert warehouse.query("select count(*) from current_opt_outs") == [(0,)]
