"""Finding article files in the articles folders, without opening them.

A scan lists every file with its size and modification time, so an
incremental update can tell unchanged files without reading them. Files that
cannot be articles (unknown suffix, unreadable entry, symlink loop) are
reported with a reason instead of stopping the scan.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .article import Problem
from .loaders import article_format
from .text import safe_name

__all__ = ["FileEntry", "Scan", "folder_prefixes", "scan_folders"]

# Files in article dumps that describe the dump rather than hold an article.
_NOT_ARTICLES = {"readme", "license", "licence", "changelog", "copying", "notice"}


@dataclass(frozen=True)
class FileEntry:
    """An article file found by a scan."""

    file_id: str
    """Path relative to its articles folder (prefixed when there are several)."""
    path: Path
    size: int
    mtime_ns: int


@dataclass
class Scan:
    """Everything a scan found: article files and files that are not."""

    files: list[FileEntry] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)


def folder_prefixes(folders: Sequence[Path]) -> list[str]:
    """The id prefix of each folder: none for one folder, else a unique name."""
    if len(folders) == 1:
        return [""]
    prefixes: list[str] = []
    for folder in folders:
        name = folder.name or "root"
        candidate, number = name, 2
        while candidate in prefixes:
            candidate, number = f"{name}-{number}", number + 1
        prefixes.append(candidate)
    return [f"{prefix}/" for prefix in prefixes]


def _scan_one(folder: Path, prefix: str, scan: Scan) -> None:
    def on_error(error: OSError) -> None:
        where = Path(error.filename or folder)
        try:
            name = where.relative_to(folder).as_posix()
        except ValueError:
            name = str(where)
        scan.skipped.append(Problem(prefix + name, f"cannot list: {error.strerror}"))

    # followlinks=False: a symlinked folder could loop or leave the folder.
    for directory, dirnames, filenames in os.walk(folder, onerror=on_error):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        base = Path(directory)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = base / name
            # Ids are shown and stored: no escape sequences, no stray bytes.
            file_id = prefix + safe_name(path.relative_to(folder).as_posix())
            if article_format(path) is None:
                scan.skipped.append(Problem(file_id, "not an article format"))
                continue
            if path.stem.casefold() in _NOT_ARTICLES:
                scan.skipped.append(Problem(file_id, "not an article (a README)"))
                continue
            try:
                info = path.stat()
            except OSError as error:
                reason = (
                    "symlink loop"
                    if error.errno == errno.ELOOP
                    else f"cannot read: {error.strerror}"
                )
                scan.skipped.append(Problem(file_id, reason))
                continue
            if not stat.S_ISREG(info.st_mode):
                scan.skipped.append(Problem(file_id, "not a regular file"))
                continue
            scan.files.append(FileEntry(file_id, path, info.st_size, info.st_mtime_ns))


def scan_folders(folders: Sequence[Path]) -> Scan:
    """List the article files in `folders`, in a stable order."""
    scan = Scan()
    for folder, prefix in zip(folders, folder_prefixes(folders), strict=False):
        _scan_one(folder, prefix, scan)
    return scan
