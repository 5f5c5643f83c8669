"""Care Information Choices statistics and publication (R11-R13, docs/rules.md §5), the summary
page, the semantic layer, and reading while building."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
import reference
from warehouse import DEMO_LANDING, Warehouse, copy_project, demo_months

HEADERS = {
    "practice": ["ACH_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "CCG_CODE", "CCG_NAME", "REGISTERED_PATIENTS",
                 "TYPE_1_OPT_OUTS", "TYPE_1_OPT_OUT_RATE", "TYPE_2_OPT_OUTS", "TYPE_2_OPT_OUT_RATE"],
    "ccg": ["ACH_DATE", "CCG_CODE", "CCG_NAME", "REGISTERED_PATIENTS", "TYPE_1_OPT_OUTS", "TYPE_1_OPT_OUT_RATE",
            "TYPE_2_OPT_OUTS", "TYPE_2_OPT_OUT_RATE"],
    **{level: ["ACH_DATE", f"{prefix}_CODE", f"ONS_{prefix}_CODE", f"{prefix}_NAME", "REGISTERED_PATIENTS",
                "TYPE_1_OPT_OUTS", "TYPE_1_OPT_OUT_RATE", "TYPE_2_OPT_OUTS", "TYPE_2_OPT_OUT_RATE"]
       for level, prefix in (("sub_icb", "SUB_ICB_LOCATION"), ("icb", "ICB"), ("region", "COMM_REGION"))},
    "age_gender": ["ACH_DATE", "AGE_BAND", "GENDER", "TYPE_2_OPT_OUTS", "LIVING", "DECEASED"],
    "national": ["ACH_DATE", "REGISTERED_PATIENTS", "TYPE_1_OPT_OUTS", "TYPE_1_OPT_OUT_RATE", "TYPE_2_OPT_OUTS",
                 "TYPE_2_OPT_OUT_RATE", "CURRENT_TYPE_2_OPT_OUTS"],
}


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_practice_statistics_match_reference(demo_warehouse: Warehouse) -> None:
    """R11/R12 from an independent reading of the landing files."""
    expected = reference.practice_statistics(reference.compute(demo_warehouse.landing))
    actual = {
        (month, practice): (registered, type1, type2)
        for month, practice, registered, type1, type2 in demo_warehouse.query(
            "select reporting_month, practice_code, registered_patients, type1_opt_outs, type2_opt_outs "
            "from practice_opt_out_statistics"
        )
        if registered is not None or type2
    }
    assert actual == expected


def test_publication_files_have_spec_names_and_headers(demo_warehouse: Warehouse) -> None:
    latest = demo_months()[-1]
    for level, header in HEADERS.items():
        columns, rows = read_csv(demo_warehouse.publication / f"care_information_choices_{latest}_{level}.csv")
        assert columns == header
        assert rows and {r["ACH_DATE"] for r in rows} == {f"01/{latest[5:]}/{latest[:4]}"}


def test_published_england_row_equals_mart(demo_warehouse: Warehouse) -> None:
    latest = demo_months()[-1]
    _, rows = read_csv(demo_warehouse.publication / f"care_information_choices_{latest}_national.csv")
    registered, type1, type2, rate1, rate2, current = demo_warehouse.query(
        "select registered_patients, type1_opt_outs, type2_opt_outs, type1_rate, type2_rate, current_type2_opt_outs "
        f"from national_opt_out_statistics where reporting_month = '{latest}-01'"
    )[0]
    assert rows == [{
        "ACH_DATE": f"01/{latest[5:]}/{latest[:4]}", "REGISTERED_PATIENTS": str(registered),
        "TYPE_1_OPT_OUTS": str(type1), "TYPE_1_OPT_OUT_RATE": f"{rate1:.1f}", "TYPE_2_OPT_OUTS": str(type2),
        "TYPE_2_OPT_OUT_RATE": f"{rate2:.1f}", "CURRENT_TYPE_2_OPT_OUTS": str(current),
    }]


def test_published_practice_counts_are_disclosure_controlled(demo_warehouse: Warehouse) -> None:
    latest = demo_months()[-1]
    _, rows = read_csv(demo_warehouse.publication / f"care_information_choices_{latest}_practice.csv")
    for row in rows:
        for column in ("TYPE_1_OPT_OUTS", "TYPE_2_OPT_OUTS"):
            value = row[column]
            assert value in ("", "*") or int(value) % 5 == 0, (row["PRACTICE_CODE"], column, value)
    assert any(r["TYPE_2_OPT_OUTS"] == "*" and r["TYPE_2_OPT_OUT_RATE"] in ("*", "") for r in rows)


def test_no_nhs_number_in_any_publication_file(demo_warehouse: Warehouse) -> None:
    files = list(demo_warehouse.publication.iterdir())
    latest = demo_months()[-1]
    assert sorted(p.name for p in files) == sorted(
        [f"care_information_choices_{latest}_{level}.csv" for level in HEADERS]
        + [f"care_information_choices_{latest}_summary.html", f"care_information_choices_{latest}_datapackage.json"])
    for path in files:
        digits = re.sub(r"[ -]", "", path.read_text())
        assert not re.search(r"[0-9]{10}", digits), f"{path.name} holds a 10-digit number"


class SummaryParser(HTMLParser):
    """Collects the text of elements carrying data-field, keyed by their row."""

    def __init__(self) -> None:
        super().__init__()
        self.row: str | None = None
        self.field: str | None = None
        self.values: dict[tuple[str | None, str], str] = {}
        self.tables: list[str | None] = []
        self.table: str | None = None
        self.by_table: dict[tuple[str | None, str | None, str], str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr":
            self.row = next((attributes[key] for key in ("data-month", "data-ccg", "data-sub-icb", "data-icb",
                                                         "data-region") if attributes.get(key)), None)
            self.table = self.tables[-1] if self.tables else None
        if tag == "table":
            self.tables.append(attributes.get("id"))
        if "data-field" in attributes:
            self.field = attributes["data-field"]

    def handle_data(self, data: str) -> None:
        if self.field:
            self.values[(self.row, self.field)] = data.strip()
            self.by_table[(self.table, self.row, self.field)] = data.strip()
            self.field = None


def test_summary_page_numbers_equal_the_marts(demo_warehouse: Warehouse) -> None:
    latest = demo_months()[-1]
    parser = SummaryParser()
    parser.feed((demo_warehouse.publication / f"care_information_choices_{latest}_summary.html").read_text())
    national = demo_warehouse.query(
        "select strftime(reporting_month, '%Y-%m'), registered_patients, type1_opt_outs, type1_rate, "
        "type2_opt_outs, type2_rate, current_type2_opt_outs from national_opt_out_statistics order by 1"
    )
    for month, _, _, rate1, _, rate2, _ in national:
        assert parser.values[(month, "type1_rate")] == f"{rate1:.1f}"
        assert parser.values[(month, "type2_rate")] == f"{rate2:.1f}"
    _, registered, type1, rate1, type2, rate2, current = national[-1]
    assert parser.values[(None, "registered_patients")] == f"{registered:,}"
    assert parser.values[(None, "type1_opt_outs")] == f"{type1:,}"
    assert parser.values[(None, "type2_rate")] == f"{rate2:.1f}%"
    assert parser.values[(None, "current_type2_opt_outs")] == f"{current:,}"
    # A month from 2022-07 with today's geography: sub-ICB locations, ICBs and regions (SPEC §9).
    shown = 0
    for level, prefix in (("sub_icb", "SUB_ICB_LOCATION"), ("icb", "ICB"), ("region", "COMM_REGION")):
        table = level.replace("_", "-") + "-rates"
        for code, registered, t2, rate in demo_warehouse.query(
            f'select "{prefix}_CODE", "REGISTERED_PATIENTS", "TYPE_2_OPT_OUTS", "TYPE_2_OPT_OUT_RATE" '
            f"from publication.publication_{level}"
        ):
            assert parser.by_table[(table, code, "registered_patients")] == registered
            assert parser.by_table[(table, code, "type2_opt_outs")] == t2
            assert parser.by_table[(table, code, "type2_rate")] == rate
            shown += 1
    assert shown >= 3 and not any(table == "ccg-rates" for table, _, _ in parser.by_table)


def test_a_month_before_2022_07_is_shown_by_ccg() -> None:
    """SPEC §9: a month before 2022-07 (or without today's geography) is shown by CCG; from
    2022-07 with it, by sub-ICB location, ICB and region. The page lays out the publication
    views' rows as given."""
    from opt_out_io.publication import summary_page

    national = {"registered_patients": 100, "type1_opt_outs": 3, "type1_rate": 3.0, "type2_opt_outs": 2,
                "type2_rate": 2.0, "current_type2_opt_outs": 2}
    figures = {"REGISTERED_PATIENTS": "100", "TYPE_1_OPT_OUTS": "*", "TYPE_1_OPT_OUT_RATE": "*",
               "TYPE_2_OPT_OUTS": "10", "TYPE_2_OPT_OUT_RATE": "2.0"}
    ccgs = [{"CCG_CODE": "00Q", "CCG_NAME": "CCG Q", **figures}]
    areas = {"sub_icb": [{"SUB_ICB_LOCATION_CODE": "00Q", "SUB_ICB_LOCATION_NAME": "Loc Q", **figures}],
             "icb": [{"ICB_CODE": "QE1", "ICB_NAME": "ICB", **figures}],
             "region": [{"COMM_REGION_CODE": "Y62", "COMM_REGION_NAME": "North West", **figures}]}
    for month, given, shown in (("2022-06", {"sub_icb": [], "icb": [], "region": []}, {"ccg": "00Q"}),
                                ("2022-07", areas, {"sub-icb": "00Q", "icb": "QE1", "region": "Y62"})):
        parser = SummaryParser()
        parser.feed(summary_page(month, national, [(month, 3.0, 2.0)], ccgs, "standard", areas=given))
        tables = {table for table, _, _ in parser.by_table if table and table.endswith("-rates")}
        assert tables == {f"{key}-rates" for key in shown}, month
        for key, code in shown.items():
            assert parser.by_table[(f"{key}-rates", code, "type2_opt_outs")] == "10"
            assert parser.by_table[(f"{key}-rates", code, "type1_rate")] == "*"


def test_a_republished_month_keeps_no_csv_it_no_longer_has(tmp_path: Path) -> None:
    """docs/rules.md §5: a month's files are exactly its publication's. Republished without
    today's geography (the seed emptied), its earlier sub-ICB file goes; other months' stay."""
    from opt_out_io.publication import CsvFile, write_month

    stale = tmp_path / "care_information_choices_2025-10_sub_icb.csv"
    other_month = tmp_path / "care_information_choices_2025-09_sub_icb.csv"
    for path in (stale, other_month):
        path.write_text("ACH_DATE\n")
    written = write_month(tmp_path, "2025-10", [CsvFile("ccg", 1, lambda p: p.write_text("ACH_DATE\n01/10/2025\n"))],
                          "<html></html>", 1)
    assert [name for name, _ in written] == ["care_information_choices_2025-10_ccg.csv",
                                             "care_information_choices_2025-10_summary.html"]
    assert not stale.exists() and other_month.exists()


def test_a_mangled_geography_seed_stops_the_build_naming_the_rows(tmp_path: Path) -> None:
    """SPEC §9: an ICB code with a trailing space (which would publish one ICB as two rows), an
    ONS code given to two locations and a practice code in lower case stop the build, each
    named in the log."""
    project = copy_project(tmp_path / "project")
    seed = project / "seeds" / "sub_icb_locations.csv"
    lines = seed.read_text().splitlines()
    lines[2] = lines[2].replace(",QE1,", ",QE1 ,")
    lines[4] = lines[4].replace("E38000085", "E38000034")
    seed.write_text("\n".join(lines) + "\n")
    members = project / "seeds" / "practice_sub_icb_locations.csv"
    members.write_text(members.read_text().replace("D84001,", "d84001,"))
    warehouse = Warehouse(tmp_path / "w", project_dir=project)
    warehouse.landing.mkdir(parents=True)
    result = warehouse.dbt("build", "--select", "sub_icb_locations", "practice_sub_icb_locations", check=False)
    assert result.returncode != 0
    for named in ("problem=code_not_upper_case_letters_and_digits, area_code=01A",
                  "problem=ons_code_of_two_areas, area_code=E38000034",
                  "problem=practice_code_not_as_r6_writes_it, area_code=d84001"):
        assert named in result.stdout, named


def membership_from_seeds() -> tuple[list[dict], dict[str, dict]]:
    """The seeds as a reader sees them (independent of the warehouse)."""
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    _, periods = read_csv(seeds / "practice_sub_icb_locations.csv")
    _, locations = read_csv(seeds / "sub_icb_locations.csv")
    return periods, {row["sub_icb_code"]: row for row in locations}


def test_area_statistics_follow_the_membership_on_the_first_of_the_month(demo_warehouse: Warehouse) -> None:
    """SPEC §9, R13 on today's geography, read independently: each practice row of a month
    from 2022-07 counts in the sub-ICB location (and its ICB and region) whose
    practice_sub_icb_locations period holds the month's first day, else UNKNOWN. The demo
    moves B82003 between locations on 2025-09-01 and has a practice outside the seed."""
    periods, locations = membership_from_seeds()

    def area(practice: str, month, level: str) -> tuple:
        first = month.isoformat()
        for period in periods:
            if period["practice_code"] == practice and period["valid_from"] <= first and (
                    not period["valid_to"] or period["valid_to"] > first):
                row = locations[period["sub_icb_code"]]
                return row[f"{level}_code"], row[f"{level}_ons_code"], row[f"{level}_name"]
        return "UNKNOWN", None, None

    practice_rows = demo_warehouse.query("select reporting_month, practice_code, registered_patients, "
                                         "type1_opt_outs, type2_opt_outs from practice_opt_out_statistics")
    assert {p for _, p, *_ in practice_rows} >= {"B82003", "E85001"}
    for level in ("sub_icb", "icb", "region"):
        expected: dict[tuple, list] = {}
        for month, practice, registered, type1, type2 in practice_rows:
            if month.isoformat() < "2022-07-01":
                continue
            sums = expected.setdefault((month, *area(practice, month, level)), [None, None, 0])
            for index, value in enumerate((registered, type1, type2)):
                if value is not None:
                    sums[index] = (sums[index] or 0) + value
        actual = {(month, code, ons, name): [registered, type1, type2]
                  for month, code, ons, name, registered, type1, type2 in demo_warehouse.query(
                      f"select reporting_month, {level}_code, {level}_ons_code, {level}_name, registered_patients, "
                      f"type1_opt_outs, type2_opt_outs from {level}_opt_out_statistics")}
        assert actual == expected, level
    moved = demo_warehouse.query("select strftime(reporting_month, '%Y-%m'), count(*) from sub_icb_opt_out_statistics "
                                 "where sub_icb_code = '02T' group by all order by 1")
    assert moved and all(count == 1 for _, count in moved)


def test_age_gender_cells_match_an_independent_reading(demo_warehouse: Warehouse) -> None:
    """SPEC §9, read independently from the landing files: every patient opted out at each
    month's last day counted once, by the age band, gender and deceased flag of their latest
    accepted demographics row (Unknown when there is none, or when that date's rows
    disagree). The demo has deaths, a corrected gender, rejected rows and a conflict."""
    ref = reference.compute(demo_warehouse.landing)
    people = reference.demographics(demo_warehouse.landing, ref.links)
    assert None in people.values() and any(p and p[2] for p in people.values())
    months = [m for (m,) in demo_warehouse.query("select reporting_month from national_opt_out_statistics")]
    expected = reference.age_gender_cells(ref, people, months)
    actual = {(m, band, gender, deceased): n for m, band, gender, deceased, n in demo_warehouse.query(
        "select reporting_month, age_band, gender, deceased, type2_opt_outs from type2_opt_outs_by_age_gender")}
    assert actual == expected
    bands = {band for _, band, _, _ in actual}
    assert {"0-17", "18-29", "90+", "Unknown"} <= bands


def test_age_gender_publication_is_disclosure_controlled_and_on_the_page(demo_warehouse: Warehouse) -> None:
    """SPEC §9: every figure but England's total is * (1-7) or a multiple of 5 — the total's
    living/deceased split too; the England total is exact; the page shows the file's cells."""
    latest = demo_months()[-1]
    _, rows = read_csv(demo_warehouse.publication / f"care_information_choices_{latest}_age_gender.csv")
    total = demo_warehouse.query("select sum(type2_opt_outs), sum(case when deceased then type2_opt_outs end) "
                                 f"from type2_opt_outs_by_age_gender where reporting_month = '{latest}-01'")[0]
    england = [r for r in rows if (r["AGE_BAND"], r["GENDER"]) == ("All", "All")]
    assert int(england[0]["TYPE_2_OPT_OUTS"]) == total[0] and 1 <= total[1] <= 7
    assert england[0]["DECEASED"] == "*"
    assert any(r["TYPE_2_OPT_OUTS"] == "*" for r in rows)
    for row in rows:
        for column in ("TYPE_2_OPT_OUTS", "LIVING", "DECEASED"):
            if (row["AGE_BAND"], row["GENDER"], column) != ("All", "All", "TYPE_2_OPT_OUTS"):
                assert row[column] == "*" or int(row[column]) % 5 == 0, (row, column)
    page = (demo_warehouse.publication / f"care_information_choices_{latest}_summary.html").read_text()
    for row in rows:
        cell = re.search(rf'<tr data-age-band="{re.escape(row["AGE_BAND"])}" data-gender="{row["GENDER"]}">(.*?)</tr>',
                         page)
        assert cell, row
        assert re.findall(r'<td data-field="[a-z0-9_]+">([^<]*)</td>', cell.group(1)) == [
            row["TYPE_2_OPT_OUTS"], row["LIVING"], row["DECEASED"]]


def test_the_datapackage_describes_each_csv_with_types(demo_warehouse: Warehouse) -> None:
    """SPEC §9 open formats: the month's datapackage.json lists every CSV written, its columns
    in order with a description each, and types a reader can trust: every value of an
    integer or number column parses (or is a declared missing value: empty, or * withheld)."""
    latest = demo_months()[-1]
    package = json.loads((demo_warehouse.publication / f"care_information_choices_{latest}_datapackage.json")
                         .read_text())
    assert package["profile"] == "tabular-data-package"
    assert "1 to 7" in package["disclosure_control"]["rule"]
    paths = {resource["path"] for resource in package["resources"]}
    assert paths == {p.name for p in demo_warehouse.publication.glob("*.csv")}
    for resource in package["resources"]:
        columns, rows = read_csv(demo_warehouse.publication / resource["path"])
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == columns
        assert all(f["description"] for f in fields), resource["path"]
        missing = set(resource["schema"]["missingValues"])
        for field in fields:
            parse = {"integer": int, "number": float, "string": str,
                     "date": lambda v: __import__("datetime").datetime.strptime(v, "%d/%m/%Y")}[field["type"]]
            for row in rows:
                if row[field["name"]] not in missing:
                    parse(row[field["name"]])
        assert {f["type"] for f in fields if f["name"].endswith("_OPT_OUTS")} == {"integer"}


def test_each_public_mart_has_a_parquet_copy_equal_to_it(demo_warehouse: Warehouse) -> None:
    """SPEC §9 open formats: every public mart as typed Parquet beside the analyst copy,
    owner-only, holding exactly the mart's rows and column types."""
    nodes = json.loads((demo_warehouse.root / "target" / "manifest.json").read_text())["nodes"].values()
    expected = {n["name"] for n in nodes if n["resource_type"] == "model" and n.get("access") == "public"}
    files = {p.stem: p for p in demo_warehouse.parquet.glob("*.parquet")}
    assert set(files) == expected
    assert stat.S_IMODE(demo_warehouse.parquet.stat().st_mode) == 0o700
    with duckdb.connect(str(demo_warehouse.db_path), read_only=True) as con:
        for mart, path in files.items():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, mart
            types = con.execute(f"select column_name, column_type from (describe main.{mart})").fetchall()
            assert con.execute(f"select column_name, column_type from (describe select * from '{path}')").fetchall() \
                == types, mart
            difference = con.execute(f"select count(*) from ((select * from main.{mart} except all "
                                     f"select * from '{path}') union all (select * from '{path}' except all "
                                     f"select * from main.{mart}))").fetchone()[0]
            assert difference == 0, mart


def test_chosen_month_without_disclosure_control(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    shutil.copy(demo_warehouse.db_path, warehouse.db_path)
    warehouse.landing.symlink_to(demo_warehouse.landing)
    warehouse.dbt("run", "--select", "publication", "publication_files", extra_vars={"publication_month": "2025-08",
                                                                "disclosure_control": "none"})
    _, rows = read_csv(warehouse.publication / "care_information_choices_2025-08_practice.csv")
    expected = {p: t2 for p, t2 in warehouse.query(
        "select practice_code, type2_opt_outs from practice_opt_out_statistics where reporting_month = '2025-08-01'")}
    assert {r["PRACTICE_CODE"]: int(r["TYPE_2_OPT_OUTS"]) for r in rows} == expected


def test_metricflow_query_matches_the_marts(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """An analyst's `mf query` returns the England figures of the marts. mf reads the
    semantic manifest under the project's own target/, so it runs in a copy of the project."""
    project = copy_project(tmp_path / "project")
    analyst = Warehouse(demo_warehouse.root, project_dir=project)
    env = analyst.env()
    subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--vars",
                    f"{{landing_dir: '{demo_warehouse.landing}'}}"],
                   cwd=project, env=env, capture_output=True, text=True, check=True)
    output = tmp_path / "mf.csv"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("mf")), "query", "--metrics", "type2_opt_outs", "--group-by",
         "metric_time__month", "--order", "metric_time__month", "--csv", str(output)],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    _, rows = read_csv(output)
    from_mf = {r["metric_time__month"][:7]: int(float(r["type2_opt_outs"])) for r in rows}
    from_mart = {m: t2 for m, t2 in demo_warehouse.query(
        "select strftime(reporting_month, '%Y-%m'), type2_opt_outs from national_opt_out_statistics")}
    assert from_mf == from_mart


@pytest.mark.slow
def test_reading_while_building(warehouse: Warehouse) -> None:
    """An analyst's open connection neither blocks the build nor sees it half-done."""
    months = demo_months()
    warehouse.built_demo(months[:-1])
    analyst = duckdb.connect(str(warehouse.analyst_copy), read_only=True)
    before = analyst.execute("select count(*), max(reporting_month) from national_opt_out_statistics").fetchone()
    for feed in ("opt_out_codes", "practice_counts"):
        warehouse.land(DEMO_LANDING / feed / months[-1], f"{feed}/{months[-1]}")
    warehouse.build()  # succeeds with the analyst connection open
    assert analyst.execute("select count(*), max(reporting_month) from national_opt_out_statistics").fetchone() == before
    analyst.close()
    with duckdb.connect(str(warehouse.analyst_copy), read_only=True) as fresh:
        after = fresh.execute("select count(*), max(reporting_month) from national_opt_out_statistics").fetchone()
    assert after[0] == before[0] + 1


@pytest.mark.slow
def test_a_month_whose_counts_have_not_arrived_is_published_with_them_missing(warehouse: Warehouse) -> None:
    """The latest month has codes but no practice counts yet: all its files are written,
    the England file shows Type 1 as missing (not 0), and the page says what has not arrived."""
    months = demo_months()
    for month in months[:-1]:
        for feed in ("opt_out_codes", "practice_counts"):
            warehouse.land(DEMO_LANDING / feed / month, f"{feed}/{month}")
    warehouse.land(DEMO_LANDING / "opt_out_codes" / months[-1], f"opt_out_codes/{months[-1]}")
    warehouse.build()
    latest = months[-1]
    assert sorted(p.name for p in warehouse.publication.iterdir()) == sorted(
        f"care_information_choices_{latest}_{level}" for level in
        ("ccg.csv", "national.csv", "practice.csv", "summary.html",
         "sub_icb.csv", "icb.csv", "region.csv", "datapackage.json"))
    _, rows = read_csv(warehouse.publication / f"care_information_choices_{latest}_national.csv")
    assert rows[0]["REGISTERED_PATIENTS"] == "" and rows[0]["TYPE_1_OPT_OUTS"] == ""
    assert rows[0]["TYPE_2_OPT_OUTS"] not in ("", "0")
    page = (warehouse.publication / f"care_information_choices_{latest}_summary.html").read_text()
    assert "No practice has sent its counts for this month yet" in page
    assert "not yet received" in page


def test_republishing_a_past_month_builds(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """README: any past month can be reproduced with `dbt build --vars publication_month` —
    every unit test pins the vars it relies on, so none fails for the month chosen. The
    second build also shows which Parquet copies it rewrites (only the changed marts')."""
    warehouse = Warehouse(tmp_path)
    shutil.copy(demo_warehouse.db_path, warehouse.db_path)
    warehouse.landing.symlink_to(demo_warehouse.landing)
    shutil.copytree(demo_warehouse.parquet, warehouse.parquet)
    unchanged = warehouse.parquet / "practice_opt_out_statistics.parquet"
    before = (unchanged.stat().st_mtime_ns, unchanged.stat().st_ino)
    # Loosened permissions are tightened again, and a file corrupted in its middle (its
    # footer intact) is written again.
    (warehouse.parquet / "current_opt_outs.parquet").chmod(0o644)
    corrupted = warehouse.parquet / "national_opt_out_statistics.parquet"
    with corrupted.open("r+b") as handle:
        handle.seek(8)
        handle.write(b"\0" * 64)
    past = demo_months()[-2]
    warehouse.build(extra_vars={"publication_month": past})
    _, rows = read_csv(warehouse.publication / f"care_information_choices_{past}_national.csv")
    assert rows[0]["ACH_DATE"] == f"01/{past[5:]}/{past[:4]}"
    # SPEC §9: a mart's Parquet copy is written only when the mart changed. Nothing landed,
    # so the statistics did not change; the build published a new record version, which did.
    written = dict(warehouse.query("select table_name, parquet_written from analyst_copy where parquet_written is not null"))
    assert written["practice_opt_out_statistics"] is False and written["current_opt_outs"] is False
    assert (unchanged.stat().st_mtime_ns, unchanged.stat().st_ino) == before
    assert stat.S_IMODE((warehouse.parquet / "current_opt_outs.parquet").stat().st_mode) == 0o600
    assert written["national_opt_out_statistics"] is True
    assert warehouse.query(f"select count(*) from '{corrupted}'") == warehouse.query(
        "select count(*) from national_opt_out_statistics")
    assert written["published_record_versions"] is True
    versions = warehouse.query("select count(*) from published_record_versions")[0][0]
    assert warehouse.query(f"select count(*) from '{warehouse.parquet / 'published_record_versions.parquet'}'")[0][0] \
        == versions == 2


def public_marts_and_reference_seeds(manifest_path: Path) -> set[str]:
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return {n["name"] for n in nodes if (n["resource_type"] == "model" and n.get("access") == "public")
            or (n["resource_type"] == "seed" and n["config"]["meta"].get("reference_data"))}


def test_the_analyst_copy_holds_every_public_mart(demo_warehouse: Warehouse) -> None:
    """Issue 20 item 3: every public mart (access: public) and reference seed is in the analyst
    copy; its release_manifest holds rows of the warehouse's (as they stood at the copy)."""
    expected = public_marts_and_reference_seeds(demo_warehouse.root / "target" / "manifest.json")
    for mart in ("practice_data_quality", "opt_out_service_level", "published_record_versions", "release_manifest",
                 "release_audit", "opt_out_changes_waiting", "current_opt_outs", "practices"):
        assert mart in expected
    with duckdb.connect(str(demo_warehouse.analyst_copy), read_only=True) as analyst:
        copied = {name for (name,) in analyst.execute("select table_name from information_schema.tables").fetchall()}
        manifest_rows = set(analyst.execute("select release_name, version_id from release_manifest").fetchall())
    assert copied == expected
    assert manifest_rows <= set(demo_warehouse.query("select release_name, version_id from release_manifest"))


def test_a_public_mart_left_out_of_the_analyst_copy_stops_the_build(tmp_path: Path) -> None:
    """The rule, not the list: a public mart or reference seed missing from analyst_copy.py is
    one sentence naming both and the file to change."""
    project = copy_project(tmp_path / "project")
    script = project / "models" / "exports" / "analyst_copy.py"
    text = script.read_text()
    for left_out in ('"opt_out_service_level": dbt.ref("opt_out_service_level"),',
                     '"practices": dbt.ref("practices"),'):
        assert left_out in text
        text = text.replace(left_out, "", 1)
    script.write_text(text)
    result = Warehouse(tmp_path / "w", project_dir=project).dbt("run-operation", "check_analyst_copy", check=False,
                                                                       cli=True)
    assert result.returncode != 0
    assert ("The analyst copy does not refer to opt_out_service_level, practices: add dbt.ref('<name>')"
            " for each to models/exports/analyst_copy.py") in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def rendered(page: Path) -> str:
    """The DOM of `page` after its scripts ran, in headless Chromium (make setup-test installs it)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "no chromium: make setup-test installs Debian's chromium"
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000",
                             "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_docs_site_renders_from_disk(demo_warehouse: Warehouse) -> None:
    """Issue 20 item 7: make docs writes one page that renders opened from disk: the browser
    draws the project tree (links to models, which the file itself does not hold)."""
    demo_warehouse.dbt("docs", "generate", "--static")
    page = demo_warehouse.root / "target" / "static_index.html"
    links = re.findall(r'href="#!/model/model\.opt_out_warehouse\.(\w+)"', rendered(page))
    assert len(set(links)) >= 5
    assert 'href="#!/model/' not in page.read_text()


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    import struct
    import zlib

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(b"".join(chunks)), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, up_left = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                estimate = left + up - up_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        rows.append(bytes(line))
        previous = line
    return width, channels, rows


def test_the_summary_page_draws_each_rate_on_its_own_round_scale(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """Issue 20 item 8, in a real browser: one panel per opt-out type, each from 0 in round
    steps reaching its highest rate, and the Type 2 line drawn over a visible height of its
    panel (on Type 1's scale it lay flat on the axis)."""
    latest = demo_months()[-1]
    page = demo_warehouse.publication / f"care_information_choices_{latest}_summary.html"
    dom = rendered(page)
    highest = dict(zip(("type1", "type2"), demo_warehouse.query(
        "select max(type1_rate), max(type2_rate) from national_opt_out_statistics")[0]))
    for panel in ("type1", "type2"):
        svg = re.search(rf'<svg[^>]*data-panel="{panel}".*?</svg>', dom, re.S).group(0)
        ticks = [float(t) for t in re.findall(r'<text class="tick"[^>]*>([0-9.]+)%</text>', svg)]
        steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
        assert ticks[0] == 0 and len(steps) == 1 and 3 <= len(ticks) <= 6, ticks
        step = steps.pop()
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5)), ticks
        assert ticks[-1] >= highest[panel] > ticks[-1] - step, (panel, ticks, highest[panel])
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    shot = tmp_path / "summary.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1000,1400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    width, channels, rows = png_pixels(shot)
    # Pixels of the Type 2 colour (#da291c): its line and points, and nothing else on the page.
    red_rows = [y for y, row in enumerate(rows) if any(
        abs(row[x] - 0xda) < 40 and abs(row[x + 1] - 0x29) < 40 and abs(row[x + 2] - 0x1c) < 40
        for x in range(0, width * channels, channels))]
    assert red_rows, "the Type 2 line is not on the screen"
    assert max(red_rows) - min(red_rows) >= 20, "the Type 2 line is drawn flat"
