"""docs/rules.md §5: write the Care Information Choices files of the publication month (the
practice, CCG and England CSVs, the sub-ICB location, ICB and region CSVs when the month has
them, the datapackage.json describing them and the summary page, all or none) through
opt_out_io.publication, and list what was written. Runs only after the statistics' checks (the publication views read
statistics_checks) and the opt-out record's checks (it reads the published record) passed.
"""

from __future__ import annotations

from pathlib import Path

from opt_out_io.publication import AREA_LEVELS, CsvFile, datapackage, summary_page, view_descriptions, write_month


def as_dicts(relation) -> list[dict]:
    columns = [c[0] for c in relation.description]
    return [dict(zip(columns, row)) for row in relation.fetchall()]


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    views = {
        "practice": dbt.ref("publication_practice"),
        "ccg": dbt.ref("publication_ccg"),
        "sub_icb": dbt.ref("publication_sub_icb"),
        "icb": dbt.ref("publication_icb"),
        "region": dbt.ref("publication_region"),
        "age_gender": dbt.ref("publication_age_gender"),
        "national": dbt.ref("publication_national"),
    }
    statistics = dbt.ref("national_opt_out_statistics")
    record = dbt.ref("published_current_opt_outs")
    service_level = dbt.ref("opt_out_service_level")
    data_quality = dbt.ref("practice_data_quality")
    nothing = "select cast(null as varchar) as file_name, cast(null as bigint) as rows where false"

    national_rows = views["national"].fetchall()
    if not national_rows:
        return session.sql(nothing)
    _, month_number, year = national_rows[0][0].split("/")
    month = f"{year}-{month_number}"
    if meta.get("publication_month") and meta["publication_month"] != month:
        # The views were built for another month (only this model was selected): write nothing;
        # the end-of-run report says so (report_publication_status).
        return session.sql(nothing)
    rows = {level: len(relation.fetchall()) for level, relation in views.items()}
    # Today's geography's and the age and gender files only for a month that has their figures
    # (2022-07 on, with the geography supplied; patient_demographics received).
    optional = [*AREA_LEVELS, "age_gender"]
    levels = [level for level in views if level not in optional or rows[level] > 0]
    csv_files = [
        CsvFile(level, rows[level], lambda path, relation=views[level]: relation.write_csv(str(path), header=True))
        for level in levels
    ]
    disclosure = meta.get("disclosure_control") or "standard"
    package = datapackage(month, [(level, views[level].columns) for level in levels],
                          view_descriptions(), disclosure)
    series_rows = sorted(as_dicts(statistics), key=lambda row: row["reporting_month"])
    series = [(r["reporting_month"].strftime("%Y-%m"), r["type1_rate"], r["type2_rate"]) for r in series_rows]
    national = next(r for r in series_rows if r["reporting_month"].strftime("%Y-%m") == month)
    checked_at = record.aggregate("max(published_at)").fetchall()[0][0]
    practices = [p for p in as_dicts(data_quality) if p["reporting_month"].strftime("%Y-%m") == month]
    changes = as_dicts(service_level.project("extract_date, first_applied_at, within_21_days"))
    page = summary_page(month, national, series, as_dicts(views["ccg"]), disclosure,
                        record_checked_at=checked_at, changes=changes, practices=practices,
                        areas={level: as_dicts(views[level]) for level in AREA_LEVELS},
                        age_gender=as_dicts(views["age_gender"]))
    written = write_month(Path(meta.get("publication_dir") or "publication"), month, csv_files, page, len(series),
                          package)
    values = ", ".join(f"('{name}', {rows})" for name, rows in written)
    return session.sql(f"select file_name, cast(rows as bigint) as rows from (values {values}) as t(file_name, rows)")
