"""A segment's `.flat` file holds exactly the postings Whoosh's blocks hold.

Searches read a term's document numbers, weights and positions from the flat
file when the segment has one; a user would see missing or misranked
articles, or phrases found where they are not, if any of them differed. Real
articles go through the build's own `TermPool` into a real segment on disk
(in memory, and with runs spilled to disk), and every title and body term is
read both ways. A damaged file must only cost speed, never results.
"""

from __future__ import annotations

from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.matching.wrappers import FilterMatcher

from index import postings
from index.flatpostings import FlatPostings, flat_path
from index.locations import Locations
from index.postings import add_document, finalize_segment, use_term_pool
from index.search import ArticleIndex
from index.store import _commit, make_schema, read_meta, update_index

from .test_postings import articles, write_articles  # noqa: F401


def write_segment(
    folder: Path, documents: list[dict[str, Any]], limit_mb: float
) -> Any:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    # As a build's worker writes its segment and the parent commits it.
    writer = ix.writer(_lk=False, compound=False)
    use_term_pool(writer, limit_mb)
    for document in documents:
        add_document(writer, document)
    segment = finalize_segment(writer)
    _commit(ix, ix.writer(), [segment])
    return whoosh_index.open_dir(str(folder))


@pytest.mark.parametrize("limit_mb", [128.0, 2.0], ids=["in memory", "runs"])
def test_every_title_and_body_term_reads_as_whoosh_reads_it(
    tmp_path: Path,
    articles: list[dict[str, Any]],  # noqa: F811
    limit_mb: float,
) -> None:
    ix = write_segment(tmp_path / "ix", articles, limit_mb)
    with ix.reader() as reader:
        flat = FlatPostings.open(
            flat_path(str(tmp_path / "ix"), reader.segment().segment_id())
        )
        assert flat is not None
        assert terms_read_both_ways(flat, reader) > 1000
        # Fields without positions are not held: Whoosh's blocks serve them.
        assert flat.term("id", next(iter(reader.lexicon("id")))) is None
        assert flat.term("body", b"nosuchword") is None


def terms_read_both_ways(flat: FlatPostings, reader: Any) -> int:
    """Check that every title and body term of a segment's reader reads the
    same from `flat` as from Whoosh's blocks; how many terms there were."""
    checked = 0
    for fieldname in ("title", "body"):
        decode = reader.schema[fieldname].format.decode_positions
        for btext in reader.lexicon(fieldname):
            term = flat.term(fieldname, btext)
            assert term is not None, (fieldname, btext)
            matcher = reader.postings(fieldname, btext)
            if isinstance(matcher, FilterMatcher):
                # Deleted documents included, as the flat file holds them.
                matcher = matcher.child
                matcher.reset()
            ids, weights, positions = [], [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                positions.append(list(decode(matcher.value())))
                matcher.next()
            gaps_type, counts_type, positions_type = term.types
            gaps = np.frombuffer(term.gaps, gaps_type).tolist()
            assert list(accumulate(gaps)) == ids
            counts = np.frombuffer(term.counts, counts_type).tolist()
            assert [term.factor * count for count in counts] == weights
            every = np.frombuffer(flat.positions(term), positions_type).tolist()
            starts = accumulate(counts, initial=0)
            assert [every[a:b] for a, b in pairwise(starts)] == positions
            checked += 1
    return checked


def test_segments_whoosh_writes_itself_get_flat_postings_too(tmp_path: Path) -> None:
    """A small update is indexed by Whoosh's own writer, which also merges
    small segments: their flat postings are written after the commit, and
    read as Whoosh's blocks read."""
    locations = built_index(tmp_path)
    add_late_article(locations)
    (locations.folders[0] / "made" / "000.txt").unlink()
    update_index(locations)
    meta = read_meta(locations.index_dir)
    assert meta is not None
    generation = locations.index_dir / meta.generation
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        segments = reader.leaf_readers()
        for segment_reader, _ in segments:
            segment_id = segment_reader.segment().segment_id()
            flat = FlatPostings.open(flat_path(str(generation), segment_id))
            assert flat is not None, segment_id
            assert terms_read_both_ways(flat, segment_reader) > 0
    assert not list(generation.glob("*.writing"))
    assert late_article_found(locations)


def test_an_update_stands_when_its_flat_postings_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flat file of a segment Whoosh wrote comes after the commit: a
    failure there (here injected where the blocks are read, as damaged
    blocks or a lack of memory would fail) must not fail the update, nor
    turn it into a rebuild, nor leave a partial file."""
    locations = built_index(tmp_path)
    add_late_article(locations)

    def fail(*args: Any) -> None:
        raise MemoryError("injected")

    monkeypatch.setattr(postings, "_add_flat_field", fail)
    summary = update_index(locations)

    assert (summary.rebuilt, summary.new) == (False, 1)
    meta = read_meta(locations.index_dir)
    assert meta is not None
    assert not list((locations.index_dir / meta.generation).glob("*.writing"))
    assert late_article_found(locations)


def add_late_article(locations: Locations) -> None:
    (locations.folders[0] / "late.txt").write_text(
        "Quayside lantern vote\n\nThe quayside lantern vote went late.\n", "utf-8"
    )


def late_article_found(locations: Locations) -> bool:
    index = ArticleIndex(locations.index_dir)
    try:
        hits = index.search('"quayside lantern"').hits
        return [hit.title for hit in hits] == ["Quayside lantern vote"]
    finally:
        index.close()


def built_index(tmp_path: Path) -> Locations:
    folder = tmp_path / "articles"
    write_articles(folder, count=120)
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    return locations


def flat_files(locations: Locations) -> list[Path]:
    meta = read_meta(locations.index_dir)
    assert meta is not None
    return sorted((locations.index_dir / meta.generation).glob("*.flat"))


QUERIES = ["harbour", "harbour board", '"harbour board met"', "board OR met", "ha*"]


def answers(locations: Locations) -> list[tuple[int, list[tuple[str, float]]]]:
    index = ArticleIndex(locations.index_dir)
    try:
        results = [index.search(text, limit=50) for text in QUERIES]
        return [
            (result.total, [(hit.id, round(hit.score, 9)) for hit in result.hits])
            for result in results
        ]
    finally:
        index.close()


def invert_postings(data: bytes) -> bytes:
    """Every byte of the postings and positions inverted, the start and the
    directory intact: every term's checksum fails."""
    directory_at = int.from_bytes(data[-16:-8], "little")
    postings = data[8:directory_at]
    return data[:8] + bytes(255 - byte for byte in postings) + data[directory_at:]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: b"",
        lambda data: b"not ours" + data[8:],
        lambda data: data[:-40] + bytes(40),
        lambda data: invert_postings(data),
    ],
    ids=["cut short", "empty", "not ours", "directory zeroed", "postings altered"],
)
def test_a_damaged_flat_file_changes_no_result(tmp_path: Path, damage: Any) -> None:
    locations = built_index(tmp_path)
    files = flat_files(locations)
    assert files
    expected = answers(locations)
    assert expected[0][0] > 100
    for path in files:
        path.write_bytes(damage(path.read_bytes()))
    assert answers(locations) == expected


def test_the_flat_file_goes_with_its_segment(
    tmp_path: Path,
    articles: list[dict[str, Any]],  # noqa: F811
) -> None:
    ix = write_segment(tmp_path / "ix", articles, 128.0)
    (written,) = (tmp_path / "ix").glob("*.flat")
    # Whoosh merges the segment into a new one and deletes its files: the
    # flat file, named after it, goes too (a commit outside newsdesk's
    # writes none for the new segment, which is read from Whoosh's blocks).
    ix.writer().commit(optimize=True)
    assert not written.exists()
    assert not list((tmp_path / "ix").glob("*.flat"))
