"""The macros' YAML documentation (macros/_macros.yml), generated from the doc comment written
above each macro, so the docs site, dbt-score and a reader of the SQL see the same words.

    python scripts/macro_docs.py          # write macros/_macros.yml
    python scripts/macro_docs.py --check  # fail (one sentence) when it is out of date: make lint

A macro's description is the Jinja comment `{#- ... -#}` directly above its `{% macro %}`. An engine's
implementation of a dispatched macro (`duckdb__name`, `postgres__name`, `spark__name`,
`default__name`) without a comment of its own is described as that implementation. A macro
with neither is an error: write its comment.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "macros" / "_macros.yml"
SOURCES = [ROOT / "macros", ROOT / "tests" / "dbt" / "generic"]
MACRO = re.compile(r"\{%-?\s*(?:macro|test)\s+(\w+)\s*\((.*?)\)\s*-?%\}", re.S)
COMMENT = re.compile(r"\{#-?(.*?)-?#\}", re.S)
ENGINES = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "spark": "Spark", "default": "default (every other engine's)"}


# What each argument is: by name, or by "macro.argument" where a name means something else
# there. An engine's implementation takes its dispatched macro's words. An argument found in
# neither is an error: add it here.
ARGUMENTS = {
    "expression": "A SQL expression (text) the macro wraps; evaluated once per row.",
    "relation": "The relation (model, seed or source) to read.",
    "model": "The model or snapshot the test checks (dbt passes it).",
    "column": "A column name (text).",
    "columns": "The column names (a list of text), in order.",
    "message": "The sentence (text) the query stops with; it must hold no value of the data.",
    "record": "The published record a release reads (published_current_opt_outs or published_opt_out_periods).",
    "not_null": "Columns (a list of text) that must hold a value in every row.",
    "unique": "Columns (a list of text) each of which holds no value twice (nulls aside).",
    "unique_combination": "Columns (a list of text) whose values together identify one row.",
    "level": "The geography level of SPEC §9 (text): sub_icb, icb or region.",
    "child": "The lower geography level of SPEC §9 (text): sub_icb or icb.",
    "parent": "The geography level above `child` (text): icb or region.",
    "links": "The alias (text) of int_nhs_number_patients joined on the raw NHS number.",
    "staged": "The name (text) of the CTE or relation of a feed's staged lines.",
    "pattern": "A regular expression (text) matched against the whole value.",
    "files": "The landing files to read (rows of landing.files: path, source_file).",
    "paths": "The paths of the landing files to read.",
    "path": "A file path.",
    "name": "A name (text).",
    "feed": "A landing feed's name (docs/rules.md §1), e.g. opt_out_codes.",
    "as_of": "A 'YYYY-MM-DD' date: the opt-out record as known that day; none for the current record.",
    "rate": "A rate: a SQL expression giving a number.",
    "dividend": "The SQL expression divided.",
    "divisor": "The SQL expression divided by.",
    "sql": "SQL text.",
    "node": "A node of dbt's graph (a model).",
    "month": "A SQL expression giving the first day of a reporting month.",
    "months": "Reporting months, as a list of 'YYYY-MM-DD' month starts.",
    "rows_without_nhs_number": "What a row with a missing or invalid NHS number gets: 'exclude' (default) or 'keep'.",
    "nhs_number_column": "The input's column holding NHS numbers (default nhs_number).",
    "code_points": "Unicode code points (a list of integers).",
    "haystack": "The SQL text expression searched.",
    "needle": "The SQL text expression searched for.",
    "key": "A status_decision_key expression (R8).",
    "test_periods_do_not_overlap.key": "The column (or SQL expression) whose periods are compared.",
    "places": "Decimal places to round to.",
    "count": "A count: a SQL expression giving an integer.",
    "normalised": "A SQL expression giving the value as normalised (R1 or R6).",
    "value": "The value (a SQL text expression, or a Jinja value for the seed and literal helpers).",
    "values": "SQL text expressions, each checked.",
    "type1_code": "A SQL expression giving a Type 1 code of the code list.",
    "unique_id": "The unique id of a dbt node or macro.",
    "texts": "A dict filled in place: unique id -> the code found under it.",
    "input_columns": "The input relation's column names.",
    "source_relation": "The landing reader (a source) of the feed.",
    "received_files": "The received-files ledger, ref('int_landing_files_received').",
    "output_dir": "Folder the parsed landing files are written to.",
    "file_format": "Format of the written files: parquet or csv.",
    "checks": "The feed's reject reasons in order, each [reason, condition].",
    "custom_schema_name": "The schema a model's config names, if any (dbt passes it).",
    "text": "A SQL text expression.",
    "as_bigint": "A SQL expression giving the normalised number as a bigint (nhs_number_as_bigint).",
    "classified": "The classified lines of a feed (a model ref), every landed line once.",
    "number": "A SQL expression giving a 10-digit NHS number as a bigint.",
    "registered_patients": "A SQL expression giving the list size.",
    "periods": "Alias of the opt_out_periods rows in the query.",
    "at_date": "A SQL expression giving the date the record is read as known at.",
    "rows": "Alias of the reference-data rows in the query.",
    "practice_code": "A SQL expression giving the normalised practice code.",
    "is_valid": "A SQL expression: whether the practice code is well formed (R6).",
    "alias": "Alias of the statistics rows in the query.",
    "context": "Where the name comes from, for the error sentence (model and setting).",
    "manifest": "The release_manifest relation the row is appended to.",
    "current": "A SQL expression giving this month's value.",
    "previous": "A SQL expression giving the previous month's value.",
    "release": "The relation the release was built as.",
    "results": "dbt's run results (on-run-end passes them).",
    "published_now": "Whether this build published a new record version.",
    "with_counts": "Also return how many rows each month has (for the build's log).",
    "current_record": "The relation holding the current opt-out record (published_current_opt_outs).",
    "agate_table": "The seed's rows as dbt read them.",
    "recorded_date": "A SQL expression giving the event's recorded date.",
    "action": "A SQL expression giving the event's action (opt_out or withdrawal).",
    "unique_key": "The snapshot's unique key column.",
    "reason_column": "The column holding the reject reason.",
    "days": "The service level in days (21).",
    "valid_from": "The column where a period starts (inclusive).",
    "valid_to": "The column where a period ends (exclusive; null: open).",
    "taken": "Column names already in use.",
    "versions": "Alias of the record version rows in the query.",
    "changes": "Alias of the received status change rows in the query.",
    "start": "A SQL expression giving the first timestamp.",
    "finish": "A SQL expression giving the second timestamp.",
}


def argument_names(signature: str) -> list[str]:
    names = []
    depth = 0
    current = ""
    for character in signature:
        if character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        if character == "," and depth == 0:
            names.append(current)
            current = ""
        else:
            current += character
    names.append(current)
    return [name.split("=")[0].strip() for name in names if name.strip()]


def one_line(text: str) -> str:
    return " ".join(text.split())


def documented_macros() -> list[dict]:
    macros, problems = [], []
    for folder in SOURCES:
        for path in sorted(folder.rglob("*.sql")):
            text = path.read_text()
            comments = [(m.end(), one_line(m.group(1))) for m in COMMENT.finditer(text)]
            for match in MACRO.finditer(text):
                name = match.group(1)
                if match.group(0).lstrip("{%- ").startswith("test"):
                    name = "test_" + name
                before = text[:match.start()]
                described = [comment for end, comment in comments if end <= match.start()]
                own = before.rstrip().endswith("#}") and described
                engine, _, base = name.partition("__")
                if own:
                    description = described[-1]
                    if "{{" in description or "{%" in description:
                        # dbt renders YAML descriptions as Jinja, where ref() is undefined.
                        problems.append(f"{path.relative_to(ROOT)}: the doc comment of macro {name} holds Jinja "
                                        "({{ or {%), which dbt would render in macros/_macros.yml: write it in words")
                elif base and engine in ENGINES:
                    description = f"The {ENGINES[engine]} implementation of `{base}` (dispatched)."
                else:
                    problems.append(f"{path.relative_to(ROOT)}: macro {name} has no doc comment above it")
                    continue
                macros.append({"name": name, "description": description, "arguments": argument_names(match.group(2)),
                               "path": path.relative_to(ROOT).as_posix()})
    for macro in macros:
        engine, _, base = macro["name"].partition("__")
        owner = base if base and engine in ENGINES else macro["name"]
        macro["arguments"] = [(argument, ARGUMENTS.get(f"{owner}.{argument}") or ARGUMENTS.get(argument))
                              for argument in macro["arguments"]]
        problems += [f"argument {argument} of macro {macro['name']} is not in ARGUMENTS"
                     for argument, description in macro["arguments"] if not description]
    if problems:
        sys.exit("macro_docs: " + "; ".join(problems) + ".")
    return sorted(macros, key=lambda macro: macro["name"])


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render(macros: list[dict]) -> str:
    lines = ["# Generated by scripts/macro_docs.py from the comment above each macro: edit the comment,",
             "# then run `python scripts/macro_docs.py` (make lint checks this file is up to date).",
             "version: 2", "", "macros:"]
    for macro in macros:
        lines.append(f"  - name: {macro['name']}")
        lines.append(f"    description: {quoted(macro['description'] + ' (' + macro['path'] + ')')}")
        if macro["arguments"]:
            lines.append("    arguments:")
            for argument, description in macro["arguments"]:
                lines.append(f"      - name: {argument}")
                lines.append(f"        description: {quoted(description)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    text = render(documented_macros())
    if "--check" in sys.argv[1:]:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            sys.exit("macros/_macros.yml is out of date with the macros' doc comments: "
                     "run `.venv/bin/python scripts/macro_docs.py` and commit it.")
        return
    OUTPUT.write_text(text)


if __name__ == "__main__":
    main()
