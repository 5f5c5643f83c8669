"""dbt called from the project's commands (the enquiry, the list check, load-landing).

Each call runs in a private folder of its own (owner-only, removed afterwards) for dbt's
target and logs: nothing a command compiles is left behind as a run artefact, and two
commands (or a command and a build) running at once never write the same files. The
project's last parse is copied in first when there is one, so dbt need not parse again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def invoke(arguments: list[str]):
    """dbtRunner().invoke(arguments) with a private target and log folder."""
    from dbt.cli.main import dbtRunner

    folder = Path(tempfile.mkdtemp(prefix="opt_out_dbt_"))
    try:
        parsed = PROJECT / "target" / "partial_parse.msgpack"
        if parsed.is_file():
            (folder / "target").mkdir()
            try:
                shutil.copyfile(parsed, folder / "target" / "partial_parse.msgpack")
            except OSError:
                pass  # dbt parses the project itself
        return dbtRunner().invoke([*arguments, "--target-path", str(folder / "target"),
                                   "--log-path", str(folder / "logs"),
                                   "--project-dir", str(PROJECT),
                                   "--profiles-dir", os.environ.get("DBT_PROFILES_DIR", str(PROJECT))])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
