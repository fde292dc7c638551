"""The app's figures, measured with Textual's Pilot in a fresh process.

What "painted" means here: Textual's compositor has rendered the changed
lines of the screen (every visible `render_line` has run) and the update has
been turned into the escape sequences a terminal would receive
(`render_segments`); only writing them to a real terminal is missing. The
hook is the app's `_display` method, which the screen calls once per frame.

* launch: from `make_app()` (imports done) to the first frame, and to the
  first frame that shows results (the index opened, the empty query's newest
  articles listed); the parent adds the process start (interpreter and
  imports) from the wall clock.
* keystroke to results: `pilot.press(letter)` until the frame that shows
  the results for the text typed so far; the search alone is timed too. Each
  letter waits for its results before the next is pressed (a typist who
  pauses), so the app searches each at once; a burst types a whole word at
  once and times the last key to its results, which includes the
  `SEARCH_DELAY` the app waits for a burst to pause.
* reader: posting `ResultsList.Chosen` for a hit until the frame that shows
  the article (load, collapse, wrap, paint), for a typical article and one of
  5,000 paragraphs, each chosen `READER_PAUSE` after the one before; and the
  typical article chosen the moment the long one is painted (it waits for
  Textual's next frame slot). The cursor-moved path adds `ARTICLE_DELAY`
  (30 ms).
* memory: VmRSS and VmHWM of this process after all of that.

Usage::

    python bench/app_child.py ARTICLES INDEX --type WORD... --typical FILE \
        --big FILE [--reader-repeats N] [--launch-only]

Prints one JSON line.
"""

from __future__ import annotations

import time

_STARTED_WALL = time.time()
_STARTED = time.perf_counter()

import gc  # noqa: E402

# As `newsdesk` (tui.cli.main) does before it imports the app; the app turns
# the collector back on once its first frame is painted.
gc.disable()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# What `newsdesk` imports before its first paint, and no more: the index's
# modules (`Hit` is in index.search) are imported after it, as the app does.
from index.locations import Locations  # noqa: E402
from tui.app import SEARCH_DELAY, NewsdeskApp  # noqa: E402
from tui.cli import make_app  # noqa: E402
from tui.widgets.results import ResultsList  # noqa: E402

if TYPE_CHECKING:
    from index.search import Hit

_IMPORTED = time.perf_counter()
_TIMEOUT = 300.0
SIZE = (120, 36)
READER_PAUSE = 0.25
"""Seconds between opening one article and the next: a person reads the
list before choosing (and no one chooses within a frame of the last paint)."""


class FrameWatch:
    """Records each frame and wakes whoever waits for a condition on one."""

    def __init__(self, app: NewsdeskApp) -> None:
        self.app = app
        self.frames: list[float] = []
        self.cpu: list[float] = []
        """The process's CPU seconds (every thread) when each frame was painted."""
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)
            now = time.perf_counter()
            self.frames.append(now)
            self.cpu.append(time.process_time())
            for waiter in list(self._waiters):
                condition, future = waiter
                if not future.done() and condition():
                    future.set_result(now)
                    self._waiters.remove(waiter)

        app._display = display  # type: ignore[method-assign]

    def expect(self, condition: Callable[[], bool]) -> asyncio.Future[float]:
        """The time of the first frame from now on painted when `condition` holds.

        Ask before acting: `pilot.press` returns only once the app is idle,
        which can be after the frame that showed the results."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((condition, future))
        return future

    async def frame_when(self, condition: Callable[[], bool]) -> float:
        return await asyncio.wait_for(self.expect(condition), _TIMEOUT)


def _shown(app: NewsdeskApp, text: str) -> Callable[[], bool]:
    def condition() -> bool:
        result = app._result
        return result is not None and result.query == text

    return condition


def _hit_for(path: Path, folder: Path) -> Hit:
    from index.search import Hit, Snippet

    file_id = (
        path.relative_to(folder).as_posix()
        if path.is_relative_to(folder)
        else path.name
    )
    return Hit(
        id=file_id,
        title=path.stem,
        title_spans=(),
        source="",
        date=None,
        score=0.0,
        snippet=Snippet(""),
        path=str(path),
        url="",
        format="txt",
        collapsed=0,
        terms=(),
    )


def _key(char: str) -> str:
    return "space" if char == " " else char


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    folder = args.articles.resolve()
    launch_started = time.perf_counter()
    app = make_app(Locations((folder,), args.index.resolve()))
    watch = FrameWatch(app)
    searches: dict[str, tuple[float, float]] = {}
    """Wall and CPU (of the worker thread) seconds of the last search of a text."""
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        first_results = await watch.frame_when(_shown(app, ""))
        first_frame = watch.frames[0]
        out["launch_first_frame"] = first_frame - launch_started
        out["launch_first_results"] = first_results - launch_started
        out["first_frame_wall"] = _STARTED_WALL + (first_frame - _STARTED)
        out["first_results_wall"] = _STARTED_WALL + (first_results - _STARTED)
        out["search_delay"] = SEARCH_DELAY
        out["imports"] = _IMPORTED - _STARTED
        out["first_frame_cpu"] = watch.cpu[0]
        if args.launch_only:
            return out

        index = app.index
        assert index is not None
        search = index.search

        def timed_search(text: str, *a: Any, **k: Any) -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            result = search(text, *a, **k)
            searches[text] = (
                time.perf_counter() - started,
                time.thread_time() - cpu,
            )
            return result

        index.search = timed_search  # type: ignore[method-assign]

        keystrokes: list[dict[str, Any]] = []
        for word in args.type:
            app.search_input.value = ""
            await watch.frame_when(_shown(app, ""))
            for end in range(1, len(word) + 1):
                text = word[:end]
                frame = watch.expect(_shown(app, text))
                started = time.perf_counter()
                await pilot.press(_key(word[end - 1]))
                painted = await asyncio.wait_for(frame, _TIMEOUT)
                wall, cpu = searches.get(text, (None, None))
                keystrokes.append(
                    {
                        "text": text,
                        "latency": painted - started,
                        "search": wall,
                        "search_cpu": cpu,
                        "total": app.results.total,
                    }
                )
        out["keystrokes"] = keystrokes

        bursts: list[dict[str, Any]] = []
        for word in args.type:
            app.search_input.value = ""
            await watch.frame_when(_shown(app, ""))
            await pilot.press(*[_key(char) for char in word[:-1]])
            frame = watch.expect(_shown(app, word))
            started = time.perf_counter()
            await pilot.press(_key(word[-1]))
            painted = await asyncio.wait_for(frame, _TIMEOUT)
            bursts.append({"text": word, "latency": painted - started})
        out["bursts"] = bursts

        reader: dict[str, list[float]] = {
            "typical": [],
            "big": [],
            "typical_at_once": [],
        }
        typical = _hit_for(args.typical.resolve(), folder)
        big = _hit_for(args.big.resolve(), folder)

        async def opened(hit: Hit) -> float:
            def showing() -> bool:
                article = app.reader.article
                return article is not None and article.id == hit.id

            frame = watch.expect(showing)
            started = time.perf_counter()
            app.results.post_message(ResultsList.Chosen(hit))
            painted = await asyncio.wait_for(frame, _TIMEOUT)
            return painted - started

        for _ in range(args.reader_repeats):
            for name, hit in (("typical", typical), ("big", big)):
                await asyncio.sleep(READER_PAUSE)
                reader[name].append(await opened(hit))
            # Also the typical article chosen the moment the long one is
            # painted: Textual paints at most once a frame period, so this
            # open waits for the next frame slot.
            reader["typical_at_once"].append(await opened(typical))
        out["reader"] = reader
        out["big_paragraphs"] = (
            len(app.reader.view.paragraphs) if app.reader.view is not None else 0
        )
        await app.workers.wait_for_complete()
        # Let pending timers (the reader's debounce) fire before the app closes.
        await pilot.pause(0.2)
    from measure import rss_bytes

    rss, peak = rss_bytes()
    out["rss"] = rss
    out["peak_rss"] = peak
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("articles", type=Path)
    parser.add_argument("index", type=Path)
    parser.add_argument("--type", nargs="+", default=[], help="words to type")
    parser.add_argument("--typical", type=Path, required=True)
    parser.add_argument("--big", type=Path, required=True)
    parser.add_argument("--reader-repeats", type=int, default=5)
    parser.add_argument(
        "--launch-only", action="store_true", help="stop once results are painted"
    )
    args = parser.parse_args()
    result = asyncio.run(measure(args))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
