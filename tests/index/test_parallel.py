"""Indexing a folder large enough for worker processes (one per core).

Each worker writes its own segment; these tests check that what a person
searches for afterwards is exactly what the folder holds: every article once,
changed articles only in their new version, removed ones gone, and the words
the app completes and corrects from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index import store
from index.locations import Locations
from index.search import ArticleIndex
from index.store import Progress, read_meta, read_words, update_index

from ..reliability.survival_helpers import newsdesk
from .test_update import write_article

FILES = 120

pytestmark = pytest.mark.skipif(
    (os.cpu_count() or 1) < 2, reason="worker processes need two cores"
)


def marker(number: int, version: str = "") -> str:
    """A word found in one article only: `zq` + letters, so it is a word."""
    letters = "".join(chr(ord("a") + int(digit)) for digit in f"{number:03d}")
    return f"zq{letters}{version}"


def write_folder(folder: Path, version: str = "") -> None:
    for number in range(FILES):
        write_article(
            folder,
            f"desk/{number:03d}.txt",
            f"Harbour report number {number}",
            f"The harbour board met again. {marker(number, version)} was on the "
            "agenda, with the ferry timetable and the new pier lights.",
        )


def hits(index_dir: Path, query: str) -> list[str]:
    ix = ArticleIndex(index_dir)
    try:
        result = ix.search(query, limit=1000)
        assert result.error is None
        return [hit.id for hit in result.hits]
    finally:
        ix.close()


@pytest.fixture
def locations(tmp_path: Path) -> Locations:
    articles = tmp_path / "articles"
    articles.mkdir()
    return Locations((articles,), tmp_path / "index")


def segment_count(locations: Locations) -> int:
    meta = read_meta(locations.index_dir)
    assert meta is not None
    gen = locations.index_dir / meta.generation
    return len(list(gen.glob("MAIN_*.trm")))


def test_a_large_folder_is_indexed_once_per_article(locations: Locations) -> None:
    write_folder(locations.folders[0])
    summary = update_index(locations)

    assert summary.line() == f"+{FILES} new, ~0 changed, -0 removed, 0 skipped"
    assert summary.articles == FILES
    assert len(hits(locations.index_dir, "harbour")) == FILES
    for number in (0, 57, FILES - 1):
        assert hits(locations.index_dir, marker(number)) == [f"desk/{number:03d}.txt"]
    # The work was shared: more than one segment came out of it.
    assert segment_count(locations) >= 2


def index_terms(locations: Locations) -> dict[tuple[str, bytes], tuple[int, float]]:
    """Every indexed term with its document frequency and total weight."""
    meta = read_meta(locations.index_dir)
    assert meta is not None
    ix = whoosh_index.open_dir(str(locations.index_dir / meta.generation))
    try:
        with ix.reader() as reader:
            return {
                (field, term): (
                    reader.doc_frequency(field, term),
                    reader.frequency(field, term),
                )
                for field, term in reader.all_terms()
            }
    finally:
        ix.close()


def test_workers_short_of_memory_index_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past their memory limit, the workers write their postings to disk in
    runs (both into the same folder) and merge them back at the end: nothing
    may be lost or doubled."""
    articles = tmp_path / "articles"
    write_folder(articles)
    roomy = Locations((articles,), tmp_path / "roomy")
    update_index(roomy)
    monkeypatch.setattr(store, "_WORKER_POOL_MB", 0.02)
    tight = Locations((articles,), tmp_path / "tight")
    update_index(tight)

    assert index_terms(tight) == index_terms(roomy)
    assert len(hits(tight.index_dir, "harbour")) == FILES
    for number in (0, 57, FILES - 1):
        assert hits(tight.index_dir, marker(number)) == [f"desk/{number:03d}.txt"]
    assert hits(tight.index_dir, '"new pier lights"') == hits(
        roomy.index_dir, '"new pier lights"'
    )


def test_words_of_the_articles_are_counted_for_completion(
    locations: Locations,
) -> None:
    write_folder(locations.folders[0])
    update_index(locations)
    meta = read_meta(locations.index_dir)
    assert meta is not None
    words = read_words(locations.index_dir / meta.generation)

    # In how many articles each word occurs: completion ranks by it.
    assert words["harbour"] == words["ferry"] == FILES
    assert words[marker(0)] == words[marker(FILES - 1)] == 1
    ix = ArticleIndex(locations.index_dir)
    try:
        assert ix.search("ferr", complete_last_word=True).completed == ("ferry",)
        result = ix.search("harbour fery")
        assert result.correction is not None
        assert result.correction.query == "harbour ferry"
    finally:
        ix.close()


def test_a_large_update_replaces_changed_articles(locations: Locations) -> None:
    folder = locations.folders[0]
    write_folder(folder)
    update_index(locations)

    write_folder(folder, version="x")
    for number in range(5):
        (folder / f"desk/{number:03d}.txt").unlink()
    write_article(folder, "desk/new.txt", "Harbour extra", "A new pier opened.")
    summary = update_index(locations)

    assert summary.line() == f"+1 new, ~{FILES - 5} changed, -5 removed, 0 skipped"
    assert summary.articles == FILES - 5 + 1
    assert len(hits(locations.index_dir, "harbour")) == FILES - 5 + 1
    assert hits(locations.index_dir, marker(50)) == []
    assert hits(locations.index_dir, marker(50, "x")) == ["desk/050.txt"]
    assert hits(locations.index_dir, marker(2, "x")) == []
    # Nothing left to do: a second update changes nothing.
    again = update_index(locations)
    assert again.line() == "+0 new, ~0 changed, -0 removed, 0 skipped"
    assert len(hits(locations.index_dir, "harbour")) == FILES - 5 + 1


def test_a_first_build_is_searchable_after_a_big_first_feed(
    locations: Locations,
) -> None:
    """A JSONL feed can hold hundreds of articles: a first build publishes it
    on its own, not only after the first 300 files."""
    folder = locations.folders[0]
    records = [
        json.dumps(
            {
                "title": f"Ferry bulletin {number}",
                "text": f"{marker(number)} sailing times. " + "Harbour news. " * 300,
            }
        )
        for number in range(300)
    ]
    (folder / "a-feed.jsonl").write_text("\n".join(records), encoding="utf-8")
    # More than twice the 300 files after which a first build publishes.
    small = 650
    for number in range(small):
        write_article(folder, f"notes/{number:03d}.txt", "Pier note", "Lights on.")
    searchable_while_indexing: list[int] = []

    def look(progress: Progress) -> None:
        if progress.phase == "indexing" and read_meta(locations.index_dir):
            searchable_while_indexing.append(
                len(hits(locations.index_dir, "ferry bulletin"))
            )

    summary = update_index(locations, progress=look)

    assert summary.articles == 300 + small
    assert searchable_while_indexing
    assert searchable_while_indexing[0] == 300


def test_the_cli_says_when_the_workers_are_writing(tmp_path: Path) -> None:
    """After every file is read, a large build spends a third of its time
    writing segments: the progress says so instead of sitting at 100 %."""
    articles = tmp_path / "articles"
    write_folder(articles)
    result = newsdesk(
        "index",
        "--articles",
        articles,
        "--index",
        tmp_path / "index",
        home=tmp_path / "home",
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    last_read = max(n for n, line in enumerate(lines) if f"{FILES}/{FILES}" in line)
    assert lines[last_read + 1 :] == ["writing the index …"]
    assert result.stdout.startswith(f"+{FILES} new")
