"""`update_index` on real indexes on disk: first build, incremental updates,
rebuilds, schema changes, skipped files, and an articles folder left untouched.

Every test writes its own small articles folder in `tmp_path` and keeps its
index beside it, so what is asserted is what a user would see: the one-line
summary, the article count, and what a search finds afterwards.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from index.locations import Locations
from index.search import ArticleIndex, IndexOutdatedError
from index.store import (
    SCHEMA_VERSION,
    UpdateSummary,
    read_meta,
    skipped_files,
    update_index,
)

Snapshot = dict[str, tuple[int, int, int]]


def write_article(folder: Path, name: str, headline: str, body: str) -> Path:
    """A plain-text article: headline, blank line, body (the BBC layout)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{headline}\n\n{body}\n", encoding="utf-8")
    return path


def set_mtime(path: Path, mtime_ns: int) -> None:
    os.utime(path, ns=(mtime_ns, mtime_ns))


def replace_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """Change a file's words so that only reading it again could tell."""
    before = path.stat()
    replaced = path.read_text(encoding="utf-8").replace(old, new)
    assert len(replaced.encode("utf-8")) == before.st_size
    path.write_text(replaced, encoding="utf-8")
    set_mtime(path, before.st_mtime_ns)


def ids_for(index_dir: Path, query: str) -> set[str]:
    ix = ArticleIndex(index_dir)
    try:
        result = ix.search(query, limit=1000)
        assert result.error is None, result.error
        return {hit.id for hit in result.hits}
    finally:
        ix.close()


def article_count(index_dir: Path) -> int:
    ix = ArticleIndex(index_dir)
    try:
        return ix.article_count
    finally:
        ix.close()


def snapshot(folder: Path) -> Snapshot:
    """Every entry under `folder` (hidden ones too) with mode, size and mtime."""
    listing: Snapshot = {}
    for path in [folder, *folder.rglob("*")]:
        info = path.lstat()
        key = path.relative_to(folder).as_posix()
        listing[key] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return listing


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(
        folder,
        "budget.txt",
        "Coalition agrees budget",
        "The coalition agreed a budget after long talks in the capital.",
    )
    write_article(
        folder,
        "flood.txt",
        "Floods hit the valley",
        "Heavy rain caused floods across the valley and the river burst its banks.",
    )
    write_article(
        folder,
        "sport/final.txt",
        "Rovers win the cup final",
        "Rovers beat United two goals to one in a tense cup final.",
    )
    return folder


@pytest.fixture
def locations(articles: Path, tmp_path: Path) -> Locations:
    return Locations((articles,), tmp_path / "ix")


@pytest.fixture
def built(locations: Locations) -> UpdateSummary:
    return update_index(locations)


def test_first_build_indexes_every_file(locations: Locations) -> None:
    summary = update_index(locations)

    assert summary.line() == "+3 new, ~0 changed, -0 removed, 0 skipped"
    assert summary.rebuilt is True
    assert summary.notice is None
    assert summary.articles == 3
    meta = read_meta(locations.index_dir)
    assert meta is not None
    assert meta.schema == SCHEMA_VERSION
    assert meta.folders == (str(locations.folders[0]),)
    assert ids_for(locations.index_dir, "valley") == {"flood.txt"}
    assert ids_for(locations.index_dir, "cup") == {"sport/final.txt"}


def test_a_new_file_is_added(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    write_article(
        articles, "port.txt", "Harbour reopens", "Ships returned to the harbour."
    )

    summary = update_index(locations)

    assert summary.line() == "+1 new, ~0 changed, -0 removed, 0 skipped"
    assert summary.rebuilt is False
    assert summary.articles == 4
    assert ids_for(locations.index_dir, "harbour") == {"port.txt"}
    # The rest of the index is still there.
    assert ids_for(locations.index_dir, "valley") == {"flood.txt"}


def test_a_changed_file_is_reindexed(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    write_article(
        articles,
        "flood.txt",
        "Drought grips the valley",
        "No rain has fallen for months and the reservoirs are nearly empty.",
    )

    summary = update_index(locations)

    assert summary.line() == "+0 new, ~1 changed, -0 removed, 0 skipped"
    assert summary.articles == 3
    assert ids_for(locations.index_dir, "drought") == {"flood.txt"}
    assert ids_for(locations.index_dir, "floods") == set()


def test_a_change_of_the_same_size_is_found_by_its_mtime(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    path = articles / "flood.txt"
    before = path.stat()
    text = path.read_text(encoding="utf-8").replace("river", "canal")
    assert len(text) == len(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    set_mtime(path, before.st_mtime_ns + 2_000_000_000)

    summary = update_index(locations)

    assert summary.line() == "+0 new, ~1 changed, -0 removed, 0 skipped"
    assert ids_for(locations.index_dir, "canal") == {"flood.txt"}
    assert ids_for(locations.index_dir, "river") == set()


def test_a_removed_file_is_dropped(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    (articles / "sport" / "final.txt").unlink()

    summary = update_index(locations)

    assert summary.line() == "+0 new, ~0 changed, -1 removed, 0 skipped"
    assert summary.articles == 2
    assert ids_for(locations.index_dir, "cup") == set()
    assert article_count(locations.index_dir) == 2


def test_a_renamed_file_is_found_under_its_new_name(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    """A rename keeps the file's size and mtime; only its name tells."""
    (articles / "flood.txt").rename(articles / "sport" / "flood.txt")

    summary = update_index(locations)

    assert summary.line() == "+1 new, ~0 changed, -1 removed, 0 skipped"
    assert ids_for(locations.index_dir, "valley") == {"sport/flood.txt"}


def test_names_that_show_alike_keep_their_own_articles(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    """Control characters in a name are shown as `?`, so these three names
    read alike; each file keeps its own article through every update."""
    for name, word in (
        ("a\x01.txt", "ferries"),
        ("a\x02.txt", "tugs"),
        ("a?.txt", "cranes"),
    ):
        write_article(articles, name, f"Harbour {word}", f"A story about {word}.")

    first = update_index(locations)
    second = update_index(locations)

    assert first.line() == "+3 new, ~0 changed, -0 removed, 0 skipped"
    assert second.line() == "+0 new, ~0 changed, -0 removed, 0 skipped"
    assert article_count(locations.index_dir) == 6
    found = [ids_for(locations.index_dir, word) for word in ("ferry", "tug", "crane")]
    assert [len(ids) for ids in found] == [1, 1, 1]
    assert set().union(*found) == {"a?.txt", "a?~2.txt", "a?~3.txt"}


def test_add_change_and_remove_in_one_update(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    write_article(articles, "a.txt", "Harbour reopens", "Ships are back.")
    write_article(articles, "b.txt", "Market opens", "Stalls are back.")
    write_article(articles, "budget.txt", "Coalition budget", "Talks collapsed again.")
    (articles / "flood.txt").unlink()

    summary = update_index(locations)

    assert summary.line() == "+2 new, ~1 changed, -1 removed, 0 skipped"
    assert summary.articles == 4
    assert ids_for(locations.index_dir, "back") == {"a.txt", "b.txt"}
    assert ids_for(locations.index_dir, "collapsed") == {"budget.txt"}


def test_nothing_to_do_is_a_no_op(locations: Locations, built: UpdateSummary) -> None:
    meta_before = read_meta(locations.index_dir)

    summary = update_index(locations)

    assert summary.line() == "+0 new, ~0 changed, -0 removed, 0 skipped"
    assert summary.rebuilt is False
    assert summary.articles == 3
    assert read_meta(locations.index_dir) == meta_before


def test_a_touched_but_unchanged_file_is_not_counted_changed(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    path = articles / "budget.txt"
    touched = path.stat().st_mtime_ns + 5_000_000_000
    set_mtime(path, touched)

    summary = update_index(locations)

    assert summary.line() == "+0 new, ~0 changed, -0 removed, 0 skipped"
    assert ids_for(locations.index_dir, "coalition") == {"budget.txt"}


def test_the_new_mtime_of_a_touched_file_is_remembered(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    """After a touch-only update, the file's new size and mtime are what the
    index remembers: replacing its bytes while keeping that size and mtime
    goes unnoticed by the next update, which proves it compared size and
    mtime only and did not read the file again."""
    path = articles / "budget.txt"
    touched = path.stat().st_mtime_ns + 5_000_000_000
    set_mtime(path, touched)
    update_index(locations)

    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("capital", "harbour"), encoding="utf-8")
    set_mtime(path, touched)

    summary = update_index(locations)

    assert summary.line() == "+0 new, ~0 changed, -0 removed, 0 skipped"
    assert ids_for(locations.index_dir, "capital") == {"budget.txt"}


def test_unchanged_files_are_not_opened(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    """Files whose size and mtime match the index are not read on an update.

    chmod 000 cannot show this when the tests run as root (root reads such
    files anyway), so the file's bytes are replaced by different bytes of the
    same length and its mtime is put back. Had the update opened the file, its
    hash would differ and it would be re-indexed as changed; instead the index
    still answers with the old words. (The chmod variant follows, for when the
    tests do not run as root.)"""
    replace_keeping_size_and_mtime(articles / "flood.txt", "valley", "meadow")

    summary = update_index(locations)

    assert summary.line() == "+0 new, ~0 changed, -0 removed, 0 skipped"
    assert ids_for(locations.index_dir, "valley") == {"flood.txt"}
    assert ids_for(locations.index_dir, "meadow") == set()

    # --rebuild does read everything, so the new words show up.
    update_index(locations, rebuild=True)
    assert ids_for(locations.index_dir, "meadow") == {"flood.txt"}


HALF_BROKEN_FEED = '{"title": "Good record", "text": "A fine record."}\nnot json\n'


def damage_manifest(manifest: Path, damage: str) -> None:
    """What a crash, a damaged disk or an older newsdesk leaves behind."""
    header, records = manifest.read_bytes().split(b"\n", 1)
    if damage == "deleted":
        manifest.unlink()
    elif damage == "records cut off":
        manifest.write_bytes(header + b"\n{")
    elif damage == "older than the index":
        # The commit went through, the manifest's rewrite did not.
        older = json.loads(header)
        older["toc"] -= 1
        manifest.write_bytes(json.dumps(older).encode() + b"\n" + records)
    else:  # The one-line layout of earlier versions.
        files = {
            file_id: [*record, []] for file_id, record in json.loads(records).items()
        }
        manifest.write_text(json.dumps({"toc": 1, "files": files}), "utf-8")


@pytest.mark.parametrize(
    "damage",
    ["deleted", "records cut off", "older than the index", "an earlier layout"],
)
def test_a_lost_manifest_is_recovered_without_reading_unchanged_files(
    locations: Locations, articles: Path, damage: str
) -> None:
    """With no usable record of the files, the next update rebuilds the
    records from the index's documents, which keep their file's size and
    mtime: unchanged files are not read again, and a really changed one is
    re-indexed. Why a feed's bad line was skipped is not in the documents:
    the manifest's first line still says it when it matches the index;
    otherwise the feed is read again."""
    (articles / "feed.jsonl").write_text(HALF_BROKEN_FEED, "utf-8")
    update_index(locations)
    meta = read_meta(locations.index_dir)
    assert meta is not None
    damage_manifest(locations.index_dir / meta.generation / "manifest.json", damage)
    replace_keeping_size_and_mtime(articles / "flood.txt", "valley", "meadow")
    write_article(articles, "budget.txt", "Coalition agrees budget", "Ferry fares.")
    # Also a new file, so that the update cannot skip reading the records.
    write_article(articles, "new.txt", "Harbour reopens", "The harbour reopened.")

    summary = update_index(locations)

    assert (summary.new, summary.removed) == (1, 0)
    # The feed, unless the first line still said why its line was skipped.
    assert summary.changed == (1 if damage == "records cut off" else 2)
    assert [p.where for p in summary.skipped] == ["feed.jsonl#2"]
    assert [p.where for p in skipped_files(locations.index_dir)] == ["feed.jsonl#2"]
    assert ids_for(locations.index_dir, "valley") == {"flood.txt"}
    assert ids_for(locations.index_dir, "ferry") == {"budget.txt"}
    assert article_count(locations.index_dir) == 5
    again = update_index(locations)
    assert again.line() == "+0 new, ~0 changed, -0 removed, 1 skipped"


def test_a_file_that_is_no_article_is_reported_and_still_after_a_no_op(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    (articles / "README.txt").write_text("About this dump.\n", encoding="utf-8")

    summary = update_index(locations)
    again = update_index(locations)

    assert summary.line() == "+0 new, ~0 changed, -0 removed, 1 skipped"
    assert again.line() == "+0 new, ~0 changed, -0 removed, 1 skipped"
    assert [p.where for p in again.skipped] == ["README.txt"]
    (articles / "README.txt").unlink()
    assert update_index(locations).line() == "+0 new, ~0 changed, -0 removed, 0 skipped"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root can read a file with mode 000",
)
def test_an_unreadable_unchanged_file_does_not_stop_a_no_op(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    path = articles / "flood.txt"
    path.chmod(0)
    try:
        summary = update_index(locations)
        assert summary.line() == "+0 new, ~0 changed, -0 removed, 0 skipped"
        assert ids_for(locations.index_dir, "valley") == {"flood.txt"}
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_skipped_files_are_listed_with_reasons(
    locations: Locations, articles: Path
) -> None:
    (articles / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    (articles / "README.txt").write_text("About this dump.\n", encoding="utf-8")
    (articles / "empty.txt").write_text("", encoding="utf-8")
    (articles / "broken.json").write_text('{"title": "x", ', encoding="utf-8")
    (articles / "feed.jsonl").write_text(
        '{"title": "Good record", "text": "A fine record."}\nnot json at all\n',
        encoding="utf-8",
    )

    summary = update_index(locations)

    reasons = {problem.where: problem.reason for problem in summary.skipped}
    assert set(reasons) == {
        "notes.pdf",
        "README.txt",
        "empty.txt",
        "broken.json",
        "feed.jsonl#2",
    }
    assert reasons["notes.pdf"] == "not an article format"
    assert "README" in reasons["README.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "invalid JSON" in reasons["broken.json"]
    assert "invalid JSON" in reasons["feed.jsonl#2"]
    # The good record of the half-broken feed is indexed; bad files are not.
    assert summary.line() == "+4 new, ~0 changed, -0 removed, 5 skipped"
    assert summary.articles == 4
    assert ids_for(locations.index_dir, "fine") == {"feed.jsonl#1"}
    # The index remembers them for `newsdesk stats`, and a no-op repeats them.
    assert {p.where for p in skipped_files(locations.index_dir)} == set(reasons)
    again = update_index(locations)
    assert again.line() == "+0 new, ~0 changed, -0 removed, 5 skipped"


def test_a_fixed_file_is_indexed_and_a_broken_one_dropped(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    (articles / "empty.txt").write_text("", encoding="utf-8")
    first = update_index(locations)
    assert first.line() == "+0 new, ~0 changed, -0 removed, 1 skipped"

    write_article(articles, "empty.txt", "Now an article", "With words in it.")
    (articles / "flood.txt").write_text("", encoding="utf-8")
    second = update_index(locations)

    assert [p.where for p in second.skipped] == ["flood.txt"]
    assert second.articles == 3
    assert ids_for(locations.index_dir, "words") == {"empty.txt"}
    assert ids_for(locations.index_dir, "valley") == set()


def test_a_collection_file_change_counts_once(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    feed = articles / "feed.jsonl"
    records = [
        {"title": f"Wire story {n}", "text": f"Body number {n} of the wire."}
        for n in range(1, 4)
    ]
    feed.write_text("\n".join(json.dumps(r) for r in records) + "\n", "utf-8")
    assert update_index(locations).line() == (
        "+1 new, ~0 changed, -0 removed, 0 skipped"
    )
    assert ids_for(locations.index_dir, "wire") == {
        "feed.jsonl#1",
        "feed.jsonl#2",
        "feed.jsonl#3",
    }

    feed.write_text("\n".join(json.dumps(r) for r in records[:2]) + "\n", "utf-8")
    summary = update_index(locations)

    assert summary.line() == "+0 new, ~1 changed, -0 removed, 0 skipped"
    assert summary.articles == 5
    assert ids_for(locations.index_dir, "wire") == {"feed.jsonl#1", "feed.jsonl#2"}


def test_rebuild_swaps_in_a_new_generation(
    locations: Locations, built: UpdateSummary
) -> None:
    index_dir = locations.index_dir
    old = read_meta(index_dir)
    assert old is not None
    reader = ArticleIndex(index_dir)
    before = {hit.id for hit in reader.search("valley OR cup").hits}

    summary = update_index(locations, rebuild=True)

    new = read_meta(index_dir)
    assert new is not None
    assert summary.rebuilt is True
    assert summary.line() == "+3 new, ~0 changed, -0 removed, 0 skipped"
    assert new.generation != old.generation
    current = json.loads((index_dir / "current.json").read_text("utf-8"))
    assert current["generation"] == new.generation
    assert (index_dir / new.generation).is_dir()
    # The replaced generation stays until the next write, for open readers.
    assert (index_dir / old.generation).is_dir()
    assert {hit.id for hit in reader.search("valley OR cup").hits} == before
    assert reader.refresh() is True
    assert {hit.id for hit in reader.search("valley OR cup").hits} == before
    reader.close()

    update_index(locations, rebuild=True)
    latest = read_meta(index_dir)
    assert latest is not None
    generations = sorted(p.name for p in index_dir.iterdir() if p.is_dir())
    assert generations == sorted([new.generation, latest.generation])


def test_a_schema_mismatch_triggers_a_rebuild_with_a_notice(
    locations: Locations, built: UpdateSummary
) -> None:
    current = locations.index_dir / "current.json"
    data = json.loads(current.read_text("utf-8"))
    old_generation = data["generation"]
    data["schema"] = 0
    current.write_text(json.dumps(data), "utf-8")
    with pytest.raises(IndexOutdatedError):
        ArticleIndex(locations.index_dir)

    summary = update_index(locations)

    assert summary.rebuilt is True
    assert summary.notice is not None
    assert "outdated" in summary.notice and "rebuilding" in summary.notice
    assert "\n" not in summary.notice
    meta = read_meta(locations.index_dir)
    assert meta is not None
    assert meta.schema == SCHEMA_VERSION
    assert meta.generation != old_generation
    assert ids_for(locations.index_dir, "valley") == {"flood.txt"}


def test_a_damaged_live_generation_is_rebuilt(
    locations: Locations, built: UpdateSummary
) -> None:
    meta = read_meta(locations.index_dir)
    assert meta is not None
    tocs = list((locations.index_dir / meta.generation).glob("_MAIN_*.toc"))
    assert tocs
    for toc in tocs:
        toc.write_bytes(b"garbage")

    summary = update_index(locations)

    assert summary.rebuilt is True
    assert summary.notice is not None and "rebuilding" in summary.notice
    assert ids_for(locations.index_dir, "valley") == {"flood.txt"}


def test_the_articles_folder_is_never_written(
    locations: Locations, articles: Path
) -> None:
    (articles / "notes.pdf").write_bytes(b"not an article")
    (articles / ".hidden.txt").write_text("Hidden\n\nNot indexed.\n", "utf-8")
    before = snapshot(articles)

    update_index(locations)
    update_index(locations)
    update_index(locations, rebuild=True)
    ix = ArticleIndex(locations.index_dir)
    ix.search("coalition")
    ix.search("coali", complete_last_word=True)
    ix.search("coaliton")
    ix.close()
    skipped_files(locations.index_dir)

    assert snapshot(articles) == before


def test_a_refreshed_reader_sees_a_changed_article_once(
    locations: Locations, articles: Path, built: UpdateSummary
) -> None:
    """A reader left open while `newsdesk index` updates the index (as the
    app is) and then refreshed must show each article once."""
    reader = ArticleIndex(locations.index_dir)
    assert reader.search("valley").total == 1
    write_article(
        articles,
        "flood.txt",
        "Floods hit the valley again",
        "The river burst its banks again and the valley flooded.",
    )
    assert update_index(locations).line() == (
        "+0 new, ~1 changed, -0 removed, 0 skipped"
    )

    assert reader.refresh() is True

    try:
        assert reader.article_count == 3
        assert [hit.id for hit in reader.search("valley").hits] == ["flood.txt"]
    finally:
        reader.close()
