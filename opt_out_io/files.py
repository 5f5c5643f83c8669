"""Every file the project writes goes through here: owner-only, and swapped into place whole."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def temporary_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def write_private(path: Path, write: Callable[[Path], None]) -> None:
    """Write `path` by calling `write(temporary)`, make it owner-only, then rename it into
    place: a reader sees the old file or the new one, never half of one."""
    temporary = temporary_path(path)
    temporary.unlink(missing_ok=True)
    write(temporary)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def write_text_private(path: Path, text: str) -> None:
    write_private(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def make_private_directory(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
