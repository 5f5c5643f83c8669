"""Reading while building: copy the marts and reference data into a fresh DuckDB file and
swap it into place as `<warehouse>_analyst.duckdb`.

Analysts open that copy: they never hold a lock on the warehouse, so they cannot block the
monthly build, and the build never writes the file they have open — an open connection
keeps reading the previous copy until it reconnects.

Beside it, `<warehouse>_parquet/<mart>.parquet` holds each public mart as typed Parquet for
R, pandas, Spark and DuckDB users (SPEC §9): a file is rewritten only when its mart's
content or columns changed (a fingerprint kept in the file's own metadata), so a reader's
cache and a sync tool see an unchanged file as unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from opt_out_io.files import make_private_directory, temporary_path, write_private


def warehouse_file(session: duckdb.DuckDBPyConnection) -> tuple[str | None, bool]:
    """The current database's file (None in memory) and whether it is encrypted."""
    path, encrypted = session.execute(
        "select path, encrypted from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0]
    return path or None, bool(encrypted)


def make_copy(session: duckdb.DuckDBPyConnection, warehouse: str, tables: list[str]) -> list[tuple[str, int]]:
    final = Path(warehouse).with_name(Path(warehouse).stem + "_analyst.duckdb")
    building = temporary_path(final)
    building.unlink(missing_ok=True)
    session.execute(f"attach '{building}' as analyst_next")
    copied = []
    try:
        for table in tables:
            session.execute(f'create table analyst_next.main."{table}" as select * from main."{table}"')
            copied.append((table, session.execute(f'select count(*) from main."{table}"').fetchall()[0][0]))
    finally:
        session.execute("detach analyst_next")
    os.chmod(building, 0o600)
    os.replace(building, final)
    # Patient data: the warehouse itself is readable by its owner only.
    for path in (Path(warehouse), Path(warehouse + ".wal")):
        if path.exists():
            os.chmod(path, 0o600)
    return copied


FINGERPRINT_KEY = "opt_out_fingerprint"


def fingerprint(session: duckdb.DuckDBPyConnection, table: str) -> str:
    """The mart's columns and types, row count and order-free hashes of its rows: two
    different contents give the same fingerprint with negligible probability."""
    columns = session.execute(
        "select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) "
        "from information_schema.columns where table_schema = 'main' and table_name = ?", [table]).fetchone()[0]
    rows, total, mixed = session.execute(
        f'select count(*), coalesce(sum(hash(t)::hugeint), 0), coalesce(bit_xor(hash(t)), 0) from main."{table}" as t'
    ).fetchone()
    return f"{columns}|{rows}|{total}|{mixed}"


def stored_fingerprint(session: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        found = session.execute("select value from parquet_kv_metadata(?) where key = ?",
                                [str(path), FINGERPRINT_KEY.encode()]).fetchone()
    except duckdb.Error:  # not a Parquet file we can read: write it again
        return None
    return found[0].decode() if found else None


def write_parquet(session: duckdb.DuckDBPyConnection, warehouse: str, marts: list[str]) -> list[tuple[str, bool]]:
    """Each mart to `<warehouse>_parquet/<mart>.parquet` when its fingerprint changed; lists
    (mart, written). Owner-only, and swapped into place whole."""
    directory = Path(warehouse).with_name(Path(warehouse).stem + "_parquet")
    make_private_directory(directory)
    results = []
    for mart in marts:
        path = directory / f"{mart}.parquet"
        current = fingerprint(session, mart)
        if stored_fingerprint(session, path) == current:
            results.append((mart, False))
            continue
        metadata = current.replace("'", "''")
        write_private(path, lambda temporary, mart=mart: session.execute(
            f"copy main.\"{mart}\" to '{temporary}' (format parquet, kv_metadata {{{FINGERPRINT_KEY}: '{metadata}'}})"))
        results.append((mart, True))
    return results
