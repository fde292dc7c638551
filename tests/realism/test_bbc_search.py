"""Search on real news: the BBC corpus in ../shared (skipped when absent).

The `business` and `tech` folders (about 900 articles) are indexed in place,
read only, once for the module. Searching for the words of an article's
headline should rank that article first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.analysis import stem_word
from index.locations import Locations
from index.search import ArticleIndex, highlight_spans
from index.store import update_index

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
BBC = SHARED / "corpora" / "bbc"
FOLDERS = ("business", "tech")

pytestmark = [
    pytest.mark.realism,
    pytest.mark.skipif(not BBC.is_dir(), reason=f"{BBC} is absent"),
]


def headline(path: Path) -> str:
    """Line 1 of a BBC file is its headline (one file is Latin-1)."""
    raw = path.read_bytes().split(b"\n", 1)[0]
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return raw.decode("latin-1").strip()


def headlines() -> dict[str, str]:
    """Every article's headline by its id (`business/001.txt` with two folders)."""
    return {
        f"{folder}/{path.name}": headline(path)
        for folder in FOLDERS
        for path in sorted((BBC / folder).glob("*.txt"))
    }


def as_query(text: str) -> str:
    """A headline's words, lower-cased so "AND"/"OR"/"NOT" in a headline are
    words, and without punctuation Whoosh reads as syntax (`?` is a wildcard,
    `:` names a field); decimals like 4.75 stay one word."""
    return " ".join(re.findall(r"\w+(?:[.,']\w+)*", text.lower()))


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArticleIndex]:
    folders = tuple(BBC / folder for folder in FOLDERS)
    locations = Locations(folders, tmp_path_factory.mktemp("bbc") / "ix")
    summary = update_index(locations)
    assert summary.articles > 800, summary.line()
    ix = ArticleIndex(locations.index_dir)
    yield ix
    ix.close()


# Every 50th article of each folder, from the 25th: a spread of headlines
# chosen by position, not by whether they pass.
PICKED = [f"business/{n:03d}.txt" for n in range(25, 511, 50)] + [
    f"tech/{n:03d}.txt" for n in range(25, 402, 50)
]


def test_a_headlines_words_rank_that_article_first(bbc: ArticleIndex) -> None:
    titles = headlines()
    misses: list[str] = []
    for article_id in PICKED:
        title = titles[article_id]
        # The corpus holds copies of some stories; any article with this exact
        # headline is the right answer.
        same = {other for other, text in titles.items() if text == title}
        result = bbc.search(as_query(title), limit=5)
        assert result.error is None, (title, result.error)
        top = result.hits[0].id if result.hits else None
        if top not in same:
            misses.append(f"{article_id} {title!r}: got {top}")
        else:
            assert result.hits[0].title == title
    assert misses == []


def test_the_index_holds_every_article(bbc: ArticleIndex) -> None:
    files = sum(1 for folder in FOLDERS for _ in (BBC / folder).glob("*.txt"))
    assert bbc.article_count == files


def test_a_headline_snippet_highlights_the_headline_words(bbc: ArticleIndex) -> None:
    title = headline(BBC / "business" / "001.txt")
    [hit] = bbc.search(as_query(title), limit=1).hits
    assert hit.id == "business/001.txt"
    words = {hit.title[a:b].lower() for a, b in hit.title_spans}
    assert words >= {"sales", "boost", "profit"}
    assert hit.snippet.spans


def test_real_articles_rank_as_whoosh_ranks_them(bbc: ArticleIndex) -> None:
    """The bulk evaluator on real text (long articles, common words spread
    over many posting blocks) finds, scores and orders as Whoosh does."""
    from index.evaluate import BulkEvaluator
    from tests.index.test_evaluate import whoosh_ranked

    titles = headlines()
    queries = [as_query(titles[article_id]) for article_id in PICKED]
    queries += ['"oil prices"', '"chief executive" profits', "growth OR economy"]
    queries += ["shares -bank", "mobile phone", "technolgy~", "econ*", "the year"]
    evaluator = BulkEvaluator(bbc._searcher)
    for text in queries:
        query = bbc._parse(text)
        expected = whoosh_ranked(bbc, query)
        total, ranked = evaluator.top(query, len(expected))
        assert total == len(expected), text
        assert [doc for doc, _ in ranked] == [doc for doc, _ in expected], text


def test_every_word_that_stems_to_a_searched_stem_is_highlighted() -> None:
    """Highlighting looks only at words that begin with a stem's first
    letters; on real text it must still find every word a searched stem
    comes from (every word of 60 articles, each searched alone)."""
    for path in sorted((BBC / "business").glob("*.txt"))[::8][:60]:
        text = path.read_bytes().decode("utf-8", errors="replace")
        words = {match.lower() for match in re.findall(r"\w+", text)}
        for stem in {stem_word(word) for word in words}:
            expected = [
                match.span()
                for match in re.finditer(r"\w+", text)
                if stem_word(match.group().lower()) == stem
            ]
            assert highlight_spans(text, [stem]) == expected, (path.name, stem)
