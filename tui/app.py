"""The newsdesk app: search as you type, a results list and a reader.

All slow work (opening the index, searching, loading pages of hits, reading
a large article, indexing) runs in thread workers that post messages back;
the app applies the latest answer and drops stale ones. The first frame is
painted before the index's modules are imported.
"""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from index.text import safe_name

from .messages import (
    ArticleFailed,
    ArticleLoaded,
    IndexDamaged,
    IndexDone,
    IndexFailed,
    IndexNeeded,
    IndexOpened,
    IndexProgress,
    PageLoaded,
    SearchDone,
)
from .widgets.reader import ArticleReader
from .widgets.results import PAGE_SIZE, ResultsList

if TYPE_CHECKING:
    # The index's modules (Whoosh: ~0.1 s of imports) are imported by the
    # worker that opens the index, after the first paint.
    from index.locations import Locations
    from index.search import ArticleIndex, Hit, SearchResult
    from index.store import Progress

SEARCH_DELAY = 0.03
"""Keys closer together than this are a burst (a fast run of keys, a
script): the first is searched at once, the rest once the burst pauses this
long. Every letter a person types is searched (a search takes about 10 ms at
100,000 articles, so waiting longer would only add delay)."""
GC_THRESHOLDS = (700, 10, 100)
"""Python's, but a full collection after 100 middle ones instead of 10."""
ARTICLE_DELAY = 0.03
"""Seconds the cursor rests on a result before the reader loads it."""
READ_NOW_BYTES = 16 * 1024
"""Article files up to this size are read and collapsed on the UI thread,
so the next frame shows them: 16 KB of text (a hundred paragraphs; 99 % of
the benchmark's .txt files are under 8 KB) takes about 3 ms, less than
handing it to a worker and back. Larger files are read by a worker."""
READ_IN_WORKER = frozenset({"html"})
"""Formats always read by a worker: extracting a saved page takes ~14 ms."""

SORT_LABELS = {
    "relevance": "by relevance",
    "newest": "newest first",
    "oldest": "oldest first",
}


class NewsdeskApp(App[None]):
    """Search a folder of articles and read them with duplicates collapsed."""

    CSS_PATH = "newsdesk.tcss"
    TITLE = "newsdesk"
    # Not ClassVar-annotated: Textual declares it as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("escape", "escape", "Back", show=False),
        Binding("s", "cycle_sort", "Sort"),
        Binding("o", "open_article", "Open"),
        Binding("y", "copy_link", "Copy link"),
        Binding("r", "update_index", "Update index"),
        Binding("R", "rebuild_index", "Rebuild", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    sort: reactive[str] = reactive("relevance", init=False)
    """How results are ordered: one of `index.search.SORTS`."""
    indexing: reactive[bool] = reactive(False, init=False)
    """An index update or rebuild is running in the background."""

    def __init__(self, locations: Locations) -> None:
        super().__init__()
        self.locations = locations
        self.index: ArticleIndex | None = None
        self._search_serial = 0
        self._article_serial = 0
        self._search_timer: Timer | None = None
        self._typed_at = float("-inf")
        """When the search text last changed (`time.monotonic()` seconds)."""
        self._article_timer: Timer | None = None
        self._collector_tuned = False
        """Whether the garbage collector was set up for the session."""
        self._result: SearchResult | None = None
        self._shown_query = ""
        """The query whose hits are listed (a correction, when one was used)."""
        self._reading: Hit | None = None
        self._formats_read: set[str] = {"txt"}
        """Formats whose loader has run once (in a worker), so that its lazy
        imports (YAML, Markdown, date parsing) are done: a small file of one of
        these is read at once. Plain text imports nothing."""
        self._positions: dict[str, int] = {}
        """Reading position (scroll line) of each article read this session."""
        self._status_search = Text("")
        self._status_progress: Text | None = None
        self._match_note = ""

    # --- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search articles…  (? for keys)", id="search")
        yield Static(id="status")
        with Horizontal(id="panes"):
            yield ResultsList(id="results")
            yield ArticleReader(id="reader")
        yield Footer()

    def on_mount(self) -> None:
        # Kept, not queried: timers may still fire while the screen closes.
        self.search_input = self.query_one("#search", Input)
        self.results = self.query_one(ResultsList)
        self.reader = self.query_one(ArticleReader)
        self.query_one("#results").border_title = "Results"
        self.query_one("#reader").border_title = "Reader"
        self.search_input.focus()
        # After the first frame, which does not wait for the index.
        self.call_after_refresh(self.open_index)

    # --- status line ------------------------------------------------------------

    def _show_status(self) -> None:
        line = Text()
        if self._status_progress is not None:
            line.append_text(self._status_progress)
            line.append("  ·  ", style="dim")
        line.append_text(self._status_search)
        self.query_one("#status", Static).update(line)

    def _set_search_status(self, text: Text) -> None:
        self._status_search = text
        self._show_status()

    # --- the index --------------------------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        group="open",
        exit_on_error=False,
        description="Opening the index.",
    )
    def open_index(self) -> None:
        """Open the index, or ask for it to be built when there is none."""
        # Textual and the first frame are here for the session: frozen out of
        # the collector's sight, with full collections made rarer, before the
        # index's modules and data arrive. Otherwise the first full
        # collection (due about now: Python starts with none) traversed them
        # all, 50 ms while the index opened or on the first keys typed. Not
        # collected first: that would cost as much, to free a few thousand
        # objects (200-450 KiB) that the freeze keeps instead. `newsdesk`
        # turns the collector off until now.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        gc.enable()
        from index.search import ArticleIndex, IndexMissingError, IndexOutdatedError
        from index.store import IndexUnusableError

        try:
            index = ArticleIndex(self.locations.index_dir)
        except (IndexMissingError, IndexOutdatedError):
            self.post_message(IndexNeeded(rebuild=False, reason=""))
        except IndexUnusableError as error:
            self.post_message(IndexNeeded(rebuild=True, reason=str(error)))
        else:
            self.post_message(IndexOpened(index))

    def on_index_opened(self, message: IndexOpened) -> None:
        self.index = message.index
        self._index_ready()

    def _index_ready(self) -> None:
        """Search with the index just opened or refreshed, and warm it up."""
        assert self.index is not None
        self._search_now()
        self.warm_up_index(self.index)

    @work(thread=True, exclusive=True, group="warm", exit_on_error=False)
    def warm_up_index(self, index: ArticleIndex) -> None:
        """Load what the first typed search would otherwise wait for."""
        from index.store import IndexUnusableError

        # A damaged index is reported by the next search.
        with contextlib.suppress(IndexUnusableError):
            index.warm_up()
        if not self._collector_tuned:
            self._collector_tuned = True
            # The index's readers and the warmed lists are here for the
            # session too: moved out of the collector's sight, full
            # collections (90-130 ms at 100,000 articles) stop landing on
            # keystrokes. Frozen without a full collection first: at 100,000
            # articles one holds the interpreter for 40-100 ms, on the first
            # keys typed, to free about 500 objects (40 KiB) that the freeze
            # keeps instead. Once only: frozen cycles are never freed, and
            # later warm-ups replace objects rather than add to them.
            gc.freeze()

    def on_index_needed(self, message: IndexNeeded) -> None:
        if message.reason:
            self.notify(message.reason, severity="error", markup=False)
        else:
            self._set_search_status(Text("building the index for the first time…"))
        self.run_index_update(rebuild=message.rebuild)

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def run_index_update(self, rebuild: bool) -> None:
        """Update or rebuild the index; searching goes on meanwhile."""
        from index.store import IndexBusyError, IndexUnusableError, update_index

        def report(progress: Progress) -> None:
            self.post_message(IndexProgress(progress))

        _start_index_helpers()
        try:
            summary = update_index(self.locations, rebuild=rebuild, progress=report)
        except IndexBusyError as error:
            self.post_message(IndexFailed(f"{error}; try again when it is done"))
            return
        except (IndexUnusableError, OSError) as error:
            self.post_message(IndexFailed(f"indexing failed: {error}"))
            return
        self.post_message(IndexDone(summary))

    def watch_indexing(self, indexing: bool) -> None:
        if not indexing:
            self._status_progress = None
            self._show_status()

    def on_index_progress(self, message: IndexProgress) -> None:
        from index.store import read_meta

        self.indexing = True
        progress = message.progress
        if progress.phase == "indexing" and progress.total:
            rate = progress.articles / progress.elapsed if progress.elapsed else 0.0
            note = (
                f"indexing {progress.done:,}/{progress.total:,} files · "
                f"{rate:,.0f} articles/s"
            )
        elif progress.phase == "writing":
            note = "writing the index…"
        else:
            note = f"{progress.phase}…"
        self._status_progress = Text(note, style="italic")
        self._show_status()
        if self.index is None and read_meta(self.locations.index_dir) is not None:
            # A first build publishes its first files early: start searching.
            self._try_early_open()

    def _try_early_open(self) -> None:
        from index.search import ArticleIndex
        from index.store import IndexUnusableError

        try:
            self.index = ArticleIndex(self.locations.index_dir)
        except IndexUnusableError:
            return
        self._index_ready()

    def on_index_done(self, message: IndexDone) -> None:
        self.indexing = False
        summary = message.summary
        if summary.notice:
            self.notify(summary.notice, markup=False)
        from index.search import ArticleIndex
        from index.store import IndexUnusableError

        try:
            if self.index is None:
                self.index = ArticleIndex(self.locations.index_dir)
            else:
                self.index.refresh()
        except IndexUnusableError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.notify(
            f"{summary.line()} · {summary.articles:,} articles",
            title="Index updated" if not summary.rebuilt else "Index built",
            markup=False,
        )
        self._index_ready()

    def on_index_failed(self, message: IndexFailed) -> None:
        self.indexing = False
        self.notify(message.reason, severity="error", markup=False, timeout=8)

    def action_update_index(self) -> None:
        if self.indexing:
            self.notify("The index is already being updated.", markup=False)
            return
        self.indexing = True
        self._status_progress = Text("updating the index…", style="italic")
        self._show_status()
        self.run_index_update(rebuild=False)

    def action_rebuild_index(self) -> None:
        if self.indexing:
            self.notify("The index is already being updated.", markup=False)
            return

        def answered(rebuild: bool | None) -> None:
            if rebuild:
                self.indexing = True
                self._status_progress = Text("rebuilding the index…", style="italic")
                self._show_status()
                self.run_index_update(rebuild=True)

        from .screens import ConfirmRebuild

        self.push_screen(ConfirmRebuild(), answered)

    # --- searching --------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _query_changed(self) -> None:
        if self._article_timer is not None:
            self._article_timer.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        typed_before, self._typed_at = self._typed_at, time.monotonic()
        if self._typed_at - typed_before >= SEARCH_DELAY:
            # After a pause, waiting would only add the delay to every letter.
            self._search_now()
        else:
            self._search_timer = self.set_timer(SEARCH_DELAY, self._search_now)

    @on(Input.Submitted, "#search")
    def _query_submitted(self) -> None:
        self.results.focus()

    def _search_now(self) -> None:
        if self.index is None:
            return
        self._search_serial += 1
        self.run_search(self._search_serial, self.search_input.value, self.sort)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, serial: int, text: str, sort: str) -> None:
        from index.store import IndexUnusableError

        assert self.index is not None
        if serial != self._search_serial:
            return  # Typed past already: waiting for the index would only delay.
        try:
            result = self.index.search(
                text, limit=PAGE_SIZE, sort=sort, complete_last_word=True
            )
        except IndexUnusableError as error:
            self.post_message(IndexDamaged(str(error)))
            return
        self.post_message(SearchDone(serial, result))

    def on_index_damaged(self, message: IndexDamaged) -> None:
        """Rebuild a damaged index once; the old files are left to the rebuild."""
        if self.indexing:
            return
        self.notify(
            f"{message.reason}: rebuilding it now.", severity="error", markup=False
        )
        self.indexing = True
        self.run_index_update(rebuild=True)

    def on_search_done(self, message: SearchDone) -> None:
        if message.serial != self._search_serial:
            return  # An answer to a query the user has since changed.
        result = message.result
        if result.error:
            self._set_search_status(Text(result.error, style="bold red"))
            # The last results stay: so does the reader's view of them (typing
            # dropped the pending preview).
            if self.results.current is not None:
                self._preview(self.results.current)
            return
        self._result = result
        total, hits, shown = result.total, result.hits, result.query
        status = Text()
        if result.correction and not result.total:
            total, hits = result.correction.total, result.correction.hits
            shown = result.correction.query
            status.append(f'showing results for "{shown}"')
            status.append(f' (no match for "{result.query}")', style="dim")
            status.append(" · ")
        elif result.correction:
            status.append(f'did you mean "{result.correction.query}"? ', style="dim")
        self._shown_query = shown
        if not result.query.strip():
            status.append(f"{total:,} articles · {SORT_LABELS[result.sort]}")
        elif total:
            noun = "result" if total == 1 else "results"
            status.append(f"{total:,} {noun} · {SORT_LABELS[result.sort]}")
        else:
            status.append(f'no articles match "{result.query}"')
        self._set_search_status(status)
        self.results.show_results(total, hits)
        if not hits:
            self._remember_position()
            self._reading = None
            if result.query.strip():
                self.reader.show_message("", "No article to show.")
            else:
                self.reader.show_message(
                    "No articles yet",
                    "The articles folder holds no articles. Add .txt, .md, .html, "
                    ".json or .jsonl files to it, then press r to index them.",
                )

    @on(ResultsList.PageWanted)
    def _page_wanted(self, message: ResultsList.PageWanted) -> None:
        self.load_page(
            self._search_serial, self._shown_query, self.sort, message.offset
        )

    @work(thread=True, group="pages", exit_on_error=False)
    def load_page(self, serial: int, text: str, sort: str, offset: int) -> None:
        from index.store import IndexUnusableError

        assert self.index is not None
        try:
            result = self.index.search(
                text, limit=PAGE_SIZE, offset=offset, sort=sort, complete_last_word=True
            )
        except IndexUnusableError as error:
            self.post_message(IndexDamaged(str(error)))
            return
        self.post_message(PageLoaded(serial, offset, result.hits))

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.serial == self._search_serial:
            self.results.add_page(message.offset, message.hits)

    def action_cycle_sort(self) -> None:
        from index.search import SORTS

        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]

    def watch_sort(self) -> None:
        self._search_now()

    # --- reading ----------------------------------------------------------------

    @on(ResultsList.Highlighted)
    def _result_highlighted(self, message: ResultsList.Highlighted) -> None:
        self._preview(message.hit)

    def _preview(self, hit: Hit) -> None:
        """Open `hit` in the reader once the cursor has rested on it."""
        if self._article_timer is not None:
            self._article_timer.stop()
        self._article_timer = self.set_timer(
            ARTICLE_DELAY, lambda: self._open_article(hit)
        )

    @on(ResultsList.Chosen)
    def _result_chosen(self, message: ResultsList.Chosen) -> None:
        if self._reading is None or self._reading.id != message.hit.id:
            self._open_article(message.hit)
        self.reader.focus()

    def _open_article(self, hit: Hit) -> None:
        if self._reading is not None and self._reading.id == hit.id:
            # Same article, new query: only the highlighted words change.
            self._reading = hit
            self.reader.highlight(frozenset(hit.terms))
            return
        self._remember_position()
        self._article_serial += 1
        self._reading = hit
        if self._read_now(hit):
            message = read_article(self._article_serial, hit)
            if isinstance(message, ArticleLoaded):
                self.on_article_loaded(message)
            else:
                self.on_article_failed(message)
        else:
            self.load_article(self._article_serial, hit)

    def _read_now(self, hit: Hit) -> bool:
        """Whether to read this article on the UI thread (small and quick)."""
        if hit.format not in self._formats_read or hit.format in READ_IN_WORKER:
            return False
        try:
            size = os.stat(hit.path).st_size
        except OSError:
            return True  # Reading it says what is wrong, at once.
        return size <= READ_NOW_BYTES

    def _remember_position(self) -> None:
        if self._reading is not None and self.reader.article is not None:
            self._positions[self._reading.id] = int(self.reader.scroll_y)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(self, serial: int, hit: Hit) -> None:
        """Read and collapse a large article (or one of a new format)."""
        self.post_message(read_article(serial, hit))

    def on_article_loaded(self, message: ArticleLoaded) -> None:
        self._formats_read.add(message.hit.format)
        if message.serial != self._article_serial:
            return
        self.reader.show_article(
            message.article,
            message.view,
            frozenset(message.hit.terms),
            changed=message.changed,
            scroll_y=self._positions.get(message.hit.id, 0),
        )

    def on_article_failed(self, message: ArticleFailed) -> None:
        if message.serial != self._article_serial:
            return
        self.reader.show_message(
            message.hit.title,
            f"{message.reason} ({safe_name(message.hit.path)}) "
            "Press r to update the index.",
        )

    @on(ArticleReader.MatchMoved)
    def _match_moved(self, message: ArticleReader.MatchMoved) -> None:
        reader = self.reader
        if message.total and message.index:
            reader.border_subtitle = f"match {message.index} of {message.total}"
        elif message.total:
            noun = "match" if message.total == 1 else "matches"
            reader.border_subtitle = f"{message.total} {noun} · n/N to jump"
        else:
            reader.border_subtitle = ""

    def action_open_article(self) -> None:
        hit = self._reading or self.results.current
        if hit is None:
            return
        if hit.url:
            self.open_url(hit.url)
            self.notify("Opened the article in the browser.", markup=False)
            return
        import shlex  # Here: unlike the app's other imports, Textual lacks it.

        pager = shlex.split(os.environ.get("PAGER") or "less")
        with self.suspend():
            subprocess.run([*pager, hit.path], check=False)

    def action_copy_link(self) -> None:
        hit = self._reading or self.results.current
        if hit is None:
            return
        link = hit.url or safe_name(hit.path)
        self.copy_to_clipboard(link)
        self.notify(f"Copied {link}", markup=False)

    # --- focus and keys ---------------------------------------------------------

    def action_focus_search(self) -> None:
        self.search_input.focus()

    def action_escape(self) -> None:
        if self.focused is self.results:
            if self.search_input.value:
                self.search_input.value = ""
        else:
            self.results.focus()

    def action_help(self) -> None:
        from .screens import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Search", "Focus the search box (/)", self.action_focus_search
        )
        yield SystemCommand(
            "Sort", "Cycle relevance, newest, oldest (s)", self.action_cycle_sort
        )
        yield SystemCommand(
            "Show or collapse repeated paragraphs",
            "In the reader (d)",
            self.reader.action_toggle_all,
        )
        yield SystemCommand(
            "Next match", "In the reader (n)", self.reader.action_next_match
        )
        yield SystemCommand(
            "Previous match", "In the reader (N)", self.reader.action_previous_match
        )
        yield SystemCommand(
            "Open article",
            "Url in the browser, or file in $PAGER (o)",
            self.action_open_article,
        )
        yield SystemCommand(
            "Copy link", "Copy the url or path (y)", self.action_copy_link
        )
        yield SystemCommand(
            "Update index",
            "Index new, changed and removed files (r)",
            self.action_update_index,
        )
        yield SystemCommand(
            "Rebuild index",
            "Build the index from scratch (R)",
            self.action_rebuild_index,
        )
        yield SystemCommand("Keys", "Every key newsdesk knows (?)", self.action_help)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            if event.worker.group == "index":
                self.indexing = False
            self.notify(
                f"{type(error).__name__}: {error}",
                title="Something went wrong",
                severity="error",
                markup=False,
                timeout=10,
            )


def read_article(serial: int, hit: Hit) -> ArticleLoaded | ArticleFailed:
    """Read a hit's article from its file and collapse it, or say why not."""
    from index.article import ArticleError
    from index.collapse import collapse
    from index.loaders import load_file, split_record_id
    from index.store import file_stamp

    file_id, record = split_record_id(hit.id)
    path = Path(hit.path)
    try:
        info = path.stat()
        loaded = load_file(path, file_id, record)
    except FileNotFoundError:
        return ArticleFailed(serial, hit, "This article's file is no longer there.")
    except (ArticleError, OSError) as error:
        return ArticleFailed(serial, hit, f"Cannot read it: {error}")
    article = next((a for a in loaded.articles if a.id == hit.id), None)
    if article is None:
        return ArticleFailed(serial, hit, "The file no longer holds this article.")
    changed = bool(hit.stamp) and hit.stamp != file_stamp(
        info.st_size, info.st_mtime_ns
    )
    view = collapse(article.paragraphs, article.title)
    return ArticleLoaded(serial, hit, article, view, changed)


def _start_index_helpers() -> None:
    """Start the helper processes that indexing on both cores needs.

    multiprocessing hands them the current stderr, and Textual's capture has
    no file descriptor (indexing would fall back to one process): they get
    the real one. Started here, when an index update begins, rather than
    before the app starts, because importing the index's modules for it
    would delay the first paint. The swap of `sys.stderr` is global, but
    nothing else writes to it while the few milliseconds of starting last.
    """
    from index.store import prepare_workers

    with contextlib.redirect_stderr(sys.__stderr__):
        prepare_workers()
