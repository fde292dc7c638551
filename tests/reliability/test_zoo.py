"""Every zoo case through `newsdesk index` and `newsdesk show`, as a user runs them.

The processes are run by `zoo_runs` (started when collection ends); these
tests judge them: `index` exits 0, indexes what is readable and names the
rest with a reason; `show` prints the article or says why in one line with
exit status 2; nothing printed holds a control character; the 50 MB file
stays within ten times its size in memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import select
import struct
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from index.search import ArticleIndex

from .counts import count
from .runner import (
    Run,
    forbidden_characters,
    index_documents,
    newsdesk,
    permissions_bind,
)
from .zoo import BODY, CASES, SECOND, THIRD, ZooCase
from .zoo_runs import (
    BIG_SHOW_SECONDS,
    INDEX_CRASHES,
    MEMORY_FACTOR,
    SHOW_TIMEOUT,
    CaseRuns,
    HeavyRuns,
    WholeZoo,
)

# --- known bugs -------------------------------------------------------------------
# Each entry is a bug in index/ or tui/ that the named case exposes. The tests
# stay as they should be and are marked xfail(strict=True): they start failing
# (XPASS) the day the bug is fixed, which is the reminder to drop the entry.

INDEX_BUGS: dict[str, str] = {}
SHOW_BUGS: dict[str, str] = {}
JSON_SHOW_BUGS: dict[str, str] = {}


def _marked(case: ZooCase, bugs: dict[str, str]) -> Any:
    reason = bugs.get(case.name)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=case.name, marks=marks)


def _cases(bugs: dict[str, str]) -> list[Any]:
    return [_marked(case, bugs) for case in CASES]


def _summary(run: Run) -> dict[str, Any]:
    assert run.returncode == 0, run.describe()
    summary: dict[str, Any] = json.loads(run.stdout)
    return summary


def _skipped_reasons(summary: dict[str, Any], file: str) -> list[str]:
    return [item["reason"] for item in summary["skipped"] if item["file"] == file]


def _assert_clean(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.describe()
    found = forbidden_characters(run.stdout + run.stderr)
    assert not found, f"control characters {found} in the output\n{run.describe()}"


# --- newsdesk index ---------------------------------------------------------------


@pytest.mark.parametrize("case", _cases(INDEX_BUGS))
def test_index_takes_what_is_readable_and_names_the_rest(
    case: ZooCase, zoo: tuple[WholeZoo, dict[str, CaseRuns]]
) -> None:
    if case.needs_no_dac and not permissions_bind():
        pytest.skip("root ignores file permissions here and they cannot be dropped")
    runs = zoo[1][case.name]
    _assert_clean(runs.index)
    summary = _summary(runs.index)
    documents = [
        d for d in index_documents(runs.index_dir) if d["file"] == case.file_id
    ]
    reasons = _skipped_reasons(summary, case.file_id)
    if case.outcome == "indexed":
        assert len(documents) == case.articles, (summary, documents)
        assert not reasons, summary
    elif case.outcome == "skipped":
        assert not documents, documents
        assert len(reasons) == 1 and reasons[0].strip(), summary
        assert case.reason in reasons[0].lower(), summary
    else:
        assert bool(documents) != bool(reasons), (summary, documents)
        assert all(reason.strip() for reason in reasons), summary
    for record in case.problems:
        assert _skipped_reasons(summary, record), f"{record} not reported: {summary}"
    if case.title is not None and case.articles == 1 and documents:
        assert documents[0]["title"] == case.title
    for document in documents:
        for field in ("title", "body", "source", "author", "url"):
            found = forbidden_characters(str(document.get(field, "")))
            assert not found, f"{field} holds {found}: {document.get(field)!r}"


@pytest.mark.parametrize(
    "case",
    [_marked(c, INDEX_BUGS) for c in CASES if c.words or c.absent],
)
def test_search_finds_the_text_and_not_the_payloads(
    case: ZooCase, zoo: tuple[WholeZoo, dict[str, CaseRuns]]
) -> None:
    runs = zoo[1][case.name]
    assert runs.index.returncode == 0, runs.index.describe()
    ix = ArticleIndex(runs.index_dir)
    try:
        for word in case.words:
            hits = ix.search(word, limit=50).hits
            assert any(hit.id.startswith(case.file_id) for hit in hits), word
        for word in case.absent:
            result = ix.search(word, limit=50)
            assert not any(hit.id.startswith(case.file_id) for hit in result.hits), word
            if result.correction is not None:
                corrected = result.correction.hits
                assert not any(h.id.startswith(case.file_id) for h in corrected), word
    finally:
        ix.close()


# --- newsdesk show ----------------------------------------------------------------


@pytest.mark.parametrize("case", _cases(SHOW_BUGS))
def test_show_prints_it_or_says_why_in_one_line(
    case: ZooCase, zoo: tuple[WholeZoo, dict[str, CaseRuns]]
) -> None:
    if case.needs_no_dac and not permissions_bind():
        pytest.skip("root ignores file permissions here and they cannot be dropped")
    run = zoo[1][case.name].show
    assert not run.timed_out, f"hung for {SHOW_TIMEOUT:.0f} s\n{run.describe()}"
    _assert_clean(run)
    expected = {"prints": (0,), "fails": (2,), "either": (0, 2)}[case.show]
    assert run.returncode in expected, run.describe()
    if run.returncode == 0:
        assert run.stdout.strip(), run.describe()
        if case.title is not None and case.articles == 1:
            assert run.stdout.splitlines()[0] == case.title
    else:
        assert run.stdout == "", run.describe()
        lines = run.stderr.splitlines()
        assert len(lines) == 1, run.describe()
        assert lines[0].startswith("newsdesk: "), run.describe()
        assert lines[0].rsplit(": ", 1)[-1].strip(), run.describe()


@pytest.mark.parametrize(
    "case", [_marked(c, JSON_SHOW_BUGS) for c in CASES if c.show_json]
)
def test_show_json_is_json_without_control_characters(
    case: ZooCase, zoo: tuple[WholeZoo, dict[str, CaseRuns]]
) -> None:
    run = zoo[1][case.name].show_json
    assert run is not None
    _assert_clean(run)
    assert run.returncode == 0, run.describe()
    shown = json.loads(run.stdout)
    articles = shown if isinstance(shown, list) else [shown]
    assert len(articles) == case.articles
    if case.title is not None and case.articles == 1:
        assert articles[0]["title"] == case.title


# --- the whole zoo at once ----------------------------------------------------------


def test_whole_zoo_every_entry_is_indexed_or_reported(
    zoo: tuple[WholeZoo, dict[str, CaseRuns]],
) -> None:
    whole = zoo[0]
    _assert_clean(whole.index)
    summary = _summary(whole.index)
    indexed = {document["file"] for document in index_documents(whole.index_dir)}
    reported = {item["file"] for item in summary["skipped"]}
    written = {case.file_id for case in CASES if case.name not in INDEX_CRASHES}
    missing = written - indexed - {file.split("#")[0] for file in reported}
    assert not missing, f"neither indexed nor reported: {missing}"
    assert not indexed & reported, indexed & reported


def test_whole_zoo_incremental_update_names_every_skipped_file_safely(
    zoo: tuple[WholeZoo, dict[str, CaseRuns]],
) -> None:
    whole = zoo[0]
    summary = _summary(whole.index)
    _assert_clean(whole.again)
    assert whole.again.returncode == 0, whole.again.describe()
    lines = whole.again.stdout.splitlines()
    assert lines[0].startswith("+0 new, ~0 changed, -0 removed"), lines[0]
    skipped = [line for line in lines[1:] if line.startswith("  skipped ")]
    assert len(skipped) == len(summary["skipped"]), whole.again.describe()


def test_whole_zoo_search_output_holds_no_control_characters(
    zoo: tuple[WholeZoo, dict[str, CaseRuns]],
) -> None:
    for run in zoo[0].searches:
        _assert_clean(run)
        assert run.returncode == 0, run.describe()


def test_whole_zoo_json_search_lists_every_article(
    zoo: tuple[WholeZoo, dict[str, CaseRuns]],
) -> None:
    whole = zoo[0]
    everything = whole.searches[-1]
    assert everything.returncode == 0, everything.describe()
    hits = json.loads(everything.stdout)["hits"]
    assert len(hits) == len(index_documents(whole.index_dir))
    for hit in hits:
        for field in ("title", "snippet", "source"):
            assert not forbidden_characters(hit[field] or ""), hit


# --- a file that disappears between listing and reading -------------------------

_IN_OPEN = 0x20
_EVENT = struct.Struct("iIII")


class _OpenWatcher:
    """Deletes `victim` the moment another process opens `trigger` (inotify).

    `newsdesk index` lists a folder (stat only) before it reads any file and
    reads files in name order, so deleting the second file when the first is
    opened removes it after the listing and before its reading: the real
    race, made certain, with no change to newsdesk."""

    def __init__(self, folder: Path, trigger: str, victim: str) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._fd = libc.inotify_init1(os.O_NONBLOCK)
        if (
            self._fd < 0
            or libc.inotify_add_watch(self._fd, bytes(folder), _IN_OPEN) < 0
        ):
            raise OSError(ctypes.get_errno(), "inotify is not available")
        self.folder, self.trigger, self.victim = folder, trigger, victim
        self.opened: list[str] = []
        self.deleted_after: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.05)
            if not ready:
                continue
            data = os.read(self._fd, 65536)
            offset = 0
            while offset < len(data):
                _, mask, _, length = _EVENT.unpack_from(data, offset)
                raw = data[offset + _EVENT.size : offset + _EVENT.size + length]
                offset += _EVENT.size + length
                name = raw.rstrip(b"\0").decode()
                if name and mask & _IN_OPEN:
                    self.opened.append(name)
                    if name == self.trigger and not self.deleted_after:
                        (self.folder / self.victim).unlink()
                        self.deleted_after = list(self.opened)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self._fd)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs inotify")
def test_file_deleted_between_listing_and_reading(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    # The first file is long enough that reading it takes far longer than
    # the watcher needs to delete the second.
    long_body = "\n\n".join(
        f"{BODY} Paragraph {n}. {SECOND} {THIRD}" for n in range(600)
    )
    (folder / "a-first.txt").write_text(f"The first article\n\n{long_body}\n")
    (folder / "b-vanishing.txt").write_text(f"The vanishing article\n\n{BODY}\n")
    watcher = _OpenWatcher(folder, "a-first.txt", "b-vanishing.txt")
    try:
        run = newsdesk(
            "index",
            "--articles",
            folder,
            "--index",
            tmp_path / "index",
            "--json",
            home=tmp_path / "home",
        )
    finally:
        watcher.close()
    count("zoo inputs tried")
    count("newsdesk processes run")
    assert watcher.deleted_after, "the indexer never opened the first file"
    assert "b-vanishing.txt" not in watcher.deleted_after, "the race was lost"
    _assert_clean(run)
    summary = _summary(run)
    assert _skipped_reasons(summary, "b-vanishing.txt"), summary
    assert summary["articles"] == 1
    assert {d["file"] for d in index_documents(tmp_path / "index")} == {"a-first.txt"}


# --- the heavy cases ----------------------------------------------------------------


def test_five_megabyte_line_is_indexed_and_shown(heavy: HeavyRuns) -> None:
    _assert_clean(heavy.line_index)
    summary = _summary(heavy.line_index)
    assert summary["articles"] == 1 and not summary["skipped"], summary
    _assert_clean(heavy.line_show)
    assert heavy.line_show.returncode == 0, heavy.line_show.describe()
    assert heavy.line_show.stdout.startswith("A single line of five megabytes\n")


def test_fifty_megabyte_file_indexes_within_ten_times_its_size(
    heavy: HeavyRuns,
) -> None:
    run = heavy.big_index
    bound_mb = MEMORY_FACTOR * heavy.big_size / 1024**2
    assert not run.over_memory, (
        f"passed {bound_mb:,.0f} MB after {run.seconds:.1f} s (killed there)"
    )
    assert not run.timed_out, run.describe()
    _assert_clean(run)
    summary = _summary(run)
    assert summary["articles"] == 1 or summary["skipped"], summary
    assert run.max_rss_kb < MEMORY_FACTOR * heavy.big_size / 1024


def test_fifty_megabyte_file_is_shown_or_refused_promptly(heavy: HeavyRuns) -> None:
    run = heavy.big_show
    assert not run.timed_out, f"still running after {BIG_SHOW_SECONDS:.0f} s"
    assert not run.over_memory, f"passed {MEMORY_FACTOR}x the file size in memory"
    _assert_clean(run)
    assert run.returncode in (0, 2), run.describe()
