"""Reading while building: copy the marts and reference data into a fresh DuckDB file and
swap it into place as `<warehouse>_analyst.duckdb`.

Analysts open that copy: they never hold a lock on the warehouse, so they cannot block the
monthly build, and the build never writes the file they have open — an open connection
keeps reading the previous copy until it reconnects.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from opt_out_io.files import temporary_path


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
