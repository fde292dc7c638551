"""The reader: one article, its copies collapsed behind markers, matches marked.

The reader is a line-API scroll view. The article is a list of blocks (title,
facts, paragraphs, collapse markers, expanded copies). Opening an article of
thousands of paragraphs must not wrap them all, so each block's line count is
worked out without wrapping (`wrapped_lines`, exact: rich breaks the lines
in the same places), which places every block and sizes the scroll area; a
block is wrapped into strips only when one of its lines is painted, and kept
for that width. Scrolling renders no text twice, and toggling a marker or
moving between matches re-wraps only the blocks that changed.

Finding the query's words in every paragraph is slow too for a long article:
a worker does it after the first paint, while the blocks on screen are
searched as they are painted.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

if TYPE_CHECKING:
    # The core's modules are imported when an article is shown: the app
    # paints its first frame before importing them (Whoosh takes ~0.1 s).
    from index.article import Article
    from index.collapse import ReaderView

BlockKind = Literal["title", "facts", "notice", "paragraph", "marker", "copy"]
Span = tuple[int, int]
Spans = tuple[Span, ...]
"""Where the query's words are in a block. Tuples of ints, which the garbage
collector stops tracking: a long article keeps thousands of them."""

_SEARCHED = ("title", "paragraph", "copy")
"""The kinds of block in which the query's words are marked."""
_SEARCH_NOW_CHARS = 32_000
"""Up to this much text (a few ms of searching) is searched before showing;
a longer article is searched by a worker after the first paint."""
_SEARCH_BATCH = 200
_COMPONENTS: dict[BlockKind, str] = {
    "title": "reader--title",
    "facts": "reader--facts",
    "notice": "reader--notice",
    "paragraph": "",
    "marker": "reader--marker",
    "copy": "reader--copy",
}
"""The component class of each kind of block ("": none)."""
_COPY_INDENT = "│ "


def _marker_line(count: int, expanded: bool) -> str:
    if not expanded:
        from index.collapse import marker_text

        return marker_text(count)
    noun = "paragraph" if count == 1 else "paragraphs"
    return f"▾ {count} repeated {noun} shown as copies (Enter or d to collapse)"


def wrapped_lines(text: str, width: int, console: Console | None = None) -> int:
    """How many lines `Text(text).wrap(console, width)` makes."""
    starts = _line_starts(text, width)
    if starts is not None:
        return len(starts)
    return len(Text(text).wrap(console or Console(), width))


def plain_lines(text: str, width: int) -> list[str] | None:
    """The lines `Text(text).wrap(console, width)` makes, as plain text, for
    a paragraph (see `_line_starts`); None for other text."""
    starts = _line_starts(text, width)
    if starts is None:
        return None
    ends = [*starts[1:], len(text)]
    # A line keeps the space after its last word, unless that makes it one
    # cell too wide (rich's `rstrip_end`).
    pairs = zip(starts, ends, strict=True)
    return [text[start : min(end, start + width)] for start, end in pairs]


def _line_starts(text: str, width: int) -> list[int] | None:
    """Where each line of `Text(text).wrap(console, width)` starts, found
    without rich for a paragraph; None for other text.

    A paragraph is one line of printable text with single spaces, whose words
    are narrower than `width` and whose characters take a cell each. Rich's
    wrap puts each word on the current line if it fits and else starts a new
    line with it; for such text that is a line ending at the last space that
    fits, one `rfind` a line instead of rich's regex, measure and copy a word.
    """
    if not (
        # Printable text holds no whitespace but the plain space.
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
        and _one_cell_each(text)
    ):
        return None
    starts = [0]
    start = 0
    while len(text) - start > width:
        # The space after the last word that fits on this line.
        space = text.rfind(" ", start, start + width + 1)
        if space == -1:
            return None  # A word wider than the line: rich folds it.
        start = space + 1
        starts.append(start)
    return starts


@functools.cache
def _one_cell_characters() -> frozenset[str]:
    """Printable ASCII, Latin-1 and Latin Extended-A letters, dashes, quotes
    and currency signs: most of the characters of news text (rich measures
    each as one cell; a millisecond to find out, once)."""
    ranges = ((0x20, 0x7F), (0xA0, 0x180), (0x2010, 0x2040), (0x20A0, 0x20C1))
    return frozenset(
        char
        for low, high in ranges
        for char in map(chr, range(low, high))
        if cell_len(char) == 1
    )


def _one_cell_each(text: str) -> bool:
    """Whether rich measures every character of `text` as one cell."""
    if text.isascii():
        return True  # The caller checks it is printable.
    known = _one_cell_characters()
    if known.issuperset(text):
        return True
    # Zero-width joiners and VS16 count 0 alone, so text holding them is
    # measured by rich.
    return all(cell_len(char) == 1 for char in set(text).difference(known))


Mark = tuple[int, int, Style]
"""A span of a block's text and the style painted over it (a match)."""


def block_strips(
    text: str,
    width: int,
    base: Style,
    style: Style,
    marks: Sequence[Mark] = (),
    indent: str = "",
    console: Console | None = None,
) -> list[Strip]:
    """A block's lines as painted `width` cells wide: `text` wrapped after
    `indent`, in the block's `style` over the widget's `base` style, `marks`
    painted over that, and each line padded in `base`.

    Text without marks whose lines `plain_lines` finds (most of what is
    painted: paragraphs, markers, facts) is cut at those line breaks, a
    segment a line, at a fraction of the cost of rich's wrap and render; the
    strips are the ones `wrapped_block_strips` makes.
    """
    lines = None if marks else plain_lines(text, max(1, width - len(indent)))
    if lines is None:
        return wrapped_block_strips(text, width, base, style, marks, indent, console)
    painted = base + style
    # A character is a cell, so a line is as wide as it is long, and no
    # wider than `room` (unless the indent leaves no room: then measured).
    room = width - len(indent)
    cells = width if room > 0 else None
    strips = []
    for plain in lines:
        segments = (
            [Segment(indent, painted), Segment(plain, painted)]
            if indent
            else [Segment(plain, painted)]
        )
        if len(plain) < room:
            segments.append(Segment(" " * (room - len(plain)), base))
        strips.append(Strip(segments, cells))
    return strips


def wrapped_block_strips(
    text: str,
    width: int,
    base: Style,
    style: Style,
    marks: Sequence[Mark] = (),
    indent: str = "",
    console: Console | None = None,
) -> list[Strip]:
    """`block_strips` made with rich's wrap and render (any text, any marks)."""
    console = console or Console()
    painted = base + style
    content = Text(text)
    for start, end, mark in marks:
        content.stylize(mark, start, end)
    strips = []
    for line in content.wrap(console, max(1, width - len(indent))):
        # `Text.render` leaves a line without spans unstyled (it yields
        # `Segment(text)`; `Text.__rich_console__` styles it when joining the
        # lines), so the block's style is put under every segment here, never
        # left to the `Text`: a Text's own style would reach only the lines
        # holding a match.
        segments = [Segment(indent, painted)] if indent else []
        segments.extend(Segment.apply_style(line.render(console), painted))
        length = cell_len(indent) + line.cell_len
        if length < width:
            segments.append(Segment(" " * (width - length), base))
        strips.append(Strip(segments, max(length, width)))
    return strips


@dataclass(eq=False, slots=True)
class _Block:
    kind: BlockKind
    text: str
    run: int | None = None
    """For markers and copies: which collapsed run they belong to."""
    spans: Spans | None = None
    """Where the query's words are in `text`; None until searched."""
    width: int = 0
    """The reader width `lines` was counted for (0: not yet)."""
    lines: int = 0
    """Lines it takes, the blank line after it included."""
    strips: list[Strip] | None = None
    """Its lines as painted, made when one of them is first painted."""

    def __post_init__(self) -> None:
        if self.kind not in _SEARCHED:
            self.spans = ()


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

    @dataclass
    class Searched(Message, bubble=False):
        """A search worker's answer: the spans of each block it was given."""

        serial: int
        """The `_serial` of the article and query it searched."""
        spans: list[Spans]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None
        self.view: ReaderView | None = None
        self.expanded: set[int] = set()
        self._stems: frozenset[str] = frozenset()
        self._head: list[_Block] = []
        """Title, facts and notice, kept while the article is shown."""
        self._paragraphs: list[_Block] = []
        """One per paragraph of the view, kept while the article is shown."""
        self._blocks: list[_Block] = []
        """What is shown, in order: `_head`, paragraphs, markers and copies."""
        self._starts: list[int] = []
        self._lines = 0
        self._width = 0
        self._matches: list[tuple[int, int]] | None = []
        """(block number, span number) of every match; None while searching."""
        self._serial = 0
        """Counts the articles and queries shown, to drop stale search answers."""
        self._searching: list[_Block] = []
        self._changed = False
        self._message: tuple[str, str] | None = None
        self._painted_with: tuple[Style, ...] = ()
        self._paint_styles: dict[str, Style] = {}

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
        self._head = [_Block("title", article.title), _Block("facts", self._facts())]
        if changed:
            notice = (
                "This file changed since it was indexed; press r to update the index."
            )
            self._head.append(_Block("notice", notice))
        self._paragraphs = [_Block("paragraph", text) for text in view.paragraphs]
        self._new_content()
        self._scroll_after_layout(scroll_y)

    def highlight(self, stems: frozenset[str]) -> None:
        """Highlight other words, keeping the place and the expanded copies."""
        if stems == self._stems:
            return
        self._stems = stems
        for block in self._blocks:
            if block.kind in _SEARCHED:
                block.spans = None
                block.strips = None
        self._restart_matches()
        self.refresh()

    def show_message(self, title: str, text: str) -> None:
        """Show a plain message instead of an article."""
        self.article, self.view = None, None
        self._message = (title, text)
        self.expanded = set()
        self._head = []
        if title:
            self._head.append(_Block("title", title))
        if text:
            self._head.append(_Block("notice", text))
        self._paragraphs = []
        self._new_content()
        self._scroll_after_layout(0)

    def _new_content(self) -> None:
        self._rebuild_blocks()
        self._restart_matches()
        self._layout()

    def _restart_matches(self) -> None:
        """Find the query's words afresh, for new blocks or new words."""
        self._start_search()
        # Match numbers change: `n` starts again from the view.
        self.set_reactive(ArticleReader.match_index, None)
        self.post_message(self.MatchMoved(0, len(self._matches or ())))

    @property
    def collapsed_count(self) -> int:
        return self.view.collapsed_count if self.view else 0

    @property
    def match_count(self) -> int:
        """How many matches the article has (searching the rest now if need be)."""
        return len(self._all_matches())

    def _facts(self) -> str:
        article = self.article
        assert article is not None
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
        """Put the blocks in order for the expanded runs (markers and copies anew)."""
        from index.collapse import TITLE

        blocks = list(self._head)
        runs = enumerate(self.view.runs if self.view is not None else ())
        shown = 0
        # Each marker stands before paragraph `run.at`.
        for run_number, run in sorted(runs, key=lambda numbered: numbered[1].at):
            blocks.extend(self._paragraphs[shown : run.at])
            shown = run.at
            expanded = run_number in self.expanded
            marker = _marker_line(run.count, expanded)
            blocks.append(_Block("marker", marker, run_number))
            if expanded:
                for copy, original in zip(run.paragraphs, run.copy_of, strict=True):
                    where = "the title"
                    if original != TITLE:
                        where = f"paragraph {original + 1}"
                    text = f"copy of {where}: {copy}"
                    blocks.append(_Block("copy", text, run_number))
        blocks.extend(self._paragraphs[shown:])
        self._blocks = blocks
        self._matches = None

    # --- finding the query's words ------------------------------------------------

    def _start_search(self) -> None:
        """Search the blocks now when that is quick, else in a worker."""
        self._serial += 1
        self.workers.cancel_group(self, "reader-search")
        self._searching = []
        self._matches = None
        unsearched = [block for block in self._blocks if block.spans is None]
        if not self._stems:
            # Nothing to find: no worker, which would only compete with the
            # UI thread for the interpreter while the next article opens.
            for block in unsearched:
                block.spans = ()
            unsearched = []
        if sum(len(block.text) for block in unsearched) <= _SEARCH_NOW_CHARS:
            self._all_matches()
            return
        self._searching = unsearched
        # After the first paint, so that the worker does not hold it up.
        self.call_after_refresh(self._search_later, self._serial)

    def _search_later(self, serial: int) -> None:
        if serial == self._serial and self._searching:
            texts = [block.text for block in self._searching]
            self._search(serial, texts, self._stems)

    @work(
        thread=True,
        exclusive=True,
        group="reader-search",
        # Not the default, which is the call's repr: the whole article.
        description="Finding the query's words in the article.",
    )
    def _search(self, serial: int, texts: list[str], stems: frozenset[str]) -> None:
        """Find the query's words in `texts` (a long article's blocks)."""
        from index.search import highlight_spans

        worker = get_current_worker()
        found: list[Spans] = []
        for start in range(0, len(texts), _SEARCH_BATCH):
            if worker.is_cancelled:
                return
            batch = texts[start : start + _SEARCH_BATCH]
            found.extend(tuple(highlight_spans(text, stems)) for text in batch)
        self.post_message(self.Searched(serial, found))

    @on(Searched)
    def _searched(self, message: Searched) -> None:
        if message.serial != self._serial or not self._searching:
            return
        for block, spans in zip(self._searching, message.spans, strict=True):
            if block.spans is None:
                block.spans = spans
        self._searching = []
        if self._matches is None:
            self.post_message(self.MatchMoved(0, len(self._all_matches())))

    def _spans(self, block: _Block) -> Spans:
        if block.spans is None:
            from index.search import highlight_spans

            block.spans = tuple(highlight_spans(block.text, self._stems))
        return block.spans

    def _all_matches(self) -> list[tuple[int, int]]:
        """Every match, searching the blocks not searched yet."""
        if self._matches is None:
            self._matches = [
                (number, span)
                for number, block in enumerate(self._blocks)
                for span in range(len(self._spans(block)))
            ]
        return self._matches

    # --- layout and rendering ---------------------------------------------------

    def _current_match(self) -> tuple[int, int] | None:
        if self.match_index is None or not self._matches:
            return None
        return self._matches[self.match_index]

    def _block_strips(self, number: int) -> list[Strip]:
        block = self._blocks[number]
        if block.strips is not None:
            return block.strips
        styles = self._styles()
        current = self._current_match()
        marks = []
        for span_number, (start, end) in enumerate(self._spans(block)):
            is_current = current == (number, span_number)
            match = "reader--current-match" if is_current else "reader--match"
            marks.append((start, end, styles[match]))
        strips = block_strips(
            block.text,
            self._width,
            styles["widget"],
            styles[_COMPONENTS[block.kind]],
            marks,
            _COPY_INDENT if block.kind == "copy" else "",
            self.app.console,
        )
        return self._keep_strips(block, strips)

    def _keep_strips(self, block: _Block, strips: list[Strip]) -> list[Strip]:
        """Keep a block's lines, with the blank line after it, for painting."""
        strips.append(Strip.blank(self._width, self._styles()["widget"]))
        block.strips = strips
        if len(strips) != block.lines:
            # `wrapped_lines` counted otherwise: place the blocks again.
            block.lines = len(strips)
            self.call_later(self._place)
        return strips

    def _layout(self) -> None:
        """Count the lines of each block for the current width and place them."""
        width = self.scrollable_content_region.width
        if width <= 0:
            # Not on screen yet: placed when it gets a size.
            self._starts, self._lines = [], 0
            return
        self._width = width
        console = self.app.console
        for block in self._blocks:
            if block.width != width:
                indent = len(_COPY_INDENT) if block.kind == "copy" else 0
                wrap_width = max(1, width - indent)
                block.lines = wrapped_lines(block.text, wrap_width, console) + 1
                block.width = width
                block.strips = None
        self._place()

    def _place(self) -> None:
        """Where each block starts, from their line counts; size the scroll area."""
        starts = list(accumulate((block.lines for block in self._blocks), initial=0))
        self._lines = starts.pop()
        self._starts = starts
        self.virtual_size = Size(self._width, self._lines)
        self.refresh()

    def _scroll_after_layout(self, y: int) -> None:
        if y == 0 and self.scroll_y:
            # The top is always in range: go there now, so that the first
            # frame shows the new text from its start, not at the old place.
            self.scroll_to(y=0, animate=False, immediate=True)
        # The new virtual size only bounds scrolling after the next refresh.
        self.call_after_refresh(self.scroll_to, y=y, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._layout()

    def watch_show_vertical_scrollbar(self) -> None:
        # The scrollbar narrows the text by a column without a Resize event.
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

    def _styles(self) -> dict[str, Style]:
        """The components' styles, the widget's own (key "widget") and none
        (key ""), looked up once for every block painted."""
        if not self._paint_styles:
            self._paint_styles = {
                name: self.get_component_rich_style(name)
                for name in self.COMPONENT_CLASSES
            }
            self._paint_styles.update({"widget": self.rich_style, "": Style()})
        return self._paint_styles

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Focus changes restyle the border only: re-wrapping a long article
        # for that would freeze the app.
        signature = self._style_signature()
        if signature != self._painted_with:
            self._painted_with = signature
            self._paint_styles = {}
            for block in self._blocks:
                block.strips = None
            self._layout()

    def _block_at_line(self, line: int) -> int | None:
        # Binary search: articles can have thousands of blocks.
        if not self._starts or not 0 <= line < self._lines:
            return None
        return bisect_right(self._starts, line) - 1

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y
        number = self._block_at_line(line)
        if number is not None:
            strips = self._block_strips(number)
            offset = line - self._starts[number]
            if offset < len(strips):
                return strips[offset]
        # The looked-up style: `rich_style` walks every ancestor (~85 µs), and
        # an empty reader or a short article paints a screenful of these.
        width = self.scrollable_content_region.width
        return Strip.blank(width, self._styles()["widget"])

    # --- collapse markers -------------------------------------------------------

    def _set_expanded(self, expanded: set[int]) -> None:
        anchor = self._block_at_line(int(self.scroll_offset.y))
        anchor_block = self._blocks[anchor] if anchor is not None else None
        self.expanded = expanded
        self._rebuild_blocks()
        if not self._searching:
            # Only the copies shown anew are unsearched, and they are few.
            self._all_matches()
        # A worker still searching completes the matches when it answers.
        self.set_reactive(ArticleReader.match_index, None)
        self._layout()
        if anchor_block is not None and anchor_block.kind == "paragraph":
            # Keep the paragraph at the top of the view where it was.
            number = self._blocks.index(anchor_block)
            self.scroll_to(y=self._starts[number], animate=False, immediate=True)

    def action_toggle_all(self) -> None:
        if self.view is None or not self.view.runs:
            self.notify("No repeated paragraphs in this article.", timeout=2)
            return
        every = set(range(len(self.view.runs)))
        self._set_expanded(set() if self.expanded == every else every)

    def _visible_marker(self) -> int | None:
        top = int(self.scroll_offset.y)
        bottom = top + self.scrollable_content_region.height
        number = self._block_at_line(top)
        if number is None:
            return None
        for block, start in zip(
            self._blocks[number:], self._starts[number:], strict=True
        ):
            if start >= bottom:
                break
            if block.kind == "marker" and start >= top:
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
        matches = self._all_matches()
        if not matches:
            self.notify("No matches in this article.", timeout=2)
            return
        if self.match_index is None:
            top = int(self.scroll_offset.y)
            after = [
                i for i, (block, _) in enumerate(matches) if self._starts[block] >= top
            ]
            start = (
                (after[0] if after else 0)
                if step > 0
                else (after[0] - 1 if after else -1)
            )
            self.match_index = start % len(matches)
        else:
            self.match_index = (self.match_index + step) % len(matches)

    def watch_match_index(self, old: int | None, new: int | None) -> None:
        matches = self._matches or []
        for index in (old, new):
            if index is not None and index < len(matches):
                self._blocks[matches[index][0]].strips = None
        self.refresh()
        if new is None:
            return
        block = matches[new][0]
        self.scroll_to_region(
            Region(0, self._starts[block], 1, self._blocks[block].lines),
            animate=False,
            center=True,
            immediate=True,
        )
        self.post_message(self.MatchMoved(new + 1, len(matches)))

    def action_next_match(self) -> None:
        self._jump(1)

    def action_previous_match(self) -> None:
        self._jump(-1)
