"""Running the zoo through newsdesk: every process the zoo tests judge.

The runs are separate processes, so they go in a thread pool, and the pool
starts as soon as pytest has collected the tests (see `conftest`) so that
they overlap with the in-process app and fuzzing tests instead of adding to
them. `test_zoo` then only waits for the answers and judges them.

What runs:

* `index --json` once over one folder holding every case (the whole zoo), so
  the cases meet each other as they would in a real folder; the cases whose
  bug kills a whole run (`INDEX_CRASHES`) each get a folder and run of their
  own. Should the whole-zoo run fail anyway, every case is run alone, so
  that the failure lands on the case that caused it.
* the same index again, incrementally, with the human `--verbose` summary,
  then `search` plain and as JSON;
* `show` on every case, `show --json` where the case asks for it;
* the heavy cases: `index` and `show` of the 5 MB line and the 50 MB file,
  the latter killed once they pass ten times the file's size in memory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .counts import count, measured
from .runner import Run, kill_running, newsdesk
from .zoo import CASES, ZooCase, write_big_file, write_long_line, write_zoo

__all__ = [
    "BIG_BYTES",
    "BIG_SHOW_SECONDS",
    "INDEX_CRASHES",
    "MEMORY_FACTOR",
    "SHOW_TIMEOUT",
    "CaseRuns",
    "HeavyRuns",
    "WholeZoo",
    "start",
    "stop",
    "zoo_runs",
]

INDEX_CRASHES: frozenset[str] = frozenset()
"""Cases whose bug (see test_zoo.INDEX_BUGS) kills a whole `index` run."""

SHOW_TIMEOUT = 15.0
"""Seconds `show` may take on a small file before it counts as hung."""
BIG_BYTES = 50 * 1024 * 1024
MEMORY_FACTOR = 10
"""Peak resident memory allowed for the 50 MB file, in multiples of its size."""
BIG_SHOW_SECONDS = 10.0
"""`show` of the 50 MB file must finish or refuse within this; `cat` takes
well under a second."""


@dataclass(frozen=True)
class CaseRuns:
    """What newsdesk did with one case."""

    case: ZooCase
    folder: Path
    """The articles folder the case was indexed in."""
    index_dir: Path
    index: Run
    """The `index --json` run that indexed it (shared by the whole zoo)."""
    show: Run
    show_json: Run | None


@dataclass(frozen=True)
class WholeZoo:
    """The whole zoo in one folder, indexed, updated and searched."""

    folder: Path
    index_dir: Path
    index: Run
    again: Run
    """`index --verbose` on the unchanged folder: the incremental path."""
    searches: tuple[Run, ...]


@dataclass(frozen=True)
class HeavyRuns:
    line_index: Run
    line_show: Run
    big_index: Run
    big_show: Run
    big_size: int


class _ZooRuns:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="newsdesk-zoo-"))
        # Some runs wait rather than work (a FIFO blocks `show` until killed).
        self.pool = ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1)
        self.heavy_pool = ThreadPoolExecutor(max_workers=5)
        self._heavy_runs = self._start_heavy()
        self._heavy: HeavyRuns | None = None
        self.whole = self.pool.submit(self._whole_zoo)
        self.alone = {
            name: self.pool.submit(self._index_alone, name)
            for name in sorted(INDEX_CRASHES)
        }
        self.shows = {case.name: self.pool.submit(self._show, case) for case in CASES}

    # --- the light cases ---------------------------------------------------------

    def _case_folder(self, case: ZooCase) -> Path:
        folder = self.root / "alone" / case.name / "articles"
        with _WRITING:
            if not folder.exists():
                folder.mkdir(parents=True)
                case.write(folder)
        return folder

    def _index_alone(self, name: str) -> Run:
        case = next(case for case in CASES if case.name == name)
        folder = self._case_folder(case)
        count("newsdesk processes run")
        return newsdesk(
            "index",
            "--articles",
            folder,
            "--index",
            folder.parent / "index",
            "--json",
            home=folder.parent / "home",
        )

    def _whole_zoo(self) -> WholeZoo:
        folder = self.root / "whole" / "articles"
        write_zoo(folder, leave_out=INDEX_CRASHES)
        index_dir, home = folder.parent / "index", folder.parent / "home"
        where = ("--articles", folder, "--index", index_dir)
        index = newsdesk("index", *where, "--json", home=home)
        again = newsdesk("index", *where, "--verbose", home=home)
        searches = tuple(
            newsdesk("search", *where, *arguments, home=home)
            for arguments in (
                ("library",),
                ("--json", "library"),
                ("--sort", "newest", "--limit", "100", ""),
                ("--json", "--limit", "100", ""),
            )
        )
        count("newsdesk processes run", 2 + len(searches))
        return WholeZoo(folder, index_dir, index, again, searches)

    def _show(self, case: ZooCase) -> tuple[Run, Run | None]:
        # Each case is shown from a folder of its own: `show` needs no index.
        target = self._case_folder(case) / case.file
        home = self.root / "alone" / case.name / "home-show"
        show = newsdesk("show", target, home=home, timeout=SHOW_TIMEOUT)
        show_json = (
            newsdesk("show", "--json", target, home=home, timeout=SHOW_TIMEOUT)
            if case.show_json
            else None
        )
        count("newsdesk processes run", 1 + case.show_json)
        return show, show_json

    def cases(self) -> tuple[WholeZoo, dict[str, CaseRuns]]:
        """Every case's runs; each case alone when the whole-zoo run failed."""
        whole = self.whole.result()
        runs: dict[str, CaseRuns] = {}
        for case in CASES:
            show, show_json = self.shows[case.name].result()
            if case.name in INDEX_CRASHES:
                index, folder = self.alone[case.name].result(), self._case_folder(case)
            elif whole.index.returncode == 0:
                index, folder = whole.index, whole.folder
            else:
                index, folder = self._index_alone(case.name), self._case_folder(case)
            runs[case.name] = CaseRuns(
                case, folder, folder.parent / "index", index, show, show_json
            )
        return whole, runs

    # --- the heavy cases ---------------------------------------------------------

    def _start_heavy(self) -> list[Future[Run]]:
        """Write the heavy files and run newsdesk on them, in a pool of their
        own so that they start at once instead of behind the light cases."""
        heavy = self.root / "heavy"
        line, big = heavy / "line" / "line.txt", heavy / "big" / "big.txt"
        written = threading.Event()

        def write() -> None:
            line.parent.mkdir(parents=True)
            big.parent.mkdir(parents=True)
            write_long_line(line)
            write_big_file(big, BIG_BYTES)
            written.set()

        def when_written(*args: str | Path, **options: Any) -> Run:
            if not written.wait(timeout=120):
                raise RuntimeError("the heavy files were never written")
            return newsdesk(*args, **options)

        self.heavy_pool.submit(write)
        limit_kb = MEMORY_FACTOR * BIG_BYTES // 1024
        return [
            self.heavy_pool.submit(
                when_written,
                "index",
                "--articles",
                big.parent,
                "--index",
                heavy / "big-index",
                "--json",
                home=heavy / "home-big",
                timeout=180,
                rss_limit_kb=limit_kb,
            ),
            self.heavy_pool.submit(
                when_written,
                "show",
                big,
                home=heavy / "home-big-show",
                timeout=BIG_SHOW_SECONDS,
                rss_limit_kb=limit_kb,
            ),
            self.heavy_pool.submit(
                when_written,
                "index",
                "--articles",
                line.parent,
                "--index",
                heavy / "line-index",
                "--json",
                home=heavy / "home-line",
                timeout=120,
            ),
            self.heavy_pool.submit(
                when_written, "show", line, home=heavy / "home-line-show", timeout=120
            ),
        ]

    def long_line_index(self) -> tuple[Path, Path, Run]:
        """The 5 MB line's folder, index and `index` run, without waiting for
        the 50 MB file."""
        heavy = self.root / "heavy"
        return heavy / "line", heavy / "line-index", self._heavy_runs[2].result()

    def heavy_runs(self) -> HeavyRuns:
        if self._heavy is None:
            big_index, big_show, line_index, line_show = (
                run.result() for run in self._heavy_runs
            )
            count("newsdesk processes run", 4)
            for name, run in (
                ("5 MB line: index", line_index),
                ("5 MB line: show", line_show),
                ("50 MB file: index", big_index),
                ("50 MB file: show", big_show),
            ):
                record(name, run)
            heavy = self.root / "heavy"
            self._heavy = HeavyRuns(
                line_index,
                line_show,
                big_index,
                big_show,
                (heavy / "big" / "big.txt").stat().st_size,
            )
        return self._heavy


_WRITING = threading.Lock()
"""Cases are written by pool threads; each folder is written once."""


_RUNS: _ZooRuns | None = None


def start() -> None:
    """Start the runs in the background, once."""
    zoo_runs()


def zoo_runs() -> _ZooRuns:
    """The runs, started now if collection did not start them."""
    global _RUNS
    if _RUNS is None:
        _RUNS = _ZooRuns()
    return _RUNS


def stop() -> None:
    global _RUNS
    if _RUNS is not None:
        # Runs no test waited for (a -k selection, an interrupted session):
        # drop those not started, kill those running.
        for pool in (_RUNS.pool, _RUNS.heavy_pool):
            pool.shutdown(wait=False, cancel_futures=True)
        kill_running()
        for pool in (_RUNS.pool, _RUNS.heavy_pool):
            pool.shutdown(wait=True)
        shutil.rmtree(_RUNS.root, ignore_errors=True)
        _RUNS = None


def record(name: str, run: Run) -> None:
    ending = (
        "killed at the memory bound"
        if run.over_memory
        else "killed at the timeout"
        if run.timed_out
        else f"exit {run.returncode}"
    )
    measured(
        name, f"peak RSS {run.max_rss_kb / 1024:,.0f} MB, {run.seconds:.1f} s, {ending}"
    )
