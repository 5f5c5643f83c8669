"""Check a list of NHS numbers against the published opt-out record ("Check for National
Data Opt-outs").

    python -m opt_out_io check-list INPUT OUTPUT [--column nhs_number] [--as-of YYYY-MM-DD]

The rows that may be used (a valid number, not opted out as known at `as_of`, by default
on the current record) are written to OUTPUT with all their columns, in input order, under
the header row as it was written. The input is read row by row: a row that is not UTF-8 or
has the wrong number of values is counted and left out, never the reason the file fails. A
file Excel saved as "CSV UTF-8" (a byte-order mark first, often a trailing comma that makes
a column with no name) is read as it is, and OUTPUT keeps the mark. The matching itself is the
project's R15 SQL (the apply_opt_outs macro, compiled by dbt), run here against the
published record. Only counts are printed — never a number, and never an engine's error
text (which could quote a row).
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


@dataclass
class ParsedList:
    header: list[str]              # the header row as written, written back as it is
    columns: list[str]             # the columns' names in DuckDB: the header's, a column without one named column_<n>
    rows: list[list[str]]          # the readable rows, each with its line's values
    unreadable: int                # rows left out: not UTF-8, or the wrong number of values
    row_column: str                # the check's own input-order column, named like no column of the input
    byte_order_mark: bool          # the file began with one (Excel's "CSV UTF-8")


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
    records = list(csv.reader(io.StringIO(text, newline="")))
    while records and not any(value.strip() for value in records[-1]):
        records.pop()
    if not records:
        raise ListProblem(f"the input is empty: it needs a header row naming its columns, one of them '{column}'")
    header = [name.strip() for name in records[0]]
    if any("\udc80" <= character <= "\udcff" for name in header for character in name):
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
    rows, unreadable = [], 0
    for record in records[1:]:
        if not any(value.strip() for value in record):
            continue
        if len(record) != len(header) or any("\udc80" <= c <= "\udcff" for value in record for c in value):
            unreadable += 1
            continue
        rows.append(record)
    return ParsedList(records[0], columns, rows, unreadable, unused_name(ROW_COLUMN, columns), byte_order_mark)


def compiled_release_sql(as_of: str | None, column: str, policy: str) -> str:
    """The R15 select over table `checked_list`, compiled from the project's apply_opt_outs."""
    from opt_out_io.dbt_invocation import invoke

    arguments = [f"nhs_number_column={json.dumps(column)}", f"rows_without_nhs_number='{policy}'"]
    if as_of:
        arguments.append(f"as_of={json.dumps(as_of)}")
    inline = ("{{ apply_opt_outs(api.Relation.create(identifier='checked_list'), "
              + ", ".join(arguments) + ") }}")
    # Target `offline` is in memory: its relations are named "memory".<schema>.<table>.
    result = invoke(["compile", "--log-level", "none", "--target", "offline", "--inline", inline])
    if not result.success:
        # dbt's own messages name macros and files, never a value of the list.
        raise ListProblem(f"the project could not compile the check: {result.exception}")
    return result.result.results[0].node.compiled_code


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
    parsed = parse_list(input_csv.read_bytes(), column)
    warehouse = warehouse_path()
    usable_sql = compiled_release_sql(as_of, column, "exclude")
    not_opted_out_sql = compiled_release_sql(as_of, column, "keep")
    try:
        with duckdb.connect() as con:
            # The compiled SQL reads the published record as memory.published.*: views over the warehouse's.
            con.execute(f"attach '{warehouse}' as warehouse (read_only)")
            con.execute("create schema published")
            for table in ("published_current_opt_outs", "published_opt_out_periods"):
                con.execute(f"create view published.{table} as select * from warehouse.published.{table}")
            columns = ", ".join(f"{quoted(name)} varchar" for name in parsed.columns)
            row_column = quoted(parsed.row_column)
            con.execute(f"create temp table checked_list ({row_column} bigint, {columns})")
            con.executemany(f"insert into checked_list values (?{', ?' * len(parsed.columns)})",
                            [[number, *row] for number, row in enumerate(parsed.rows, start=1)])
            usable = con.execute(f"select count(*) from ({usable_sql})").fetchone()[0]
            not_opted_out = con.execute(f"select count(*) from ({not_opted_out_sql})").fetchone()[0]
            # Written from Python: the header goes back as it was written (names DuckDB cannot
            # hold, such as none, included).
            kept = con.execute(f"select {', '.join(map(quoted, parsed.columns))} from ({usable_sql}) as usable "
                               f"order by {row_column}").fetchall()
            write_private(output_csv, lambda path: write_csv(path, parsed.header, kept, parsed.byte_order_mark))
    except duckdb.Error as error:
        # The engine's message may quote a value of the list: name only its kind.
        raise ListProblem(f"the check failed in DuckDB ({type(error).__name__}); nothing was written") from None
    total = len(parsed.rows) + parsed.unreadable
    invalid = not_opted_out - usable
    opted_out = len(parsed.rows) - not_opted_out
    return (f"check-list: {total} rows read, {parsed.unreadable} unreadable (not UTF-8, or the wrong number of "
            f"values), {invalid} with a missing or invalid NHS number, {opted_out} opted out, {usable} may be used "
            f"-> {output_csv}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Optional to argparse so that a missing one (make check-list with no INPUT) gets the one sentence.
    parser.add_argument("input", nargs="?", default="", help="CSV with a header row")
    parser.add_argument("output", nargs="?", default="", help="where the usable rows go (never the input)")
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
