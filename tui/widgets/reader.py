"""The reader: one article, its copies collapsed behind markers, matches marked.

The reader is a line-API scroll view. The article is a list of blocks (title,
facts, paragraphs, collapse markers, expanded copies); each block is wrapped
once per width and kept as strips, so scrolling renders no text and toggling
a marker or moving between matches re-wraps only the blocks that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from index.article import Article
from index.collapse import TITLE, ReaderView, marker_text
from index.search import highlight_spans

BlockKind = Literal["title", "facts", "notice", "paragraph", "marker", "copy"]


def _marker_line(count: int, expanded: bool) -> str:
    if not expanded:
        return marker_text(count)
    noun = "paragraph" if count == 1 else "paragraphs"
    return f"▾ {count} repeated {noun} shown as copies (Enter or d to collapse)"


@dataclass
class _Block:
    kind: BlockKind
    text: str
    run: int | None = None
    """For markers and copies: which collapsed run they belong to."""
    spans: list[tuple[int, int]] = field(default_factory=list)
    """Where the query's words are in `text`."""


class ArticleReader(ScrollView, can_focus=True):
    """Shows one article, with duplicate collapsing and match navigation."""

    DEFAULT_CSS = """
    ArticleReader > .reader--title { text-style: bold; color: $text-primary; }
    ArticleReader > .reader--facts { color: $text-muted; }
    ArticleReader > .reader--notice { color: $text-warning; text-style: italic; }
    ArticleReader > .reader--marker { color: $text-muted; text-style: italic; }
    ArticleReader > .reader--copy { color: $text-muted; }
    ArticleReader > .reader--match { background: $warning 30%; text-style: bold; }
    ArticleReader > .reader--current-match { background: $warning; color: $background; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--title",
        "reader--facts",
        "reader--notice",
        "reader--marker",
        "reader--copy",
        "reader--match",
        "reader--current-match",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "toggle_all", "Copies"),
        Binding("n", "next_match", "Next match"),
        Binding("N", "previous_match", "Prev match"),
        Binding("enter", "toggle_marker", "Expand", show=False),
        Binding("j,down", "scroll_down", "Down", show=False),
        Binding("k,up", "scroll_up", "Up", show=False),
        Binding("g,home", "scroll_home", "Top", show=False),
        Binding("G,end", "scroll_end", "Bottom", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]

    match_index: reactive[int | None] = reactive(None, init=False)
    """Which match `n`/`N` is on, or None before the first jump."""

    @dataclass
    class MatchMoved(Message):
        """The current match changed: `index` of `total` (0 when none)."""

        index: int
        total: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None
        self.view: ReaderView | None = None
        self.expanded: set[int] = set()
        self._stems: frozenset[str] = frozenset()
        self._blocks: list[_Block] = []
        self._strips: list[list[Strip] | None] = []
        self._starts: list[int] = []
        self._lines = 0
        self._width = 0
        self._matches: list[tuple[int, int]] = []
        self._changed = False
        self._message: tuple[str, str] | None = None
        self._painted_with: tuple[Style, ...] = ()

    # --- content ----------------------------------------------------------------

    def show_article(
        self,
        article: Article,
        view: ReaderView,
        stems: frozenset[str],
        changed: bool = False,
        scroll_y: int = 0,
    ) -> None:
        """Show an article; `stems` are the query's stems to highlight."""
        self.article, self.view, self._stems = article, view, stems
        self._changed = changed
        self._message = None
        self.expanded = set()
        self._rebuild_blocks()
        self.post_message(self.MatchMoved(0, len(self._matches)))
        self._scroll_after_layout(scroll_y)

    def highlight(self, stems: frozenset[str]) -> None:
        """Highlight other words, keeping the place and the expanded copies."""
        if stems == self._stems:
            return
        self._stems = stems
        self._rebuild_blocks()
        self.post_message(self.MatchMoved(0, len(self._matches)))

    def show_message(self, title: str, text: str) -> None:
        """Show a plain message instead of an article."""
        self.article, self.view = None, None
        self._message = (title, text)
        self.expanded = set()
        self._rebuild_blocks()
        self.post_message(self.MatchMoved(0, 0))
        self._scroll_after_layout(0)

    @property
    def collapsed_count(self) -> int:
        return self.view.collapsed_count if self.view else 0

    @property
    def match_count(self) -> int:
        return len(self._matches)

    def _facts(self, article: Article) -> str:
        facts = [
            article.source,
            article.date.strftime("%d %b %Y %H:%M") if article.date else None,
            article.author,
            article.url,
            article.id,
        ]
        line = " · ".join(fact for fact in facts if fact)
        collapsed = self.collapsed_count
        if collapsed:
            noun = "paragraph" if collapsed == 1 else "paragraphs"
            line += f" · {collapsed} repeated {noun} collapsed"
        return line

    def _rebuild_blocks(self) -> None:
        blocks: list[_Block] = []
        if self._message is not None:
            title, text = self._message
            if title:
                blocks.append(_Block("title", title))
            if text:
                blocks.append(_Block("notice", text))
        elif self.article is not None and self.view is not None:
            article, view = self.article, self.view
            blocks.append(_Block("title", article.title))
            blocks.append(_Block("facts", self._facts(article)))
            if self._changed:
                blocks.append(
                    _Block(
                        "notice",
                        "This file changed since it was indexed; "
                        "press r to update the index.",
                    )
                )
            for index in range(len(view.paragraphs) + 1):
                for run_number, run in enumerate(view.runs):
                    if run.at != index:
                        continue
                    expanded = run_number in self.expanded
                    blocks.append(
                        _Block("marker", _marker_line(run.count, expanded), run_number)
                    )
                    if expanded:
                        for copy, original in zip(
                            run.paragraphs, run.copy_of, strict=True
                        ):
                            where = (
                                "the title"
                                if original == TITLE
                                else f"paragraph {original + 1}"
                            )
                            blocks.append(
                                _Block("copy", f"copy of {where}: {copy}", run_number)
                            )
                if index < len(view.paragraphs):
                    blocks.append(_Block("paragraph", view.paragraphs[index]))
        for block in blocks:
            if block.kind in ("title", "paragraph", "copy"):
                block.spans = highlight_spans(block.text, self._stems)
        self._blocks = blocks
        self._matches = [
            (number, span)
            for number, block in enumerate(blocks)
            for span in range(len(block.spans))
        ]
        self._strips = [None] * len(blocks)
        self._width = 0
        # Match numbers change with the blocks; `n` starts again from the view.
        self.set_reactive(ArticleReader.match_index, None)
        self._layout()

    # --- layout and rendering ---------------------------------------------------

    def _current_match(self) -> tuple[int, int] | None:
        if self.match_index is None or not self._matches:
            return None
        return self._matches[self.match_index]

    def _block_strips(self, number: int) -> list[Strip]:
        cached = self._strips[number]
        if cached is not None:
            return cached
        block = self._blocks[number]
        component = {
            "title": "reader--title",
            "facts": "reader--facts",
            "notice": "reader--notice",
            "paragraph": "",
            "marker": "reader--marker",
            "copy": "reader--copy",
        }[block.kind]
        style = self.get_component_rich_style(component) if component else Style()
        text = Text(block.text, style=style)
        match_style = self.get_component_rich_style("reader--match")
        current = self._current_match()
        for span_number, (start, end) in enumerate(block.spans):
            if current == (number, span_number):
                text.stylize(
                    self.get_component_rich_style("reader--current-match"), start, end
                )
            else:
                text.stylize(match_style, start, end)
        indent = "  " if block.kind == "copy" else ""
        width = max(1, self._width - len(indent))
        lines = text.wrap(self.app.console, width)
        strips = []
        base = self.rich_style
        for line in lines:
            if indent:
                line = Text("│ ", style=style) + line
            segments = list(line.render(self.app.console))
            strips.append(
                Strip(segments).extend_cell_length(self._width).apply_style(base)
            )
        strips.append(Strip.blank(self._width, base))
        self._strips[number] = strips
        return strips

    def _layout(self) -> None:
        """Wrap every block for the current width and size the scroll area."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        if width != self._width:
            self._width = width
            self._strips = [None] * len(self._blocks)
        starts = []
        line = 0
        for number in range(len(self._blocks)):
            starts.append(line)
            line += len(self._block_strips(number))
        self._starts, self._lines = starts, line
        self.virtual_size = Size(width, line)
        self.refresh()

    def _scroll_after_layout(self, y: int) -> None:
        # The new virtual size only bounds scrolling after the next refresh.
        self.call_after_refresh(self.scroll_to, y=y, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._layout()

    def _style_signature(self) -> tuple[Style, ...]:
        components = sorted(self.COMPONENT_CLASSES)
        try:
            return (
                self.rich_style,
                *(self.get_component_rich_style(name) for name in components),
            )
        except KeyError:  # Before the stylesheet reached the widget.
            return ()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Focus changes restyle the border only: re-wrapping a long article
        # for that would freeze the app.
        signature = self._style_signature()
        if signature != self._painted_with:
            self._painted_with = signature
            self._strips = [None] * len(self._blocks)
            self._layout()

    def _block_at_line(self, line: int) -> int | None:
        # Binary search: articles can have thousands of blocks.
        low, high = 0, len(self._starts) - 1
        if high < 0 or line >= self._lines:
            return None
        while low < high:
            middle = (low + high + 1) // 2
            if self._starts[middle] <= line:
                low = middle
            else:
                high = middle - 1
        return low

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y
        number = self._block_at_line(line)
        if number is None:
            return Strip.blank(self.scrollable_content_region.width, self.rich_style)
        return self._block_strips(number)[line - self._starts[number]]

    # --- collapse markers -------------------------------------------------------

    def _set_expanded(self, expanded: set[int]) -> None:
        anchor = self._block_at_line(int(self.scroll_offset.y))
        anchor_block = self._blocks[anchor] if anchor is not None else None
        self.expanded = expanded
        self._rebuild_blocks()
        if anchor_block is not None and anchor_block.kind == "paragraph":
            # Keep the paragraph at the top of the view where it was.
            for number, block in enumerate(self._blocks):
                if block.kind == "paragraph" and block.text == anchor_block.text:
                    self.scroll_to(
                        y=self._starts[number], animate=False, immediate=True
                    )
                    break

    def action_toggle_all(self) -> None:
        if self.view is None or not self.view.runs:
            self.notify("No repeated paragraphs in this article.", timeout=2)
            return
        every = set(range(len(self.view.runs)))
        self._set_expanded(set() if self.expanded == every else every)

    def _visible_marker(self) -> int | None:
        top = int(self.scroll_offset.y)
        bottom = top + self.scrollable_content_region.height
        for number, block in enumerate(self._blocks):
            if block.kind == "marker" and top <= self._starts[number] < bottom:
                return block.run
        return None

    def action_toggle_marker(self) -> None:
        run = self._visible_marker()
        if run is not None:
            self._set_expanded(self.expanded ^ {run})

    def on_click(self, event: events.Click) -> None:
        number = self._block_at_line(int(self.scroll_offset.y) + event.y)
        if number is not None and self._blocks[number].kind == "marker":
            run = self._blocks[number].run
            if run is not None:
                self._set_expanded(self.expanded ^ {run})

    # --- matches ----------------------------------------------------------------

    def _jump(self, step: int) -> None:
        if not self._matches:
            self.notify("No matches in this article.", timeout=2)
            return
        if self.match_index is None:
            top = int(self.scroll_offset.y)
            after = [
                i
                for i, (block, _) in enumerate(self._matches)
                if self._starts[block] >= top
            ]
            start = (
                (after[0] if after else 0)
                if step > 0
                else (after[0] - 1 if after else -1)
            )
            self.match_index = start % len(self._matches)
        else:
            self.match_index = (self.match_index + step) % len(self._matches)

    def watch_match_index(self, old: int | None, new: int | None) -> None:
        for index in (old, new):
            if index is not None and index < len(self._matches):
                self._strips[self._matches[index][0]] = None
        self._layout()
        if new is None:
            return
        block = self._matches[new][0]
        self.scroll_to_region(
            Region(0, self._starts[block], 1, len(self._block_strips(block))),
            animate=False,
            center=True,
            immediate=True,
        )
        self.post_message(self.MatchMoved(new + 1, len(self._matches)))

    def action_next_match(self) -> None:
        self._jump(1)

    def action_previous_match(self) -> None:
        self._jump(-1)
