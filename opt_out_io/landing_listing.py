"""Every entry under the landing directory, and why any of them will not be read (docs/rules.md §1).

DuckDB's own globbing silently passes over symbolic links, names holding a backslash and
folders in another case; walking the tree in Python lists every one of them instead, so
nothing under the landing area is skipped without a reason.
"""

from __future__ import annotations

import datetime
import hashlib
import json
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


class HashCache:
    """SHA-256s computed by earlier listings, kept beside the warehouse file (`<warehouse>.landing_hashes`:
    paths and hashes, no content), so an unchanged file is not read again every build.

    An entry is used only while the file's size, modification time, change time (ctime: set by
    the kernel on every write, and by no tool that copies or touches files), inode and device
    are all as they were; anything else reads the file again. So a file rewritten in place,
    even with its size and modification time put back, is hashed again (docs/rules.md §1).
    """

    def __init__(self, location: str | None) -> None:
        self.location = Path(location) if location else None
        self.entries: dict[str, list] = {}
        self.seen: dict[str, list] = {}
        if self.location is not None:
            try:
                self.entries = json.loads(self.location.read_text())
            except (OSError, ValueError):
                self.entries = {}
            if not isinstance(self.entries, dict):
                self.entries = {}

    @staticmethod
    def key(status: os.stat_result) -> list:
        return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]

    def digest(self, path: Path, status: os.stat_result) -> str | None:
        key = self.key(status)
        entry = self.entries.get(str(path))
        if isinstance(entry, list) and entry[:-1] == key and isinstance(entry[-1], str):
            digest = entry[-1]
        else:
            digest = content_hash(path)
        if digest is not None:
            self.seen[str(path)] = key + [digest]
        return digest

    def save(self) -> None:
        """Only the files listed now; written whole (a build stopped halfway leaves the old file)."""
        if self.location is None or self.seen == self.entries:
            return
        staged = self.location.with_name(f".{self.location.name}.{os.getpid()}")
        try:
            descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                json.dump(self.seen, handle)
            os.replace(staged, self.location)
        except OSError:
            staged.unlink(missing_ok=True)   # no cache: the next build reads the files again


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


def list_landing(root: str, folders: list[str], hash_cache: str | None = None) -> list[LandingEntry]:
    """Every file (and every symbolic link, followed or not) below `root`, sorted by path.

    `folders` are the feed folders (docs/rules.md §1). A file is readable when it is a regular
    file, ends in .csv (any case) and lies in a feed folder spelled exactly; everything
    else — a named pipe, a socket, a device among them — is listed with the reason it is not
    read, and never opened. A readable file carries the SHA-256 of its bytes (from `hash_cache`,
    a HashCache file, while the file is provably unchanged).
    """
    base = Path(root)
    if landing_dir_problem(root):
        return []
    cache = HashCache(hash_cache)
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
            digest = cache.digest(full, status) if problem is None else None
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
    cache.save()
    return sorted(entries, key=lambda entry: entry["source_file"])
