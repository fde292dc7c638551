"""A worker's segment written through `TermPool` is the segment Whoosh writes.

The sample articles and a few hundred articles made from their words go
through the real loaders and schema into two real indexes on disk, one with
Whoosh's own posting pool and one with `TermPool` (also with a memory limit
small enough that it writes and merges runs): every segment file Whoosh
writes must be byte for byte the same, so searching cannot tell them apart.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from index.discover import scan_folders
from index.postings import TermPool, add_document, finalize_segment, use_term_pool
from index.store import _load_for_index, make_schema

from .test_update import write_article

SAMPLES = Path(__file__).resolve().parents[2] / "sample_articles"


def write_articles(folder: Path, count: int = 400) -> None:
    """Articles made of the samples' words: common words in more documents
    than a posting block holds (128), and many rare ones."""
    words = sorted(
        {
            word
            for path in SAMPLES.rglob("*.txt")
            for word in path.read_text(errors="ignore").split()
        }
    )
    rng = random.Random(5)
    for number in range(count):
        body = " ".join(rng.choices(words, k=rng.randint(20, 400)))
        paragraphs = f"The harbour board met. {body}\n\nThe harbour board met."
        headline = " ".join(rng.choices(words, k=6))
        write_article(folder, f"made/{number:03d}.txt", headline, paragraphs)


def documents(folder: Path) -> list[dict[str, Any]]:
    scan = scan_folders((SAMPLES, folder))
    return [
        document
        for entry in scan.files
        for document in _load_for_index(entry, None).documents
    ]


@pytest.fixture
def articles(tmp_path: Path) -> list[dict[str, Any]]:
    write_articles(tmp_path / "articles")
    return documents(tmp_path / "articles")


def write_segment(
    folder: Path,
    articles: list[dict[str, Any]],
    term_pool_mb: float | None,
    by_field: bool = True,
) -> dict[str, bytes]:
    """Index the samples into one segment; its files by extension."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    writer = ix.writer(_lk=False, compound=False)
    if term_pool_mb is not None:
        use_term_pool(writer, term_pool_mb)
    for document in articles:
        if term_pool_mb is not None and by_field:
            add_document(writer, document)
        else:
            writer.add_document(**document)
    if term_pool_mb is None:
        segment = writer._finalize_segment()
    else:
        segment = finalize_segment(writer)
    prefix = segment.segment_id()
    files = {
        path.name.removeprefix(prefix): path.read_bytes()
        for path in folder.glob(f"{prefix}*")
    }
    assert {".pst", ".trm", "._stored.col"} <= files.keys()
    return files


@pytest.mark.parametrize(
    ("limit_mb", "by_field"),
    [(128.0, True), (2.0, True), (128.0, False)],
    ids=["in memory", "runs", "posting by posting"],
)
def test_term_pool_writes_whooshs_segment_byte_for_byte(
    tmp_path: Path, articles: list[dict[str, Any]], limit_mb: float, by_field: bool
) -> None:
    assert len(articles) > 400
    whoosh_files = write_segment(tmp_path / "whoosh", articles, None)
    term_pool_files = write_segment(
        tmp_path / "term-pool", articles, limit_mb, by_field
    )

    # Besides Whoosh's files, the flat postings (tests/index/test_flatpostings.py).
    assert term_pool_files.pop(".flat")
    assert term_pool_files.keys() == whoosh_files.keys()
    for extension, data in whoosh_files.items():
        assert term_pool_files[extension] == data, extension
    # Runs are removed once the segment is written.
    assert not list((tmp_path / "term-pool").rglob("*.terms"))


def test_term_pool_refuses_postings_out_of_document_order(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    pool = TermPool(ix.storage.temp_storage("pool"), 1)
    pool.add(("body", b"harbour", 5, 1.0, b""))
    with pytest.raises(ValueError, match="document order"):
        pool.add(("body", b"harbour", 4, 1.0, b""))
