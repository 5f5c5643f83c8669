"""SPEC §7: write the Care Information Choices publication for the publication month —
three CSVs and a self-contained HTML summary page — and return what was written.

A Python model because writing files and HTML is not SQL's job; every figure comes from
the publication views and statistics marts. dbt builds it only after every test upstream
has passed, so an unchecked record is never published.
"""

from __future__ import annotations

import html
import os
from string import Template
from pathlib import Path

# string.Template, not an f-string: dbt renders this file with Jinja, which owns double braces.
PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Care Information Choices, $month</title>
<style>
body { font-family: Arial, sans-serif; color: #212b32; margin: 0; background: #f0f4f5; }
header { background: #005eb8; color: #fff; padding: 16px 32px; }
header h1 { margin: 0; font-size: 26px; }
main { max-width: 960px; margin: 0 auto; padding: 16px 32px 48px; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.card { background: #fff; border-top: 4px solid #005eb8; padding: 12px 16px; }
.label { font-size: 14px; color: #4c6272; }
.value { font-size: 28px; font-weight: bold; margin-top: 4px; }
section { background: #fff; padding: 12px 20px; margin-top: 20px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #d8dde0; }
td:nth-child(n+3), th:nth-child(n+3) { text-align: right; }
#england-series td:nth-child(n+2), #england-series th:nth-child(n+2) { text-align: right; }
.note { font-size: 13px; color: #4c6272; }
</style>
</head>
<body>
<header><h1>Care Information Choices &mdash; $month</h1>
<div>National data opt-out statistics for England (synthetic demonstration data)</div></header>
<main>
<h2>England, $month</h2>
<div class="cards">
$cards
</div>
<section>
<h2>England opt-out rates by month (%)</h2>
$chart
<table id="england-series"><thead><tr><th>Month</th><th>Type 1 rate (%)</th><th>Type 2 rate (%)</th></tr></thead>
<tbody>
$series_rows
</tbody></table>
</section>
<section>
<h2>CCG opt-out rates, $month</h2>
<table id="ccg-rates"><thead><tr><th>CCG</th><th>Name</th><th>Registered patients</th><th>Type 1 opt-outs</th>
<th>Type 1 rate (%)</th><th>Type 2 opt-outs</th><th>Type 2 rate (%)</th></tr></thead>
<tbody>
$ccg_rows
</tbody></table>
<p class="note">$control Rates are 100 &times; opt-outs / registered patients. Type 1 counts are
as reported by practices; Type 2 counts are patients, each attributed to one practice.</p>
</section>
</main>
</body>
</html>
""")


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def chart_svg(series: list[tuple[str, float | None, float | None]]) -> str:
    """England Type 1 and Type 2 rates over all months as an inline SVG line chart."""
    width, height, left, right, top, bottom = 720, 300, 56, 40, 20, 48
    values = [v for _, t1, t2 in series for v in (t1, t2) if v is not None] or [1.0]
    y_max = max(values) * 1.15 or 1.0
    step = (width - left - right) / max(len(series) - 1, 1)

    def point(index: int, value: float) -> str:
        y = top + (height - top - bottom) * (1 - value / y_max)
        return f"{left + index * step:.1f},{y:.1f}"

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif" font-size="12">',
             '<title id="chart-title">England Type 1 and Type 2 opt-out rates by month</title>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#425563"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#425563"/>']
    for tick in range(5):
        value = y_max * tick / 4
        y = top + (height - top - bottom) * (1 - tick / 4)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e8edee"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:.1f}%</text>')
    for index, (label, _, _) in enumerate(series):
        parts.append(f'<text x="{left + index * step:.1f}" y="{height - bottom + 18}" text-anchor="middle">'
                     f'{html.escape(label)}</text>')
    for position, (name, colour) in enumerate((("Type 1", "#005eb8"), ("Type 2", "#da291c"))):
        points = [point(i, row[1 + position]) for i, row in enumerate(series) if row[1 + position] is not None]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{" ".join(points)}"/>')
        for p in points:
            x, y = p.split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="3.5" fill="{colour}"/>')
        parts.append(f'<rect x="{left + 10 + position * 90}" y="{height - 18}" width="14" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{left + 30 + position * 90}" y="{height - 12}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def summary_page(month: str, national: dict, series: list, ccgs: list[dict], disclosure: str) -> str:
    headline = [
        ("Registered patients", f"{int(national['registered_patients']):,}", "registered_patients"),
        ("Type 1 opt-outs", f"{int(national['type1_opt_outs']):,}", "type1_opt_outs"),
        ("Type 1 opt-out rate", f"{fmt(national['type1_rate'])}%", "type1_rate"),
        ("Type 2 opt-outs", f"{int(national['type2_opt_outs']):,}", "type2_opt_outs"),
        ("Type 2 opt-out rate", f"{fmt(national['type2_rate'])}%", "type2_rate"),
        ("Current Type 2 opt-outs", f"{int(national['current_type2_opt_outs']):,}", "current_type2_opt_outs"),
    ]
    cards = "\n".join(
        f'<div class="card"><div class="label">{label}</div><div class="value" data-field="{field}">{value}</div></div>'
        for label, value, field in headline
    )
    series_rows = "\n".join(
        f'<tr data-month="{label}"><td>{label}</td><td data-field="type1_rate">{fmt(t1)}</td>'
        f'<td data-field="type2_rate">{fmt(t2)}</td></tr>'
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
    return PAGE.substitute(month=month, cards=cards, chart=chart_svg(series), series_rows=series_rows,
                           ccg_rows=ccg_rows, control=control)


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    directory = Path(meta.get("publication_dir") or "publication")
    disclosure = meta.get("disclosure_control") or "standard"
    published = {
        "practice": dbt.ref("publication_practice"),
        "ccg": dbt.ref("publication_ccg"),
        "national": dbt.ref("publication_national"),
    }
    national_series = dbt.ref("national_opt_out_statistics")
    # Write-audit-publish: publish only once the opt-out record itself passed its checks.
    dbt.ref("published_current_opt_outs")

    national_rows = published["national"].fetchall()
    if not national_rows:
        return session.sql("select cast(null as varchar) as file_name, cast(null as bigint) as rows where false")
    day, month_number, year = national_rows[0][0].split("/")
    month = f"{year}-{month_number}"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    written = []
    for level, relation in published.items():
        path = directory / f"care_information_choices_{month}_{level}.csv"
        temporary = path.with_name(f".{path.name}.tmp")
        relation.write_csv(str(temporary), header=True)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
        written.append((path.name, len(relation.fetchall())))

    columns = [c[0] for c in national_series.description]
    series_rows = [dict(zip(columns, row)) for row in national_series.order("reporting_month").fetchall()]
    series = [(r["reporting_month"].strftime("%Y-%m"), r["type1_rate"], r["type2_rate"]) for r in series_rows]
    national = next(r for r in series_rows if r["reporting_month"].strftime("%Y-%m") == month)
    ccg_columns = [c[0] for c in published["ccg"].description]
    ccgs = [dict(zip(ccg_columns, row)) for row in published["ccg"].fetchall()]
    page = directory / f"care_information_choices_{month}_summary.html"
    write_atomically(page, summary_page(month, national, series, ccgs, disclosure))
    written.append((page.name, len(series)))

    values = ", ".join(f"('{name}', {rows})" for name, rows in written)
    return session.sql(f"select file_name, cast(rows as bigint) as rows from (values {values}) as t(file_name, rows)")
