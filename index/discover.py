"""Finding article files in the articles folders, without opening them.

A scan lists every file with its size and modification time, so an
incremental update can tell unchanged files without reading them. Files that
cannot be articles (unknown suffix, unreadable entry, symlink loop) are
reported with a reason instead of stopping the scan.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .article import Problem
from .loaders import format_of_suffix, name_suffix
from .text import safe_name

__all__ = ["FileEntry", "Scan", "folder_prefixes", "scan_folders"]

# Files in article dumps that describe the dump rather than hold an article.
_NOT_ARTICLES = {"readme", "license", "licence", "changelog", "copying", "notice"}


class FileEntry(NamedTuple):
    """An article file found by a scan (a named tuple: a scan makes one per
    file, and a frozen dataclass took five times as long to make)."""

    file_id: str
    """Path relative to its articles folder (prefixed when there are several)."""
    location: str
    """Where the file is (a plain string: most scanned files are never opened)."""
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.location)


@dataclass
class Scan:
    """Everything a scan found: article files and files that are not."""

    files: list[FileEntry] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A digest of every file's id, size and mtime, in scan order: two
        scans give the same one only when no file was added, removed,
        renamed or touched in between."""
        listing = "\n".join(
            [f"{entry.file_id}\0{entry.size}\0{entry.mtime_ns}" for entry in self.files]
        )
        digest = hashlib.sha1(listing.encode("utf-8"), usedforsecurity=False)
        return digest.hexdigest()


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


def _scan_one(folder: Path, prefix: str, scan: Scan, taken: set[str]) -> None:
    """Scan one folder: each directory's files in name order, then its
    subdirectories in name order. Symlinked directories are not followed
    (they could loop or lead out of the folder); symlinked files are."""

    def scan_directory(directory: str, relative: str) -> None:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            where = relative.rstrip("/") or "."
            reason = f"cannot list: {error.strerror}"
            scan.skipped.append(Problem(prefix + safe_name(where), reason))
            return
        subdirectories: list[os.DirEntry[str]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_directory = entry.is_dir()
            except OSError:
                is_directory = False
            if is_directory:
                if not entry.is_symlink():
                    subdirectories.append(entry)
                continue
            _add_file(entry, prefix + safe_name(relative + name), scan, taken)
        for entry in subdirectories:
            scan_directory(entry.path, f"{relative}{entry.name}/")

    scan_directory(os.fspath(folder), "")


def _add_file(
    entry: os.DirEntry[str], file_id: str, scan: Scan, taken: set[str]
) -> None:
    suffix = name_suffix(entry.name)
    if format_of_suffix(suffix) is None:
        scan.skipped.append(Problem(file_id, "not an article format"))
        return
    if entry.name[: len(entry.name) - len(suffix)].casefold() in _NOT_ARTICLES:
        scan.skipped.append(Problem(file_id, "not an article (a README)"))
        return
    try:
        info = entry.stat()
    except OSError as error:
        reason = (
            "symlink loop"
            if error.errno == errno.ELOOP
            else f"cannot read: {error.strerror}"
        )
        scan.skipped.append(Problem(file_id, reason))
        return
    if not stat.S_ISREG(info.st_mode):
        scan.skipped.append(Problem(file_id, "not a regular file"))
        return
    file_id = _unique(file_id, suffix, taken)
    scan.files.append(FileEntry(file_id, entry.path, info.st_size, info.st_mtime_ns))


def _unique(file_id: str, suffix: str, taken: set[str]) -> str:
    """`file_id`, or the first free `name~2.txt`, `name~3.txt`, … when another
    file already has it: names that differ only in characters shown as `?`
    (`a\\x01.txt`, `a\\x02.txt`, `a?.txt`) would otherwise share one id, and
    each update would replace one file's article with the other's."""
    unique, number = file_id, 1
    if not file_id.endswith(suffix):
        suffix = ""  # An escape sequence before it took its dot.
    while unique in taken:
        number += 1
        unique = f"{file_id[: len(file_id) - len(suffix)]}~{number}{suffix}"
    taken.add(unique)
    return unique


def scan_folders(folders: Sequence[Path]) -> Scan:
    """List the article files in `folders`, in a stable order."""
    scan = Scan()
    taken: set[str] = set()
    for folder, prefix in zip(folders, folder_prefixes(folders), strict=False):
        _scan_one(folder, prefix, scan, taken)
    return scan
