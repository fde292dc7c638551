"""The bulk evaluator finds, scores and orders exactly as Whoosh does.

`ArticleIndex.search` answers with `index.evaluate.BulkEvaluator` instead of
Whoosh's matchers; a user would notice any difference as articles missing,
extra, or ranked otherwise. Each query here runs both ways on a real index of
several segments (some with flat postings, some read from Whoosh's blocks)
with deleted documents, dated and undated articles (one dated a moment
before 1970), and the results must agree: the same total, the
same documents in the same order, the same scores.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq

from index.evaluate import BulkEvaluator, NotEvaluable
from index.locations import Locations
from index.search import ArticleIndex
from index.store import read_meta, update_index

WORDS = [
    "harbour",
    "council",
    "budget",
    "coalition",
    "flood",
    "river",
    "minister",
    "vote",
    "election",
    "market",
    "shares",
    "oil",
    "price",
    "bank",
    "strike",
    "rail",
    "union",
    "farmer",
    "storm",
    "school",
    "teacher",
    "court",
    "judge",
    "appeal",
    "hospital",
    "nurse",
    "energy",
    "wind",
    "solar",
    "tax",
    "reform",
    "housing",
    "rent",
    "port",
    "ferry",
    "fishing",
    "quota",
    "museum",
    "festival",
    "music",
    "theatre",
    "mining",
    "copper",
    "export",
    "import",
    "treaty",
    "border",
]
YEARS = list(range(1995, 2026))


def article(rng: random.Random, number: int) -> str:
    title = " ".join(rng.choices(WORDS, k=rng.randint(2, 5))).capitalize()
    paragraphs = [
        " ".join(rng.choices(WORDS, k=rng.randint(8, 60))).capitalize() + "."
        for _ in range(rng.randint(1, 6))
    ]
    front = [f"title: {title} {number}"]
    if number % 7:
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        front.append(f"date: {rng.choice(YEARS)}-{month:02d}-{day:02d}T10:00:00Z")
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterable[ArticleIndex]:
    base = tmp_path_factory.mktemp("evaluate")
    folder = base / "articles"
    folder.mkdir()
    rng = random.Random(7)
    # Enough articles for a common word's postings to span several blocks
    # (Whoosh writes 128 postings a block), so that skipping blocks is tried.
    for number in range(400):
        (folder / f"a{number:03d}.md").write_text(article(rng, number), "utf-8")
    (folder / "before_1970.md").write_text(
        "---\ntitle: Harbour flood before 1970\ndate: 1969-12-31T23:59:59.5Z\n---\n\n"
        "The harbour flood came a moment before 1970.\n",
        "utf-8",
    )
    locations = Locations((folder,), base / "ix")
    update_index(locations)
    # A second segment, and deleted documents in the first.
    for number in range(0, 400, 9):
        (folder / f"a{number:03d}.md").write_text(article(rng, number), "utf-8")
    for number in range(400, 420):
        (folder / f"a{number:03d}.md").write_text(article(rng, number), "utf-8")
    update_index(locations)
    # A few files are indexed by Whoosh's own writer; the flat postings
    # written for its segment afterwards are removed (as when they could not
    # be written), so that segment is read from Whoosh's blocks.
    for number in range(420, 425):
        (folder / f"a{number:03d}.md").write_text(article(rng, number), "utf-8")
    update_index(locations)
    meta = read_meta(locations.index_dir)
    assert meta is not None
    generation = locations.index_dir / meta.generation
    smallest = min(generation.glob("*.flat"), key=lambda path: path.stat().st_size)
    smallest.unlink()
    index = ArticleIndex(locations.index_dir)
    assert len(index._searcher.leaf_searchers()) >= 2
    assert index._searcher.reader().has_deletions()
    flat = [segment.flat is not None for segment in index._bulk()._segments]
    assert any(flat) and not all(flat)
    largest = max(
        sub.reader().doc_frequency("body", "harbour")
        for sub, _ in index._searcher.leaf_searchers()
    )
    assert largest > 128
    yield index
    index.close()


def queries() -> list[str]:
    rng = random.Random(11)
    made = [
        "harbour",
        "harbour flood",
        "harbour OR flood",
        "harbour NOT flood",
        "harbour -flood -oil",
        '"harbour flood"',
        '"flood harbour council"',
        "title:harbour",
        "title:harbour body:flood",
        "harb*",
        "floood~",
        "harbour ANDMAYBE flood",
        "harbour ANDNOT flood",
        "format:md harbour",
        "(harbour OR flood) council",
        "harbour^3 flood",
        '"harbour flood"^2 OR council',
        "date:[2000 to 2005]",
        "harbour date:[2000 to 2005]",
        "date:[1960 to 1975]",
        "date:[1970 to 1971]",
        "date:2010",
        "date:[2020 to]",
        "date:[to 1999]",
        "harbour date:[2010 to]",
        "nothingsuch",
        "harbour nothingsuch",
        '"flood flood"',
        '"harbour flood harbour"',
    ]
    for _ in range(60):
        a, b, c = rng.sample(WORDS, 3)
        made.append(
            rng.choice(
                [
                    f"{a}",
                    f"{a} {b}",
                    f"{a} {b} {c}",
                    f"{a} OR {b} OR {c}",
                    f"{a} NOT {b}",
                    f'"{a} {b}"',
                    f"title:{a} {b}",
                    f"{a[:3]}*",
                    f"{a} date:[{rng.choice(YEARS)} to {rng.choice(YEARS)}]",
                ]
            )
        )
    return made


def whoosh_ranked(ix: ArticleIndex, query: Any) -> list[tuple[int, float]]:
    results = ix._searcher.search(query, limit=None)
    excluded: set[int] = set()
    if isinstance(query, wq.AndNot):
        # Whoosh's AndNotMatcher skips its negative side only when the two
        # sides start on the same document: in a segment whose first
        # "harbour" article comes after its first "flood" one, that article
        # is kept even if it says flood. Its own answer for the negative
        # side is the truth.
        excluded = {hit.docnum for hit in ix._searcher.search(query.b, limit=None)}
    # Every match scored, then ordered as Whoosh's collector orders its top:
    # best first, ties by document number. Scores that differ only by the
    # rounding of their sums (Whoosh adds a document's term scores in another
    # order) are ties.
    return sorted(
        ((hit.docnum, hit.score) for hit in results if hit.docnum not in excluded),
        key=lambda item: (-round(item[1], 9), item[0]),
    )


@pytest.mark.parametrize("text", queries())
def test_the_same_articles_in_the_same_order_as_whoosh(
    ix: ArticleIndex, text: str
) -> None:
    query = ix._parse(text)
    expected = whoosh_ranked(ix, query)
    total, ranked = BulkEvaluator(ix._searcher).top(query, len(expected) + 5)
    assert total == len(expected)
    assert [docnum for docnum, _ in ranked] == [docnum for docnum, _ in expected]
    for (_, ours), (_, theirs) in zip(ranked, expected, strict=True):
        assert ours == pytest.approx(theirs, rel=1e-9)


@pytest.mark.parametrize(
    "text", ["harbour", "harbour OR flood OR oil", '"harbour flood"', "harbour -flood"]
)
@pytest.mark.parametrize("count", [1, 3, 20])
def test_the_first_page_is_whooshs_first_page(
    ix: ArticleIndex, text: str, count: int
) -> None:
    """Only the contenders for the first `count` are ordered: the page must
    still be the first `count` of the whole order."""
    query = ix._parse(text)
    expected = whoosh_ranked(ix, query)
    assert len(expected) > count
    total, ranked = BulkEvaluator(ix._searcher).top(query, count)
    assert total == len(expected)
    assert [docnum for docnum, _ in ranked] == [docnum for docnum, _ in expected][
        :count
    ]


@pytest.mark.parametrize("text", ["", "harbour", "flood OR oil", "date:[2000 to 2010]"])
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorted_by_date_as_whoosh_sorts(ix: ArticleIndex, text: str, sort: str) -> None:
    from whoosh.query import Every

    query = ix._parse(text) if text else Every()
    reverse = sort == "newest"
    results = ix._searcher.search(query, limit=30, sortedby=sort, reverse=reverse)
    total, ranked = BulkEvaluator(ix._searcher).top(query, 30, sort, reverse)
    assert total == len(results)
    assert [docnum for docnum, _ in ranked] == [hit.docnum for hit in results]


def test_a_query_it_does_not_handle_is_answered_by_whoosh(ix: ArticleIndex) -> None:
    # A phrase with slop is left to Whoosh; the search still finds it.
    with pytest.raises(NotEvaluable):
        BulkEvaluator(ix._searcher).top(ix._parse('"harbour flood"~3'), 10)
    result = ix.search('"harbour flood"~3')
    assert result.error is None
    assert result.total == len(whoosh_ranked(ix, ix._parse('"harbour flood"~3')))
    assert result.total > 0


def test_the_article_dated_before_1970_is_found_by_its_date(ix: ArticleIndex) -> None:
    assert any(hit.title.endswith("before 1970") for hit in ix.search("date:1969").hits)
    assert not any(
        hit.title.endswith("before 1970") for hit in ix.search("date:1970").hits
    )


def test_an_empty_index_answers_with_no_results(tmp_path: Path) -> None:
    empty = tmp_path / "articles"
    empty.mkdir()
    locations = Locations((empty,), tmp_path / "ix")
    update_index(locations)
    index = ArticleIndex(locations.index_dir)
    try:
        index.warm_up()
        for text in ("", "harbour", '"harbour flood"', "date:[2000 to 2005]"):
            for sort in ("relevance", "newest", "oldest"):
                result = index.search(text, sort=sort)
                assert result.error is None
                assert (result.total, result.hits) == (0, ())
    finally:
        index.close()


@pytest.mark.parametrize("text", ["harbour", '"harbour flood"~3'])
def test_results_sorted_by_date_carry_no_score(ix: ArticleIndex, text: str) -> None:
    # Whoosh would give its sort key as the score when it answers itself.
    result = ix.search(text, sort="newest")
    assert result.total > 0
    assert {hit.score for hit in result.hits} == {0.0}
    assert ix.search(text).hits[0].score > 0
