"""Messages that carry worker results and app-wide events to the UI thread.

Workers never touch widgets: they post one of these and the app applies it.
Each search carries the number of the query it answers, so an answer to an
older query is dropped instead of overwriting a newer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    # Only for the annotations: the app paints before it imports Whoosh.
    from index.article import Article
    from index.collapse import ReaderView
    from index.search import ArticleIndex, Hit, SearchResult
    from index.store import Progress, UpdateSummary


@dataclass
class SearchDone(Message):
    """A search finished (or failed: see `result.error`)."""

    serial: int
    """Which query this answers; only the latest is shown."""
    result: SearchResult


@dataclass
class PageLoaded(Message):
    """More hits for the current results, loaded as the user scrolled."""

    serial: int
    offset: int
    hits: tuple[Hit, ...]


@dataclass
class ArticleLoaded(Message):
    """An article read from its file and collapsed, ready for the reader."""

    serial: int
    hit: Hit
    article: Article
    view: ReaderView
    changed: bool
    """The file changed since it was indexed."""


@dataclass
class ArticleFailed(Message):
    """An article could not be read; `reason` is one line for the user."""

    serial: int
    hit: Hit
    reason: str


@dataclass
class IndexOpened(Message):
    """The index was opened (after the first paint), ready to search."""

    index: ArticleIndex


@dataclass
class IndexNeeded(Message):
    """There is no usable index to open: build one, or rebuild it."""

    rebuild: bool
    reason: str
    """Why a rebuild is needed ("" when there is no index yet)."""


@dataclass
class IndexProgress(Message):
    """Indexing progress; only the latest matters."""

    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IndexProgress)


@dataclass
class IndexDone(Message):
    """An index update or rebuild finished."""

    summary: UpdateSummary


@dataclass
class IndexFailed(Message):
    """An index update or rebuild failed; the old index is still there."""

    reason: str


@dataclass
class IndexDamaged(Message):
    """Searching found the index's files damaged; it needs a rebuild."""

    reason: str
