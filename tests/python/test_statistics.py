"""Care Information Choices statistics and publication (R11-R13, docs/rules.md §5), the summary
page, the semantic layer, and reading while building."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
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
    assert len(files) == 4
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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr":
            self.row = attributes.get("data-month") or attributes.get("data-ccg")
        if "data-field" in attributes:
            self.field = attributes["data-field"]

    def handle_data(self, data: str) -> None:
        if self.field:
            self.values[(self.row, self.field)] = data.strip()
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
    for ccg, t2, rate in demo_warehouse.query(
        'select "CCG_CODE", "TYPE_2_OPT_OUTS", "TYPE_2_OPT_OUT_RATE" from publication.publication_ccg'
    ):
        assert parser.values[(ccg, "type2_opt_outs")] == t2
        assert parser.values[(ccg, "type2_rate")] == rate


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
    """The latest month has codes but no practice counts yet: all four files are written,
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
        ("ccg.csv", "national.csv", "practice.csv", "summary.html"))
    _, rows = read_csv(warehouse.publication / f"care_information_choices_{latest}_national.csv")
    assert rows[0]["REGISTERED_PATIENTS"] == "" and rows[0]["TYPE_1_OPT_OUTS"] == ""
    assert rows[0]["TYPE_2_OPT_OUTS"] not in ("", "0")
    page = (warehouse.publication / f"care_information_choices_{latest}_summary.html").read_text()
    assert "No practice has sent its counts for this month yet" in page
    assert "not yet received" in page


def test_republishing_a_past_month_builds(demo_warehouse: Warehouse, tmp_path: Path) -> None:
    """README: any past month can be reproduced with `dbt build --vars publication_month` —
    every unit test pins the vars it relies on, so none fails for the month chosen."""
    warehouse = Warehouse(tmp_path)
    shutil.copy(demo_warehouse.db_path, warehouse.db_path)
    warehouse.landing.symlink_to(demo_warehouse.landing)
    past = demo_months()[-2]
    warehouse.build(extra_vars={"publication_month": past})
    _, rows = read_csv(warehouse.publication / f"care_information_choices_{past}_national.csv")
    assert rows[0]["ACH_DATE"] == f"01/{past[5:]}/{past[:4]}"


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
    result = Warehouse(tmp_path / "w", project_dir=project).dbt("run-operation", "check_analyst_copy", check=False)
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
