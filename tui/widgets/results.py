"""The results list: a virtual list that renders only the rows on screen.

Each result is a fixed number of lines (title, source and date, a two-line
snippet, a gap; in a short pane title, facts and a one-line snippet), so the
list knows its height from the hit count alone and 10,000 hits scroll as
smoothly as ten. Hits arrive a page at a time: a row
that is scrolled into view before its page is loaded shows a placeholder and
asks for the page with `ResultsList.PageWanted`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from index.search import Hit

ROW_HEIGHT = 5
COMPACT_ROW_HEIGHT = 3
COMPACT_BELOW = 4 * ROW_HEIGHT
"""A pane shorter than this many lines shows compact rows."""
PAGE_SIZE = 20
"""Hits fetched at a time: a page's snippets are most of a search's time, and
20 rows of 5 lines fill three screens; later pages load as they come into view."""


def hit_date(hit: Hit) -> str:
    return hit.date.strftime("%d %b %Y") if hit.date else ""


class ResultsList(ScrollView, can_focus=True):
    """Search results, one row of `ROW_HEIGHT` lines per hit."""

    DEFAULT_CSS = """
    ResultsList {
        background: $surface;
    }
    ResultsList > .results--title { text-style: bold; }
    ResultsList > .results--meta { color: $text-muted; }
    ResultsList > .results--snippet { color: $text; }
    ResultsList > .results--match { color: $warning; text-style: bold; }
    ResultsList > .results--cursor { background: $boost; }
    ResultsList:focus > .results--cursor { background: $block-cursor-background 30%; }
    ResultsList > .results--pending { color: $text-disabled; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "results--title",
        "results--meta",
        "results--snippet",
        "results--match",
        "results--cursor",
        "results--pending",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("enter", "choose", "Read", show=True),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    """Index of the highlighted hit."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to a hit."""

        hit: Hit

    @dataclass
    class Chosen(Message):
        """The user pressed Enter or clicked a hit to read it."""

        hit: Hit

    @dataclass
    class PageWanted(Message):
        """Rows from `offset` are on screen but not loaded."""

        offset: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row_height = ROW_HEIGHT
        """Lines per result: fewer when the pane is short."""
        self.total = 0
        self._hits: dict[int, Hit] = {}
        self._wanted: set[int] = set()

    # --- data -------------------------------------------------------------------

    def show_results(self, total: int, hits: tuple[Hit, ...]) -> None:
        """Replace the results with the first page of a new search."""
        self.total = total
        self._hits = dict(enumerate(hits))
        self._wanted = {0}
        self._render_row.cache_clear()
        self.virtual_size = Size(self.size.width, total * self.row_height)
        self.scroll_to(y=0, animate=False)
        self.set_reactive(ResultsList.cursor, 0)
        self.refresh()
        if hits:
            self.post_message(self.Highlighted(hits[0]))

    def add_page(self, offset: int, hits: tuple[Hit, ...]) -> None:
        """Fill in hits loaded after the first page."""
        for number, hit in enumerate(hits, start=offset):
            self._hits[number] = hit
        self._render_row.cache_clear()
        self.refresh()
        if self.cursor in range(offset, offset + len(hits)):
            self.post_message(self.Highlighted(self._hits[self.cursor]))

    @property
    def current(self) -> Hit | None:
        """The highlighted hit, when loaded."""
        return self._hits.get(self.cursor)

    def hit_at(self, index: int) -> Hit | None:
        return self._hits.get(index)

    # --- rendering --------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._render_row.cache_clear()
        self._blank_line.cache_clear()

    def on_focus(self) -> None:
        self._render_row.cache_clear()
        self.refresh()

    def on_blur(self) -> None:
        self._render_row.cache_clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        compact = event.size.height < COMPACT_BELOW
        self.row_height = COMPACT_ROW_HEIGHT if compact else ROW_HEIGHT
        self.virtual_size = Size(event.size.width, self.total * self.row_height)
        self._render_row.cache_clear()
        self.scroll_to_region(self._cursor_region(), animate=False, force=True)

    @lru_cache(maxsize=256)  # noqa: B019 - cleared with the data; one list per app
    def _render_row(self, index: int, width: int, cursor: bool) -> tuple[Strip, ...]:
        base = self.rich_style
        if cursor:
            base += self.get_component_rich_style("results--cursor")
        hit = self._hits.get(index)
        if hit is None:
            pending = Text(
                "  loading…", style=self.get_component_rich_style("results--pending")
            )
            lines = [pending] + [Text("")] * (self.row_height - 1)
        else:
            match = self.get_component_rich_style("results--match")
            title = Text(
                hit.title, style=self.get_component_rich_style("results--title")
            )
            for start, end in hit.title_spans:
                title.stylize(match, start, end)
            facts = [hit.source, hit_date(hit)]
            if hit.collapsed:
                facts.append(f"{hit.collapsed} repeated collapsed")
            meta = Text(
                " · ".join(fact for fact in facts if fact) or hit.id,
                style=self.get_component_rich_style("results--meta"),
            )
            snippet = Text(
                hit.snippet.text,
                style=self.get_component_rich_style("results--snippet"),
            )
            for start, end in hit.snippet.spans:
                snippet.stylize(match, start, end)
            wrapped = snippet.wrap(
                self.app.console, max(1, width - 2), overflow="ellipsis"
            )
            snippet_lines = list(wrapped)[:2]
            if len(wrapped) > 2:
                last = snippet_lines[1]
                last.rstrip()
                last.truncate(max(1, width - 4))
                if not last.plain.endswith("…"):
                    last.append("…")
            while len(snippet_lines) < 2:
                snippet_lines.append(Text(""))
            if self.row_height == COMPACT_ROW_HEIGHT:
                snippet_lines = snippet_lines[:1]
            lines = [title, meta, *snippet_lines, Text("")]
        strips = []
        for line in lines[: self.row_height]:
            line = Text(" ") + line
            line.truncate(width, overflow="ellipsis")
            segments = list(line.render(self.app.console))
            strip = Strip(segments).extend_cell_length(width).crop(0, width)
            strips.append(strip.apply_style(base))
        return tuple(strips)

    @lru_cache(maxsize=4)  # noqa: B019 - cleared with the styles; one list per app
    def _blank_line(self, width: int) -> Strip:
        # Below the last result. `rich_style` walks every ancestor (~85 µs),
        # and the empty list before the index opens, or a search with few
        # hits, paints a screenful of these.
        return Strip.blank(width, self.rich_style)

    def _want(self, index: int) -> None:
        """Ask once for the page holding `index`, unless it is loaded."""
        if index not in self._hits:
            page = index - index % PAGE_SIZE
            if page not in self._wanted:
                self._wanted.add(page)
                self.post_message(self.PageWanted(page))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_offset.y) + y
        index, row_line = divmod(line, self.row_height)
        if index >= self.total or width <= 0:
            return self._blank_line(width)
        self._want(index)
        return self._render_row(index, width, index == self.cursor)[row_line]

    # --- movement ---------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._render_row.cache_clear()
        self.refresh()
        self.scroll_to_region(self._cursor_region(), animate=False, force=True)
        hit = self._hits.get(new)
        if hit is not None:
            self.post_message(self.Highlighted(hit))
        else:
            self._want(new)

    def _cursor_region(self) -> Region:
        return Region(
            0, self.cursor * self.row_height, self.size.width, self.row_height
        )

    def _move_to(self, index: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, index))

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(self.total - 1)

    def _rows_per_page(self) -> int:
        return max(1, self.scrollable_content_region.height // self.row_height)

    def action_page_down(self) -> None:
        self._move_to(self.cursor + self._rows_per_page())

    def action_page_up(self) -> None:
        self._move_to(self.cursor - self._rows_per_page())

    def action_choose(self) -> None:
        hit = self.current
        if hit is not None:
            self.post_message(self.Chosen(hit))

    def on_click(self, event: events.Click) -> None:
        index = (int(self.scroll_offset.y) + event.y) // self.row_height
        if 0 <= index < self.total:
            self.focus()
            if index == self.cursor and event.chain > 1:
                self.action_choose()
            self.cursor = index
