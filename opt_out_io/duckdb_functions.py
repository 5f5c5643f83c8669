"""dbt-duckdb plugin (profiles.yml, `plugins`): the DuckDB functions the build calls.

* ``landing_listing(root, folders)`` — every entry under the landing directory
  (``landing_listing.list_landing``), as a list of structs; the hashes of unchanged files
  come from ``<warehouse file>.landing_hashes``;
* ``landing_dir_problem(root)`` — one sentence when the landing directory is missing;
* ``landing_unparseable(template, paths, literals)`` — the paths among `paths` that DuckDB's
  CSV reader cannot parse: `template` (a read written by the macro landing_csv_read, with
  ``__PATHS__`` for its list of files) runs over all of them at once on a throwaway in-memory
  DuckDB, and only when that fails over halves of the list, and so on down to single files —
  one parse of the new files when all of them can be read, not one query per file. The
  reader's error quotes the file's lines, so it never reaches the build's log (docs/rules.md §1).
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


def _parses(query: str) -> bool:
    """Whether DuckDB's CSV reader parses what `query` reads; the error's text (which quotes
    lines of the file) is dropped here, never logged."""
    try:
        with duckdb.connect() as probe:
            probe.execute(query).fetchall()
    except duckdb.Error:
        return False
    return True


def landing_unparseable(template: str, paths: list[str], literals: list[str]) -> list[str]:
    """The paths the reader cannot parse: all at once, then halves of a failing list (a file's
    parse does not depend on the files read beside it: every column is given, nothing is
    detected). `literals[i]` is `paths[i]` as the SQL literal the reader takes."""
    def failing(indices: list[int]) -> list[int]:
        if not indices or _parses(template.replace("__PATHS__", ", ".join(literals[i] for i in indices))):
            return []
        if len(indices) == 1:
            return indices
        middle = len(indices) // 2
        return failing(indices[:middle]) + failing(indices[middle:])

    return [paths[i] for i in failing(list(range(len(paths))))]


def register(connection: duckdb.DuckDBPyConnection) -> None:
    for name in ("landing_listing", "landing_dir_problem", "landing_unparseable"):
        try:
            connection.remove_function(name)
        except duckdb.InvalidInputException:
            pass
    connection.create_function("landing_listing", lambda root, folders: list_landing(root, folders, _HASH_CACHE),
                               ["VARCHAR", "VARCHAR[]"], LISTING_TYPE, side_effects=True)
    # Returns null when the folder is fine: null handling must be 'special' to say so.
    connection.create_function("landing_dir_problem", landing_dir_problem, ["VARCHAR"], "VARCHAR",
                               null_handling="special", side_effects=True)
    connection.create_function("landing_unparseable", landing_unparseable, ["VARCHAR", "VARCHAR[]", "VARCHAR[]"],
                               "VARCHAR[]", side_effects=True)


def check_warehouse_folder(path: str) -> None:
    """One sentence, not a traceback, when the warehouse file's folder does not exist."""
    if path and path != ":memory:" and not path.startswith("md:") and not Path(path).parent.is_dir():
        raise DbtRuntimeError(
            f"The folder of the warehouse file '{path}' does not exist: create it, or point "
            "OPT_OUT_DUCKDB_PATH at a file in an existing folder.")


# Where the listing keeps the landing files' hashes: beside the warehouse file (none in memory).
_HASH_CACHE: str | None = None


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        global _HASH_CACHE
        check_warehouse_folder(creds.path)
        if creds.path and creds.path != ":memory:" and not creds.path.startswith("md:"):
            _HASH_CACHE = str(Path(creds.path).resolve()) + ".landing_hashes"

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register(conn)
