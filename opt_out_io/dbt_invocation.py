"""dbt called from the project's commands (the enquiry, the list check, load-landing).

Each call runs in a private folder of its own (owner-only, removed afterwards) for dbt's
target and logs: nothing a command compiles is left behind as a run artefact, and two
commands (or a command and a build) running at once never write the same files. The
parse the last command of the same target left (`target/partial_parse_<target>.msgpack`,
the project's files parsed: no value a command was given), or else the project's last
parse, is copied in first, so dbt need not parse the project again.
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

    target = arguments[arguments.index("--target") + 1] if "--target" in arguments else "default"
    cached = PROJECT / "target" / f"partial_parse_{target}.msgpack"
    folder = Path(tempfile.mkdtemp(prefix="opt_out_dbt_"))
    try:
        parsed = folder / "target" / "partial_parse.msgpack"
        for candidate in (cached, PROJECT / "target" / "partial_parse.msgpack"):
            if candidate.is_file():
                parsed.parent.mkdir(exist_ok=True)
                try:
                    shutil.copyfile(candidate, parsed)
                    break
                except OSError:
                    pass  # dbt parses the project itself
        result = dbtRunner().invoke([*arguments, "--target-path", str(folder / "target"),
                                     "--log-path", str(folder / "logs"),
                                     "--project-dir", str(PROJECT),
                                     "--profiles-dir", os.environ.get("DBT_PROFILES_DIR", str(PROJECT))])
        if parsed.is_file():
            try:
                cached.parent.mkdir(exist_ok=True)
                # Atomic: two commands at once each leave a whole file.
                staged = cached.with_name(f".{cached.name}.{os.getpid()}")
                shutil.copyfile(parsed, staged)
                os.replace(staged, cached)
            except OSError:
                pass  # a read-only project parses each time
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)
