"""The `Article`: what every loader produces and everything else consumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["Article", "ArticleError", "Problem"]


@dataclass(frozen=True)
class Article:
    """One news article, cleaned, with its paragraphs as the file holds them."""

    id: str
    """Stable across runs: the path relative to its articles folder, plus
    `#N` (1-based) for the N-th record of a collection file."""
    title: str
    paragraphs: tuple[str, ...]
    """Body paragraphs in file order, copies included."""
    format: str
    """Where it came from: `txt`, `md`, `html`, `json` or `jsonl`."""
    path: Path
    date: datetime | None = None
    """Timezone-aware; a date without a zone is taken as UTC."""
    source: str | None = None
    url: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Problem:
    """A file, or a part of one, that could not be loaded, and why."""

    where: str
    """The file's id, with `:LINE` or `#N` for one record of a collection."""
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ArticleError(Exception):
    """A whole file cannot be loaded; the message is one line for the user."""
