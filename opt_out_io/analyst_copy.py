"""Reading while building: copy the marts and reference data into a fresh DuckDB file and
swap it into place as `<warehouse>_analyst.duckdb`.

Analysts open that copy: they never hold a lock on the warehouse, so they cannot block the
monthly build, and the build never writes the file they have open — an open connection
keeps reading the previous copy until it reconnects.

Beside it, `<warehouse>_parquet/<mart>.parquet` holds each public mart as typed Parquet for
R, pandas, Spark and DuckDB users (SPEC §9): a file is rewritten only when its mart's
content or columns changed (the file is read back and compared with the mart), so a
reader's cache and a sync tool see an unchanged file as unchanged.
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


def fingerprint(session: duckdb.DuckDBPyConnection, relation: str) -> str:
    """The columns and types, row count and order-free hashes of the rows of `relation` (a
    table or a Parquet file read back): two different contents give the same fingerprint
    with negligible probability."""
    columns = ", ".join(f"{name} {kind}" for name, kind, *_ in session.execute(f"describe select * from {relation}")
                        .fetchall())
    rows, total, mixed = session.execute(
        f"select count(*), coalesce(sum(hash(t)::hugeint), 0), coalesce(bit_xor(hash(t)), 0) from {relation} as t"
    ).fetchone()
    return f"{columns}|{rows}|{total}|{mixed}"


def file_fingerprint(session: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """The fingerprint of what the Parquet file holds, read in full; None when it cannot be
    read (missing, truncated, corrupted anywhere): it is written again."""
    if not path.is_file():
        return None
    try:
        return fingerprint(session, f"read_parquet('{path}')")
    except duckdb.Error:
        return None


def write_parquet(session: duckdb.DuckDBPyConnection, warehouse: str, marts: list[str]) -> list[tuple[str, bool]]:
    """Each mart to `<warehouse>_parquet/<mart>.parquet` unless the file already holds exactly
    the mart; lists (mart, written). Owner-only on every build (the files may hold NHS
    numbers), and swapped into place whole."""
    directory = Path(warehouse).with_name(Path(warehouse).stem + "_parquet")
    make_private_directory(directory)
    os.chmod(directory, 0o700)
    results = []
    for mart in marts:
        path = directory / f"{mart}.parquet"
        if file_fingerprint(session, path) == fingerprint(session, f'main."{mart}"'):
            os.chmod(path, 0o600)
            results.append((mart, False))
            continue
        write_private(path, lambda temporary, mart=mart: session.execute(
            f"copy main.\"{mart}\" to '{temporary}' (format parquet)"))
        results.append((mart, True))
    return results
