"""Check a list of NHS numbers against the published opt-out record ("Check for National
Data Opt-outs").

    python -m opt_out_io check-list INPUT OUTPUT [--column nhs_number] [--as-of YYYY-MM-DD]

INPUT and OUTPUT are CSV files with a header row, or, named `*.dat`, the service's MESH
format: one NHS number a line, no header. The rows that may be used (a valid number, not opted out as known at `as_of`, by default
on the current record) are written to OUTPUT with all their columns, in input order, under
the header row as it was written. The input is read row by row: a row that is not UTF-8 or
has the wrong number of values is counted and left out, never the reason the file fails. A
file Excel saved as "CSV UTF-8" (a byte-order mark first, often a trailing comma that makes
a column with no name) is read as it is, and OUTPUT keeps the mark. The matching itself is the
project's R15 SQL (the apply_opt_outs macro, compiled by dbt), run here against the
published record. Every row left out is listed, by its line in INPUT and the reason, in
OUTPUT's side file `<OUTPUT name>_refused.csv` (`line,reason`: never a number), so a person
can find it in a long file. Only counts are printed — never a number, and never an engine's
error text (which could quote a row).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from opt_out_io.files import write_private

PROJECT = Path(__file__).resolve().parent.parent
ROW_COLUMN = "opt_out_list_row"   # the check's own input-order column: this name, or one like it the input has not
BYTE_ORDER_MARK = "\ufeff"
GIVE_THE_LIST = ("give the list to check: make check-list INPUT=list.csv OUTPUT=usable.csv "
                 "(or python -m opt_out_io check-list INPUT OUTPUT)")
NAME_THE_COLUMN = "--column NAME, or COLUMN=NAME with make check-list"


class ListProblem(Exception):
    """A reason the list cannot be checked, as one sentence for the person who gave it."""


# Why a row of the list is left out (the side file's reasons).
NOT_UTF8, WRONG_VALUES = "not_utf8", "wrong_number_of_values"
INVALID, OPTED_OUT = "missing_or_invalid_nhs_number", "opted_out"
MESH_SUFFIX = ".dat"


@dataclass
class ParsedList:
    header: list[str]              # the header row as written, written back as it is
    columns: list[str]             # the columns' names in DuckDB: the header's, a column without one named column_<n>
    rows: list[list[str]]          # the readable rows, each with its line's values
    lines: list[int]               # the line of INPUT each readable row starts on
    unreadable_lines: list[tuple[int, str]]  # rows left out as they are read: (line, NOT_UTF8 or WRONG_VALUES)
    row_column: str                # the check's own input-order column, named like no column of the input
    byte_order_mark: bool          # the file began with one (Excel's "CSV UTF-8")

    @property
    def unreadable(self) -> int:
        return len(self.unreadable_lines)


def has_undecodable(values: Iterable[str]) -> bool:
    return any("\udc80" <= character <= "\udcff" for value in values for character in value)


def unused_name(base: str, taken: Iterable[str]) -> str:
    """`base`, or `base_<n>`: a name none of `taken` has, ignoring case as DuckDB does."""
    taken = {name.lower() for name in taken}
    name, suffix = base, 0
    while name.lower() in taken:
        suffix += 1
        name = f"{base}_{suffix}"
    return name


def parse_list(data: bytes, column: str) -> ParsedList:
    text = data.decode("utf-8", "surrogateescape")
    byte_order_mark = text.startswith(BYTE_ORDER_MARK)
    text = text.removeprefix(BYTE_ORDER_MARK)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []   # (the line the record starts on, its values)
    next_line = 1
    for record in reader:
        records.append((next_line, record))
        next_line = reader.line_num + 1
    while records and not any(value.strip() for value in records[-1][1]):
        records.pop()
    if not records:
        raise ListProblem(f"the input is empty: it needs a header row naming its columns, one of them '{column}'")
    header = [name.strip() for name in records[0][1]]
    if has_undecodable(header):
        raise ListProblem("the header row is not UTF-8 text")
    if column not in header:
        # The header's values are not repeated here: a file without a header has a number there.
        hint = (" — with a single column, is the file separated by something other than commas?"
                if len(header) == 1 else "")
        raise ListProblem(f"the header row has no column named '{column}' ({len(header)} column"
                          f"{'s' if len(header) != 1 else ''}){hint}; name the column with {NAME_THE_COLUMN}")
    named = [name.lower() for name in header if name]
    if len(set(named)) != len(named):
        raise ListProblem("the header row names a column twice (names are compared ignoring case)")
    columns: list[str] = []
    for position, name in enumerate(header, start=1):
        columns.append(name or unused_name(f"column_{position}", header + columns))
    rows, lines, unreadable = [], [], []
    for line, record in records[1:]:
        if not any(value.strip() for value in record):
            continue
        if has_undecodable(record):
            unreadable.append((line, NOT_UTF8))
        elif len(record) != len(header):
            unreadable.append((line, WRONG_VALUES))
        else:
            rows.append(record)
            lines.append(line)
    return ParsedList(records[0][1], columns, rows, lines, unreadable, unused_name(ROW_COLUMN, columns),
                      byte_order_mark)


def parse_mesh_list(data: bytes) -> ParsedList:
    """The MESH format of the national service: one NHS number a line, no header (blank lines skipped)."""
    text = data.decode("utf-8", "surrogateescape").removeprefix(BYTE_ORDER_MARK)
    rows, lines, unreadable = [], [], []
    for line, value in enumerate(text.split("\n"), start=1):
        value = value.removesuffix("\r")
        if not value.strip():
            continue
        if has_undecodable([value]):
            unreadable.append((line, NOT_UTF8))
        else:
            rows.append([value])
            lines.append(line)
    if not rows and not unreadable:
        raise ListProblem("the input is empty: a .dat list has one NHS number a line")
    return ParsedList(["nhs_number"], ["nhs_number"], rows, lines, unreadable, ROW_COLUMN, False)


SPLIT = "-- opt_out_check_list: next statement --"


def compiled_release_sql(as_of: str | None, column: str) -> tuple[str, str]:
    """The R15 selects over table `checked_list`, compiled from the project's apply_opt_outs in
    one dbt call: the usable rows (`exclude`) and the rows not opted out (`keep`)."""
    from opt_out_io.dbt_invocation import invoke

    def call(policy: str) -> str:
        arguments = [f"nhs_number_column={json.dumps(column)}", f"rows_without_nhs_number='{policy}'"]
        if as_of:
            arguments.append(f"as_of={json.dumps(as_of)}")
        return ("{{ apply_opt_outs(api.Relation.create(identifier='checked_list'), "
                + ", ".join(arguments) + ") }}")

    # Target `offline` is in memory: its relations are named "memory".<schema>.<table>.
    result = invoke(["compile", "--log-level", "none", "--target", "offline", "--inline",
                     call("exclude") + "\n" + SPLIT + "\n" + call("keep")])
    if not result.success:
        # dbt's own messages name macros and files, never a value of the list.
        raise ListProblem(f"the project could not compile the check: {result.exception}")
    usable, not_opted_out = result.result.results[0].node.compiled_code.split(SPLIT)
    return usable, not_opted_out


def warehouse_path() -> Path:
    path = Path(os.environ.get("OPT_OUT_DUCKDB_PATH", PROJECT / "warehouse" / "opt_out.duckdb"))
    if not path.is_absolute():
        path = PROJECT / path
    if not path.exists():
        raise ListProblem(f"there is no warehouse at {path}: build it first (make demo, or dbt build)")
    return path


def is_calendar_date(text: str) -> bool:
    """As the validated_as_of macro: 'YYYY-MM-DD' naming a real day (checked here first, in one sentence)."""
    try:
        return bool(re.fullmatch("[0-9]{4}-[0-9]{2}-[0-9]{2}", text)) and bool(dt.date.fromisoformat(text))
    except ValueError:
        return False


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_mesh(path: Path, numbers: Iterable[str]) -> None:
    """One NHS number a line. A usable row's number is valid once R1 has removed its whitespace
    and hyphens, so its ten ASCII digits are the number (a line break inside it cannot split a line)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(re.sub("[^0-9]", "", number) + "\n" for number in numbers)


def side_file(output: Path) -> Path:
    return output.with_name(output.stem + "_refused.csv")


def write_csv(path: Path, header: list[str], rows: Iterable[tuple], byte_order_mark: bool) -> None:
    with path.open("w", encoding="utf-8-sig" if byte_order_mark else "utf-8", newline="") as handle:
        writer = csv.writer(handle)   # lines end \r\n (RFC 4180): a value holding either is quoted
        writer.writerow(header)
        writer.writerows(rows)


def check_list(input_csv: Path, output_csv: Path, column: str = "nhs_number", as_of: str | None = None) -> str:
    if as_of is not None and not is_calendar_date(as_of):
        # Not repeated: a number put in the wrong place would be printed back.
        raise ListProblem("--as-of must be a calendar date written YYYY-MM-DD, such as 2025-02-28")
    if not column:
        raise ListProblem(f"--column is empty: name the column of NHS numbers with {NAME_THE_COLUMN}")
    if not input_csv.is_file():
        raise ListProblem(f"the input file '{input_csv}' does not exist")
    if output_csv.resolve() == input_csv.resolve():
        raise ListProblem("OUTPUT names the input file; choose another name (the input is never overwritten)")
    if not output_csv.parent.is_dir():
        raise ListProblem(f"the output folder '{output_csv.parent}' does not exist")
    if side_file(output_csv).resolve() == input_csv.resolve():
        raise ListProblem(f"the refused lines would be written over the input ({side_file(output_csv).name}); "
                          "choose another OUTPUT name")
    mesh_input = input_csv.suffix.lower() == MESH_SUFFIX
    if mesh_input and column != "nhs_number":
        raise ListProblem("a .dat list has no columns (one NHS number a line): leave out --column")
    parsed = parse_mesh_list(input_csv.read_bytes()) if mesh_input else parse_list(input_csv.read_bytes(), column)
    column = "nhs_number" if mesh_input else column
    warehouse = warehouse_path()
    usable_sql, not_opted_out_sql = compiled_release_sql(as_of, column)
    row_column = quoted(parsed.row_column)
    try:
        with duckdb.connect() as con:
            # The compiled SQL reads the published record as memory.published.*: views over the warehouse's.
            con.execute(f"attach '{warehouse}' as warehouse (read_only)")
            con.execute("create schema published")
            for table in ("published_current_opt_outs", "published_opt_out_periods", "published_nhs_number_links"):
                con.execute(f"create view published.{table} as select * from warehouse.published.{table}")
            # One build's record: a --select build can publish the links without the rest (SPEC §9).
            versions = con.execute(
                "select (select max(version_id) from published.published_current_opt_outs), "
                "(select max(version_id) from published.published_opt_out_periods), "
                "(select max(version_id) from published.published_nhs_number_links)").fetchone()
            linked = con.execute("select count(*) from warehouse.intermediate.int_nhs_number_patients").fetchone()[0]
            links_published = con.execute("select count(*) from published.published_nhs_number_links").fetchone()[0]
            if len({v for v in versions if v is not None}) > 1 or (linked > 0 and links_published == 0):
                raise ListProblem("the published opt-out record is out of step (its tables were published by "
                                  "different builds, a --select build?): run `dbt build` of the whole project first")
            columns = ", ".join(f"{quoted(name)} varchar" for name in parsed.columns)
            con.execute(f"create temp table checked_list ({row_column} bigint, {columns})")
            con.executemany(f"insert into checked_list values (?{', ?' * len(parsed.columns)})",
                            [[number, *row] for number, row in enumerate(parsed.rows, start=1)])
            usable_rows = {r for (r,) in con.execute(f"select {row_column} from ({usable_sql})").fetchall()}
            not_opted_out_rows = {r for (r,) in con.execute(f"select {row_column} from ({not_opted_out_sql})").fetchall()}
            # Written from Python: the header goes back as it was written (names DuckDB cannot
            # hold, such as none, included).
            kept = con.execute(f"select {', '.join(map(quoted, parsed.columns))} from ({usable_sql}) as usable "
                               f"order by {row_column}").fetchall()
    except (duckdb.BinderException, duckdb.CatalogException):
        raise ListProblem("the warehouse's published record lacks a table or column this version of the project "
                          "reads (not built yet, or built by another version): run dbt build first; nothing was "
                          "written") from None
    except duckdb.Error as error:
        # The engine's message may quote a value of the list: name only its kind.
        raise ListProblem(f"the check failed in DuckDB ({type(error).__name__}); nothing was written") from None
    refused = list(parsed.unreadable_lines)
    for row_number, line in enumerate(parsed.lines, start=1):
        if row_number not in not_opted_out_rows:
            refused.append((line, OPTED_OUT))
        elif row_number not in usable_rows:
            refused.append((line, INVALID))
    refused.sort()
    if output_csv.suffix.lower() == MESH_SUFFIX:
        position = parsed.columns.index(column)
        write_private(output_csv, lambda path: write_mesh(path, (row[position] for row in kept)))
    else:
        write_private(output_csv, lambda path: write_csv(path, parsed.header, kept, parsed.byte_order_mark))
    write_private(side_file(output_csv), lambda path: write_csv(path, ["line", "reason"], refused, False))
    usable, not_opted_out = len(usable_rows), len(not_opted_out_rows)
    total = len(parsed.rows) + parsed.unreadable
    invalid = not_opted_out - usable
    opted_out = len(parsed.rows) - not_opted_out
    return (f"check-list: {total} rows read, {parsed.unreadable} unreadable (not UTF-8, or the wrong number of "
            f"values), {invalid} with a missing or invalid NHS number, {opted_out} opted out, {usable} may be used "
            f"-> {output_csv}; the lines left out and why -> {side_file(output_csv)}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Optional to argparse so that a missing one (make check-list with no INPUT) gets the one sentence.
    parser.add_argument("input", nargs="?", default="", help="CSV with a header row, or a .dat file (one number a line)")
    parser.add_argument("output", nargs="?", default="", help="where the usable rows go (never the input); .dat: numbers only")
    parser.add_argument("--column", default="nhs_number", help="the column of NHS numbers (default nhs_number)")
    parser.add_argument("--as-of", help="check against the record as known at YYYY-MM-DD (default: current)")


def main(args: argparse.Namespace) -> None:
    os.umask(0o077)
    try:
        if not args.input or not args.output:
            raise ListProblem(GIVE_THE_LIST)
        print(check_list(Path(args.input), Path(args.output), args.column, args.as_of))
    except ListProblem as problem:
        sys.exit(f"check-list: {problem}.")
