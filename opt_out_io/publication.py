"""docs/rules.md §5: write the Care Information Choices files of one month — three CSVs and a
self-contained HTML summary page — all or none.

Every figure comes from the publication views and statistics marts; this module only
lays them out. The page is `templates/summary_page.html` (string.Template placeholders).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from opt_out_io.files import make_private_directory, write_private, write_text_private

TEMPLATE = Path(__file__).with_name("templates") / "summary_page.html"
MISSING = "not yet received"


@dataclass
class CsvFile:
    level: str                           # practice, ccg or national
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


def summary_page(month: str, national: dict, series: list, ccgs: list[dict], disclosure: str,
                 record_checked_at: object = None, changes: list[dict] | None = None,
                 practices: list[dict] | None = None) -> str:
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
    ccg_rows = "\n".join(
        f'<tr data-ccg="{html.escape(c["CCG_CODE"])}"><td>{html.escape(c["CCG_CODE"])}</td>'
        f'<td>{html.escape(c["CCG_NAME"] or "Unknown CCG")}</td>'
        f'<td data-field="registered_patients">{html.escape(c["REGISTERED_PATIENTS"] or "")}</td>'
        f'<td data-field="type1_opt_outs">{html.escape(c["TYPE_1_OPT_OUTS"] or "")}</td>'
        f'<td data-field="type1_rate">{html.escape(c["TYPE_1_OPT_OUT_RATE"] or "")}</td>'
        f'<td data-field="type2_opt_outs">{html.escape(c["TYPE_2_OPT_OUTS"] or "")}</td>'
        f'<td data-field="type2_rate">{html.escape(c["TYPE_2_OPT_OUT_RATE"] or "")}</td></tr>'
        for c in ccgs
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
                               ccg_rows=ccg_rows, control=control, service_rows=service_rows(changes or []),
                               quality_rows=quality_rows(practices or []))


def write_month(directory: Path, month: str, csv_files: list[CsvFile], page: str,
                page_rows: int) -> list[tuple[str, int]]:
    """Write the month's files: every one to a temporary name first, then all renamed into
    place, so a failure part-way leaves the previous publication as it was."""
    make_private_directory(directory)
    staged: list[tuple[Path, Path]] = []
    try:
        for csv_file in csv_files:
            final = directory / file_name(month, csv_file.level)
            staged_path = directory / f".{final.name}.staged"
            write_private(staged_path, csv_file.write)
            staged.append((staged_path, final))
        page_final = directory / file_name(month, "summary", "html")
        page_staged = directory / f".{page_final.name}.staged"
        write_text_private(page_staged, page)
        staged.append((page_staged, page_final))
    except BaseException:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)
        raise
    for staged_path, final in staged:
        staged_path.replace(final)
    return [(final.name, csv_file.rows) for (_, final), csv_file in zip(staged, csv_files)] + [
        (staged[-1][1].name, page_rows)]
