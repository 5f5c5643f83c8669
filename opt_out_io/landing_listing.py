"""Every entry under the landing directory, and why any of them will not be read (docs/rules.md §1).

DuckDB's own globbing silently passes over symbolic links, names holding a backslash and
folders in another case; walking the tree in Python lists every one of them instead, so
nothing under the landing area is skipped without a reason.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import stat
from pathlib import Path
from typing import TypedDict


EPOCH = datetime.datetime(1970, 1, 1)


class LandingEntry(TypedDict):
    path: str
    source_file: str
    folder: str | None
    size: int
    modified_at: datetime.datetime
    content_hash: str | None
    problem: str | None


def landing_dir_problem(root: str) -> str | None:
    """One sentence when `root` cannot be the landing area, else None."""
    path = Path(root)
    if not path.exists():
        return f"The landing directory '{root}' does not exist: set the dbt var landing_dir to the folder the extracts land in."
    if not path.is_dir():
        return f"The landing directory '{root}' is a file, not a folder: set the dbt var landing_dir to the folder the extracts land in."
    return None


def _modified_at(stat: os.stat_result) -> datetime.datetime:
    # An instant, written in UTC to the microsecond: the same file reads the same under any TZ.
    return EPOCH + datetime.timedelta(microseconds=stat.st_mtime_ns // 1000)


def _printable(name: str) -> tuple[str, bool]:
    """The name as text, and whether it can be read by that text (UTF-8, no backslash or line break)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), False
    return name, not any(character in name for character in "\\\n\r")


def content_hash(path: Path) -> str | None:
    """SHA-256 of the file's bytes (a file is received once by its content, docs/rules.md §1),
    or None when it is not a regular file after all. Opened without blocking and checked
    again once open, so a named pipe or device put in its place is never read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _problem(relative: str, folder: str | None, folders: list[str], is_link: bool, readable_name: bool,
             is_regular: bool) -> str | None:
    if is_link:
        return "symbolic_link"
    if not is_regular:
        # A named pipe, socket or device: opening it could hang or stop the build.
        return "not_a_regular_file"
    if not readable_name:
        return "unsupported_file_name"
    if folder is None:
        lowered = relative.lower()
        if any(lowered.startswith(candidate.lower() + "/") for candidate in folders):
            return "feed_folder_name_in_wrong_case"
        return "not_in_a_feed_folder"
    if not relative.lower().endswith(".csv"):
        return "not_a_csv_file"
    return None


def _feed_folder(relative: str, folders: list[str]) -> str | None:
    matches = [folder for folder in folders if relative.startswith(folder + "/")]
    return max(matches, key=len) if matches else None


def list_landing(root: str, folders: list[str]) -> list[LandingEntry]:
    """Every file (and every symbolic link, followed or not) below `root`, sorted by path.

    `folders` are the feed folders (docs/rules.md §1). A file is readable when it is a regular
    file, ends in .csv (any case) and lies in a feed folder spelled exactly; everything
    else — a named pipe, a socket, a device among them — is listed with the reason it is not
    read, and never opened. A readable file carries the SHA-256 of its bytes.
    """
    base = Path(root)
    if landing_dir_problem(root):
        return []
    entries: list[LandingEntry] = []
    for directory, subdirectories, names in os.walk(base, followlinks=False):
        # os.walk does not descend into linked folders: list them, with their reason.
        linked = [name for name in subdirectories if Path(directory, name).is_symlink()]
        for name in sorted(names + linked):
            full = Path(directory, name)
            status = full.lstat()
            relative, readable_name = _printable(full.relative_to(base).as_posix())
            folder = _feed_folder(relative, folders)
            problem = _problem(relative, folder, folders, full.is_symlink(), readable_name,
                               stat.S_ISREG(status.st_mode))
            digest = content_hash(full) if problem is None else None
            if problem is None and digest is None:
                problem = "not_a_regular_file"
            entries.append(LandingEntry(
                path=_printable(str(full))[0],
                source_file=relative,
                folder=folder,
                size=status.st_size,
                modified_at=_modified_at(status),
                content_hash=digest,
                problem=problem,
            ))
    return sorted(entries, key=lambda entry: entry["source_file"])
