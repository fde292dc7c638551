"""Driving the app in tests: waiting for workers and reading what is painted."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tui.app import NewsdeskApp
from tui.widgets.reader import ArticleReader
from tui.widgets.results import ResultsList


async def settle(pilot: Pilot[None]) -> None:
    """Wait until searches, page loads and article loads have all landed."""
    quiet = 0
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        # Idle twice in a row: a repaint can ask for a page, which starts a worker.
        quiet = (
            0 if any(worker.is_running for worker in pilot.app.workers) else quiet + 1
        )
        if quiet == 2:
            return


async def type_query(pilot: Pilot[None], text: str) -> None:
    app = pilot.app
    assert isinstance(app, NewsdeskApp)
    app.search_input.focus()
    await pilot.pause()
    app.search_input.value = ""
    await pilot.press(*text)
    await settle(pilot)


async def read_first_hit(pilot: Pilot[None], text: str) -> None:
    """Search for `text` and open the first result in the reader, as a person
    does: type, Enter to the results, Enter to read."""
    await type_query(pilot, text)
    await pilot.press("enter", "enter")
    await settle(pilot)


def widget_lines(widget: ResultsList | ArticleReader) -> list[str]:
    """The text of every line the widget would paint now."""
    height = widget.scrollable_content_region.height
    return [widget.render_line(y).text.rstrip() for y in range(height)]


def reader_text(app: NewsdeskApp) -> str:
    return "\n".join(widget_lines(app.reader))


def results_text(app: NewsdeskApp) -> str:
    return "\n".join(widget_lines(app.results))


def status_text(app: NewsdeskApp) -> str:
    return str(app.query_one("#status", Static).content)


def no_blink(app: NewsdeskApp) -> None:
    app.query_one(Input).cursor_blink = False
