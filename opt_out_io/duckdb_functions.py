"""dbt-duckdb plugin (profiles.yml, `plugins`): the DuckDB functions the build calls.

* ``landing_listing(root, folders)`` — every entry under the landing directory
  (``landing_listing.list_landing``), as a list of structs;
* ``landing_dir_problem(root)`` — one sentence when the landing directory is missing;
* ``landing_parse_problem(query)`` — runs `query` (a read of one landing file, written by the
  macro landing_csv_read) on a throwaway in-memory DuckDB and says 'unparseable_csv' when the
  reader fails on it: the reader's error quotes the file's lines, so it must never reach the
  build's log (docs/rules.md §1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from opt_out_io.landing_listing import landing_dir_problem, list_landing

LISTING_TYPE = duckdb.list_type(duckdb.struct_type({
    "path": "VARCHAR",
    "source_file": "VARCHAR",
    "folder": "VARCHAR",
    "size": "BIGINT",
    "modified_at": "TIMESTAMP",
    "content_hash": "VARCHAR",
    "problem": "VARCHAR",
}))


def landing_parse_problem(query: str) -> str | None:
    """'unparseable_csv' when DuckDB's CSV reader cannot parse the file `query` reads; the
    error's text (which quotes lines of the file) is dropped here, never logged."""
    try:
        with duckdb.connect() as probe:
            probe.execute(query).fetchall()
    except duckdb.Error:
        return "unparseable_csv"
    return None


def register(connection: duckdb.DuckDBPyConnection) -> None:
    for name in ("landing_listing", "landing_dir_problem", "landing_parse_problem"):
        try:
            connection.remove_function(name)
        except duckdb.InvalidInputException:
            pass
    connection.create_function("landing_listing", list_landing, ["VARCHAR", "VARCHAR[]"], LISTING_TYPE,
                               side_effects=True)
    # Returns null when the folder is fine: null handling must be 'special' to say so.
    connection.create_function("landing_dir_problem", landing_dir_problem, ["VARCHAR"], "VARCHAR",
                               null_handling="special", side_effects=True)
    connection.create_function("landing_parse_problem", landing_parse_problem, ["VARCHAR"], "VARCHAR",
                               null_handling="special", side_effects=True)


def check_warehouse_folder(path: str) -> None:
    """One sentence, not a traceback, when the warehouse file's folder does not exist."""
    if path and path != ":memory:" and not path.startswith("md:") and not Path(path).parent.is_dir():
        raise DbtRuntimeError(
            f"The folder of the warehouse file '{path}' does not exist: create it, or point "
            "OPT_OUT_DUCKDB_PATH at a file in an existing folder.")


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        check_warehouse_folder(creds.path)

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register(conn)
