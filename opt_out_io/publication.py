"""docs/rules.md §5: write the Care Information Choices files of one month — the CSVs (practice,
CCG and England; sub-ICB location, ICB and region too from 2022-07 when today's geography
is supplied), their Frictionless `datapackage.json` and a self-contained HTML summary
page — all or none.

Every figure comes from the publication views and statistics marts; this module only
lays them out. The page is `templates/summary_page.html` (string.Template placeholders).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from opt_out_io.files import make_private_directory, write_private, write_text_private

TEMPLATE = Path(__file__).with_name("templates") / "summary_page.html"
# The publication views' documentation: the one source of the datapackage's descriptions.
VIEWS_YAML = Path(__file__).resolve().parents[1] / "models" / "publication" / "_publication__models.yml"
MISSING = "not yet received"


@dataclass
class CsvFile:
    level: str                           # practice, ccg, sub_icb, icb, region or national
    rows: int
    write: Callable[[Path], None]        # writes the CSV (header included) to a path


def file_name(month: str, level: str, suffix: str = "csv") -> str:
    return f"care_information_choices_{month}_{level}.{suffix}"


def rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def count(value: int | None) -> str:
    return MISSING if value is None else f"{int(value):,}"


def nice_ticks(maximum: float, intervals: int = 4) -> list[float]:
    """Axis ticks from 0 in a round step (1, 2, 2.5 or 5 x 10^k) reaching at least `maximum`,
    in about `intervals` steps: 0, 1, 2, 3, 4 rather than 0, 0.8, 1.7, 2.5, 3.4."""
    maximum = maximum if maximum > 0 else 1.0
    raw = maximum / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    steps = math.ceil(maximum / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def tick_label(value: float) -> str:
    return f"{value:g}%"


def chart_svg(series: list[tuple[str, float | None, float | None]]) -> str:
    """England Type 1 and Type 2 rates over all months: one panel each, each on its own scale
    from 0 with round ticks, so the smaller Type 2 rate is not drawn flat under Type 1's."""
    return "\n".join(panel_svg(series, position, name, colour) for position, (name, colour) in
                     enumerate((("Type 1", "#005eb8"), ("Type 2", "#da291c"))))


def panel_svg(series: list[tuple[str, float | None, float | None]], position: int, name: str, colour: str) -> str:
    width, height, left, right, top, bottom = 720, 220, 56, 40, 28, 40
    values = [row[1 + position] for row in series if row[1 + position] is not None]
    ticks = nice_ticks(max(values, default=0.0))
    y_max = ticks[-1]
    step = (width - left - right) / max(len(series) - 1, 1)
    key = name.lower().replace(" ", "")

    def y_of(value: float) -> float:
        return top + (height - top - bottom) * (1 - value / y_max)

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{key}" data-panel="{key}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif" font-size="12">',
             f'<title id="chart-{key}">England {name} opt-out rate by month (%)</title>',
             f'<text x="{left}" y="16" font-weight="bold">{name} opt-out rate (%)</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#425563"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#425563"/>']
    for value in ticks:
        y = y_of(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e8edee"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick_label(value)}</text>')
    for index, (label, _, _) in enumerate(series):
        parts.append(f'<text x="{left + index * step:.1f}" y="{height - bottom + 18}" text-anchor="middle">'
                     f'{html.escape(label)}</text>')
    points = [f"{left + i * step:.1f},{y_of(row[1 + position]):.1f}"
              for i, row in enumerate(series) if row[1 + position] is not None]
    parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{" ".join(points)}"/>')
    for point in points:
        x, y = point.split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="3.5" fill="{colour}"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def service_rows(changes: list[dict]) -> str:
    """docs/rules.md §6: per month of receipt, status changes received, applied within 21
    days, applied late, still waiting."""
    months: dict[str, list[int]] = {}
    for change in changes:
        tally = months.setdefault(change["extract_date"].strftime("%Y-%m"), [0, 0, 0, 0])
        tally[0] += 1
        if change["first_applied_at"] is None:
            tally[3] += 1
        elif change["within_21_days"]:
            tally[1] += 1
        else:
            tally[2] += 1
    return "\n".join(
        f'<tr data-month="{month}"><td>{month}</td>' + "".join(f"<td>{value:,}</td>" for value in tally) + "</tr>"
        for month, tally in sorted(months.items()))


def quality_rows(practices: list[dict]) -> str:
    """The practices flagged in practice_data_quality for the month (codes and counts only)."""
    flags = ("is_missing", "is_late", "is_high_reject_rate", "is_outlying_change")
    flagged = [p for p in practices if any(p[flag] for flag in flags)]
    if not flagged:
        return '<tr><td colspan="5">No practice is flagged this month.</td></tr>'
    return "\n".join(
        f'<tr data-practice="{html.escape(p["practice_code"])}"><td>{html.escape(p["practice_code"])}</td>'
        f'<td>{", ".join(flag[3:].replace("_", " ") for flag in flags if p[flag])}</td>'
        f'<td>{p["rows_landed"]:,}</td><td>{p["rows_rejected"]:,}</td>'
        f'<td>{rate(None if p["reject_rate"] is None else 100 * p["reject_rate"])}</td></tr>'
        for p in sorted(flagged, key=lambda p: p["practice_code"]))


# Today's geography (SPEC §9): level -> (heading, the publication's column prefix, table id).
AREA_LEVELS = {
    "sub_icb": ("Sub-ICB location", "SUB_ICB_LOCATION", "sub-icb-rates"),
    "icb": ("Integrated Care Board", "ICB", "icb-rates"),
    "region": ("NHS England region", "COMM_REGION", "region-rates"),
}


def area_table(rows: list[dict], code: str, name: str, table_id: str, row_key: str, heading: str,
               unknown: str) -> str:
    """One table of published area figures (CCG, sub-ICB location, ICB or region)."""
    body = "\n".join(
        f'<tr data-{row_key}="{html.escape(r[code])}"><td>{html.escape(r[code])}</td>'
        f'<td>{html.escape(r[name] or unknown)}</td>'
        f'<td data-field="registered_patients">{html.escape(r["REGISTERED_PATIENTS"] or "")}</td>'
        f'<td data-field="type1_opt_outs">{html.escape(r["TYPE_1_OPT_OUTS"] or "")}</td>'
        f'<td data-field="type1_rate">{html.escape(r["TYPE_1_OPT_OUT_RATE"] or "")}</td>'
        f'<td data-field="type2_opt_outs">{html.escape(r["TYPE_2_OPT_OUTS"] or "")}</td>'
        f'<td data-field="type2_rate">{html.escape(r["TYPE_2_OPT_OUT_RATE"] or "")}</td></tr>'
        for r in rows
    )
    return (f'<table id="{table_id}"><thead><tr><th>{heading}</th><th>Name</th><th>Registered patients</th>'
            f'<th>Type 1 opt-outs</th>\n<th>Type 1 rate (%)</th><th>Type 2 opt-outs</th><th>Type 2 rate (%)</th></tr>'
            f'</thead>\n<tbody>\n{body}\n</tbody></table>')


def area_section(month: str, ccgs: list[dict], areas: dict[str, list[dict]] | None) -> str:
    """The area figures of the month: by sub-ICB location, ICB and region when the month
    has them (2022-07 on, today's geography supplied), by CCG otherwise."""
    if areas and areas.get("sub_icb"):
        tables = "\n".join(
            f"<h3>{heading}s</h3>\n" + area_table(areas.get(level) or [], f"{prefix}_CODE", f"{prefix}_NAME", table_id,
                                                  level.replace("_", "-"), heading, f"Unknown {heading}")
            for level, (heading, prefix, table_id) in AREA_LEVELS.items())
        return f"<h2>Opt-out rates by sub-ICB location, ICB and region, {month}</h2>\n{tables}"
    return (f"<h2>CCG opt-out rates, {month}</h2>\n"
            + area_table(ccgs, "CCG_CODE", "CCG_NAME", "ccg-rates", "ccg", "CCG", "Unknown CCG"))


def age_gender_section(month: str, rows: list[dict] | None) -> str:
    """SPEC §9: England's Type 2 opt-outs by age band and gender, living and deceased (the
    publication view's rows, disclosure control applied); nothing without demographics."""
    if not rows:
        return ""
    body = "\n".join(
        f'<tr data-age-band="{html.escape(r["AGE_BAND"])}" data-gender="{html.escape(r["GENDER"])}">'
        f'<td>{html.escape(r["AGE_BAND"])}</td><td>{html.escape(r["GENDER"])}</td>'
        f'<td data-field="type2_opt_outs">{html.escape(r["TYPE_2_OPT_OUTS"] or "")}</td>'
        f'<td data-field="living">{html.escape(r["LIVING"] or "")}</td>'
        f'<td data-field="deceased">{html.escape(r["DECEASED"] or "")}</td></tr>'
        for r in rows)
    return (f"<section>\n<h2>England Type 2 opt-outs by age band and gender, {month}</h2>\n"
            '<table id="age-gender"><thead><tr><th>Age band</th><th>Gender</th><th>Type 2 opt-outs</th>'
            f"<th>Living</th><th>Deceased</th></tr></thead>\n<tbody>\n{body}\n</tbody></table>\n"
            '<p class="note">Patients opted out at the last day of the month, each counted once, by their latest '
            "demographics: age is that day's year minus the year of birth; Unknown when no demographics are known. "
            "Every figure but England's total (All, All) is under the disclosure control above, its living and "
            "deceased split included.</p>\n</section>")


def summary_page(month: str, national: dict, series: list, ccgs: list[dict], disclosure: str,
                 record_checked_at: object = None, changes: list[dict] | None = None,
                 practices: list[dict] | None = None, areas: dict[str, list[dict]] | None = None,
                 age_gender: list[dict] | None = None) -> str:
    headline = [
        ("Registered patients", count(national["registered_patients"]), "registered_patients"),
        ("Type 1 opt-outs", count(national["type1_opt_outs"]), "type1_opt_outs"),
        ("Type 1 opt-out rate", f"{rate(national['type1_rate'])}%" if national["type1_rate"] is not None else MISSING,
         "type1_rate"),
        ("Type 2 opt-outs", count(national["type2_opt_outs"]), "type2_opt_outs"),
        ("Type 2 opt-out rate", f"{rate(national['type2_rate'])}%" if national["type2_rate"] is not None else MISSING,
         "type2_rate"),
        ("Current Type 2 opt-outs", count(national["current_type2_opt_outs"]), "current_type2_opt_outs"),
    ]
    cards = "\n".join(
        f'<div class="card"><div class="label">{label}</div><div class="value" data-field="{field}">{value}</div></div>'
        for label, value, field in headline
    )
    series_rows = "\n".join(
        f'<tr data-month="{label}"><td>{label}</td><td data-field="type1_rate">{rate(t1)}</td>'
        f'<td data-field="type2_rate">{rate(t2)}</td></tr>'
        for label, t1, t2 in series
    )
    control = ("Below England level, counts of 1 to 7 are shown as * and other counts are rounded to the "
               "nearest 5; rates are computed from unrounded figures." if disclosure == "standard"
               else "Disclosure control is OFF: figures are unrounded. Not for publication.")
    if national["registered_patients"] is None:
        control = ("No practice has sent its counts for this month yet: list sizes, Type 1 figures and rates are "
                   "shown as not yet received. " + control)
    if record_checked_at is not None:
        # In words: a run of digits on this page would look like an NHS number to a reader's checks.
        control += f" Published with the opt-out record checked on {record_checked_at:%-d %B %Y at %H:%M}."
    template = Template(TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(month=month, cards=cards, chart=chart_svg(series), series_rows=series_rows,
                               area_section=area_section(month, ccgs, areas), control=control,
                               age_gender_section=age_gender_section(month, age_gender), service_rows=service_rows(changes or []),
                               quality_rows=quality_rows(practices or []))


def field_type(header: str) -> dict:
    """The Frictionless type of a published column (from its header)."""
    if header == "ACH_DATE":
        return {"type": "date", "format": "%d/%m/%Y"}
    if header.endswith("_RATE"):
        return {"type": "number"}
    if header in ("REGISTERED_PATIENTS", "LIVING", "DECEASED") or header.endswith("_OPT_OUTS"):
        return {"type": "integer"}
    return {"type": "string"}


DISCLOSURE_RULE = {
    "standard": ("Below England level, counts of 1 to 7 are withheld and shown as * (with their rate) and other "
                 "counts are rounded to the nearest 5; rates are computed from unrounded figures and given to one "
                 "decimal place. List sizes and England figures are not altered."),
    "none": "Disclosure control is OFF: every figure is unrounded. Not for publication.",
}


def view_descriptions(path: Path = VIEWS_YAML) -> dict[str, dict[str, str]]:
    """level -> column -> description of each publication_<level> view ('' -> the view's own)."""
    import yaml  # dbt's dependency; imported here so the page's tests need no YAML

    models = yaml.safe_load(path.read_text(encoding="utf-8")).get("models") or []
    return {model["name"].removeprefix("publication_"): {
        "": " ".join(model.get("description", "").split()),
        **{column["name"]: " ".join(column.get("description", "").split()) for column in model.get("columns") or []},
    } for model in models if model["name"].startswith("publication_")}


def datapackage(month: str, files: list[tuple[str, list[str]]], descriptions: dict[str, dict[str, str]],
                disclosure: str) -> str:
    """A Frictionless tabular data package describing the month's CSVs: per file its columns
    with types and descriptions (`descriptions`: level -> column -> text, from the
    publication views' YAML), and the disclosure rule. `*` and empty are declared missing
    values, so typed readers load a withheld count as missing rather than fail."""
    rule = DISCLOSURE_RULE.get(disclosure, DISCLOSURE_RULE["standard"])
    resources = [{
        "name": f"care-information-choices-{month}-{level.replace('_', '-')}",
        "path": file_name(month, level),
        "profile": "tabular-data-resource",
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "description": descriptions.get(level, {}).get("", ""),
        "schema": {
            "fields": [{"name": header, **field_type(header), "description": descriptions.get(level, {}).get(header, "")}
                       for header in headers],
            "missingValues": ["", "*"],
        },
    } for level, headers in files]
    package = {
        "profile": "tabular-data-package",
        "name": f"care-information-choices-{month}",
        "title": f"Care Information Choices, {month}",
        "description": ("Type 1 and Type 2 national data opt-outs by practice, area and England for one reporting "
                        "month. " + rule),
        "disclosure_control": {"setting": disclosure, "rule": rule},
        "resources": resources,
    }
    return json.dumps(package, indent=2) + "\n"


def write_month(directory: Path, month: str, csv_files: list[CsvFile], page: str,
                page_rows: int, package: str | None = None) -> list[tuple[str, int]]:
    """Write the month's files: every one to a temporary name first, then all renamed into
    place, so a failure part-way leaves the previous publication as it was; then remove the
    month's CSVs this publication does not have."""
    make_private_directory(directory)
    staged: list[tuple[Path, Path]] = []
    texts = [(file_name(month, "summary", "html"), page, page_rows)]
    if package is not None:
        texts.append((f"care_information_choices_{month}_datapackage.json", package, len(csv_files)))
    try:
        for csv_file in csv_files:
            final = directory / file_name(month, csv_file.level)
            staged_path = directory / f".{final.name}.staged"
            write_private(staged_path, csv_file.write)
            staged.append((staged_path, final))
        for name, text, _ in texts:
            final = directory / name
            staged_path = directory / f".{final.name}.staged"
            write_text_private(staged_path, text)
            staged.append((staged_path, final))
    except BaseException:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)
        raise
    for staged_path, final in staged:
        staged_path.replace(final)
    # A CSV of this month that this publication does not have (an earlier build's sub-ICB or
    # age and gender file, say) would contradict it: the month's files are exactly these.
    written = {final.name for _, final in staged}
    for leftover in directory.glob(f"care_information_choices_{month}_*.csv"):
        if leftover.name not in written:
            leftover.unlink()
    return [(final.name, rows) for (_, final), rows in
            zip(staged, [csv_file.rows for csv_file in csv_files] + [rows for _, _, rows in texts])]
