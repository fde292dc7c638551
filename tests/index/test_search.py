"""`ArticleIndex.search` on a real index built from articles written here.

The query language (phrases, fields, dates, prefixes, fuzzy terms, OR/NOT,
AND by default), completion of the word being typed, snippet spans, sorting,
paging, bad queries and spelling corrections, checked by which articles come
back, as a user would check them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest
from whoosh.lang.porter import stem

from index.locations import Locations
from index.search import ArticleIndex, Hit, SearchResult, highlight_spans
from index.store import update_index

SAMPLE_ARTICLES = Path(__file__).resolve().parents[2] / "sample_articles"


def filler(part: int) -> str:
    """A long paragraph with none of the words searched for; each part is
    different, so duplicate collapsing keeps all of them."""
    return " ".join(
        f"The committee reviewed the annual figures for section {part}.{n} in detail."
        for n in range(1, 25)
    )


# name: (title, date, source, body)
ARTICLES: dict[str, tuple[str, str | None, str | None, str]] = {
    "budget.md": (
        "Coalition agrees budget",
        "2026-03-02T09:00:00Z",
        "Courier",
        "The coalition government agreed a budget on Monday after long talks.\n\n"
        "The world watched as the vote passed in the chamber.",
    ),
    "floods.md": (
        "Floods hit the valley",
        "2026-03-09T12:00:00Z",
        "Valley Wire",
        "Heavy rain caused floods across the valley. "
        "The river burst its banks near the old mill.",
    ),
    "late_session.md": (
        "Late session in the chamber",
        "2026-03-10T18:00:00Z",
        "Courier",
        "Members sat late into the night to finish the coalition budget debate.",
    ),
    "harbour.md": (
        "Harbour reopens",
        "2026-03-11T00:30:00Z",
        "BBC News",
        "The harbour reopened to shipping after repairs. Workers cheered on the quay.",
    ),
    "markets.md": (
        "Market slump",
        "2026-02-28T23:00:00Z",
        "BBC News",
        "Markets fell sharply in a working week of losses.",
    ),
    "old_talks.md": (
        "Old coalition talks",
        "2025-11-20T10:00:00Z",
        "Courier",
        "Talks on a coalition began last year in the capital.",
    ),
    "undated.md": (
        "Undated note on the coalition",
        None,
        None,
        "A note without a date about the coalition and its place in the world.",
    ),
    "word_games.md": (
        "Word games",
        "2026-01-05T08:00:00Z",
        "Puzzle Page",
        "A word puzzle for everyone, with a crossword on Sundays.",
    ),
    "ports.md": (
        "Long report on ports",
        "2026-04-01T07:00:00Z",
        "Courier",
        f"{filler(1)}\n\nThe harbour master spoke to the press about dredging.\n\n"
        f"{filler(2)}\n\nA lighthouse keeper retired after forty years.\n\n"
        f"{filler(3)}",
    ),
}
ALL = set(ARTICLES)
COALITION = {"budget.md", "late_session.md", "old_talks.md", "undated.md"}


def markdown(title: str, date: str | None, source: str | None, body: str) -> str:
    front = [f"title: {title}"]
    if date:
        front.append(f"date: {date}")
    if source:
        front.append(f"source: {source}")
    return "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n"


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterable[ArticleIndex]:
    base = tmp_path_factory.mktemp("search")
    folder = base / "articles"
    folder.mkdir()
    for name, (title, date, source, body) in ARTICLES.items():
        (folder / name).write_text(markdown(title, date, source, body), "utf-8")
    locations = Locations((folder,), base / "ix")
    assert update_index(locations).articles == len(ARTICLES)
    index = ArticleIndex(locations.index_dir)
    yield index
    index.close()


@pytest.fixture(scope="module")
def sample_ix(tmp_path_factory: pytest.TempPathFactory) -> Iterable[ArticleIndex]:
    """The sample articles that ship with newsdesk (read only)."""
    assert SAMPLE_ARTICLES.is_dir()
    locations = Locations((SAMPLE_ARTICLES,), tmp_path_factory.mktemp("sample"))
    update_index(locations)
    index = ArticleIndex(locations.index_dir)
    yield index
    index.close()


def found(result: SearchResult) -> set[str]:
    assert result.error is None, result.error
    assert result.total == len(result.hits), "use a limit above the total"
    return {hit.id for hit in result.hits}


def stems_of(words: Iterable[str]) -> set[str]:
    return {str(stem(word.lower())) for word in words}


def assert_spans(text: str, spans: Sequence[tuple[int, int]], stems: set[str]) -> None:
    """Every span is a whole word whose stem is wanted, and every word in the
    text whose stem is wanted has a span."""
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        word = text[start:end]
        assert re.fullmatch(r"\w+", word), (text, word)
        assert start == 0 or not text[start - 1].isalnum(), (text, word)
        assert end == len(text) or not text[end].isalnum(), (text, word)
        assert str(stem(word.lower())) in stems, (text, word, stems)
    expected = [
        match.span()
        for match in re.finditer(r"\w+", text)
        if str(stem(match.group().lower())) in stems
    ]
    assert sorted(spans) == expected, text


# --- the query language -------------------------------------------------------


def test_words_are_anded_by_default(ix: ArticleIndex) -> None:
    assert found(ix.search("coalition")) == COALITION
    assert found(ix.search("coalition budget")) == {"budget.md", "late_session.md"}
    assert found(ix.search("coalition budget monday")) == {"budget.md"}


def test_words_match_their_stems(ix: ArticleIndex) -> None:
    # "floods" and "flooding" share the stem "flood"; "reopened" matches "reopens".
    assert found(ix.search("flooding")) == {"floods.md"}
    assert found(ix.search("reopening")) == {"harbour.md"}


def test_a_phrase_matches_the_words_in_order(ix: ArticleIndex) -> None:
    assert found(ix.search('"budget on Monday"')) == {"budget.md"}
    assert found(ix.search('"Monday on budget"')) == set()
    assert found(ix.search('"coalition budget"')) == {"late_session.md"}


def test_field_queries(ix: ArticleIndex) -> None:
    assert found(ix.search("title:floods")) == {"floods.md"}
    # late_session.md has "coalition" in its body only.
    assert found(ix.search("title:coalition")) == COALITION - {"late_session.md"}
    assert found(ix.search("source:bbc")) == {"harbour.md", "markets.md"}
    assert found(ix.search("source:courier")) == {
        "budget.md",
        "late_session.md",
        "old_talks.md",
        "ports.md",
    }
    assert found(ix.search("source:courier title:coalition")) == {
        "budget.md",
        "old_talks.md",
    }


def test_a_date_range_includes_both_days(ix: ArticleIndex) -> None:
    # 2026-03-10 18:00 is in; 2026-03-11 00:30 and 2026-02-28 23:00 are out.
    assert found(ix.search("date:[2026-03-01 to 2026-03-10]")) == {
        "budget.md",
        "floods.md",
        "late_session.md",
    }
    assert found(ix.search("coalition date:[2026-03-01 to 2026-03-10]")) == {
        "budget.md",
        "late_session.md",
    }


def test_a_year_matches_that_year(ix: ArticleIndex) -> None:
    assert found(ix.search("date:2026")) == ALL - {"old_talks.md", "undated.md"}
    assert found(ix.search("date:2025")) == {"old_talks.md"}
    assert found(ix.search("date:2024")) == set()


def test_a_prefix_matches_the_words_it_begins(ix: ArticleIndex) -> None:
    # world, working, workers, word (and crossword does not begin with "wor").
    assert found(ix.search("wor*", limit=50)) == {
        "budget.md",
        "markets.md",
        "harbour.md",
        "undated.md",
        "word_games.md",
    }


def test_a_fuzzy_term_matches_a_near_spelling(ix: ArticleIndex) -> None:
    # valley is one edit from "valey"; word is one transposition from "wrod".
    assert found(ix.search("valey~")) == {"floods.md"}
    assert found(ix.search("flods~")) == {"floods.md"}
    result = ix.search("wrod~")
    assert found(result) == {"word_games.md"}
    assert result.hits[0].terms == ("word",)


def test_fuzzy_terms_match_on_an_index_updated_incrementally(tmp_path: Path) -> None:
    """After an incremental update (so the index has two segments), fuzzy
    terms find near spellings. The fresh-build case is the xfail above."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("floods.md", "word_games.md"):
        (folder / name).write_text(markdown(*ARTICLES[name]), "utf-8")
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    (folder / "markets.md").write_text(markdown(*ARTICLES["markets.md"]), "utf-8")
    assert update_index(locations).new == 1
    index = ArticleIndex(locations.index_dir)
    try:
        assert found(index.search("valey~")) == {"floods.md"}
        assert found(index.search("flods~")) == {"floods.md"}
        assert found(index.search("wrod~")) == {"word_games.md"}
    finally:
        index.close()


def test_or_and_not(ix: ArticleIndex) -> None:
    assert found(ix.search("floods OR harbour")) == {
        "floods.md",
        "harbour.md",
        "ports.md",
    }
    assert found(ix.search("coalition NOT budget")) == {"old_talks.md", "undated.md"}
    assert found(ix.search("(floods OR harbour) NOT reopened")) == {
        "floods.md",
        "ports.md",
    }


# --- completion, snippets, sorting, paging ------------------------------------


def test_the_last_word_is_completed_while_typing(ix: ArticleIndex) -> None:
    assert found(ix.search("coali")) == set()

    result = ix.search("coali", complete_last_word=True)

    assert found(result) == COALITION
    assert "coalition" in result.completed


def test_completion_keeps_the_words_before_it(ix: ArticleIndex) -> None:
    result = ix.search("budget coali", complete_last_word=True)
    assert found(result) == {"budget.md", "late_session.md"}
    # A whole word still matches itself.
    assert found(ix.search("harbour", complete_last_word=True)) == {
        "harbour.md",
        "ports.md",
    }


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("floods river", ["floods", "river"]),
        ("coalition", ["coalition"]),
        ('"budget on Monday"', ["budget", "monday"]),
        ("harbour lighthouse", ["harbour", "lighthouse"]),
        ("reopening", ["reopening"]),
    ],
)
def test_snippet_spans_point_at_the_matched_words(
    ix: ArticleIndex, query: str, words: list[str]
) -> None:
    result = ix.search(query)
    assert result.hits
    stems = stems_of(words)
    for hit in result.hits:
        assert set(hit.terms) <= stems
        assert_spans(hit.snippet.text, hit.snippet.spans, set(hit.terms))
        assert_spans(hit.title, hit.title_spans, set(hit.terms))
        assert hit.snippet.spans, hit.snippet.text


@pytest.mark.parametrize(
    "text",
    [
        "POLICE said Police policy; the police_station and 2police stayed.",
        "İstanbul police: policing the İ of İzmir, politically.",
        "Ölçü Police ÉCOLE polices poli po",
        "",
    ],
    ids=["cases and word edges", "a letter that lowercases to two", "accents", "empty"],
)
def test_highlights_are_every_word_with_a_wanted_stem(text: str) -> None:
    stems = stems_of(["police", "policy", "politics", "polices"])
    assert_spans(text, highlight_spans(text, stems), stems)


def test_spans_of_expanded_terms_point_at_the_words_found(ix: ArticleIndex) -> None:
    for result in (
        ix.search("wor*"),
        ix.search("coali", complete_last_word=True),
    ):
        assert result.hits
        for hit in result.hits:
            text = hit.snippet.text
            assert_spans(text, hit.snippet.spans, set(hit.terms))
            assert_spans(hit.title, hit.title_spans, set(hit.terms))
            assert hit.snippet.spans or hit.title_spans


def test_a_long_article_gets_windows_around_far_apart_matches(
    ix: ArticleIndex,
) -> None:
    [hit] = ix.search("harbour lighthouse").hits
    text = hit.snippet.text
    assert hit.id == "ports.md"
    assert len(text) < 400
    assert text.startswith("…") and " … " in text
    assert {text[a:b] for a, b in hit.snippet.spans} == {"harbour", "lighthouse"}
    assert "committee" in text  # some context around each match


def test_sort_newest_and_oldest_put_undated_articles_last(ix: ArticleIndex) -> None:
    newest = ix.search("coalition", sort="newest").hits
    oldest = ix.search("coalition", sort="oldest").hits
    assert [hit.id for hit in newest] == [
        "late_session.md",
        "budget.md",
        "old_talks.md",
        "undated.md",
    ]
    assert [hit.id for hit in oldest] == [
        "old_talks.md",
        "budget.md",
        "late_session.md",
        "undated.md",
    ]
    assert newest[-1].date is None and oldest[-1].date is None


def dates(hits: Sequence[Hit]) -> list[datetime]:
    return [hit.date for hit in hits if hit.date is not None]


def test_an_empty_query_lists_the_newest_articles(ix: ArticleIndex) -> None:
    result = ix.search("", limit=50)
    assert result.sort == "newest"
    assert result.total == len(ARTICLES)
    assert result.error is None
    assert result.hits[0].id == "ports.md"
    assert result.hits[-1].id == "undated.md"
    assert dates(result.hits) == sorted(dates(result.hits), reverse=True)

    oldest = ix.search("   ", sort="oldest", limit=50)
    assert oldest.hits[0].id == "old_talks.md"
    assert oldest.hits[-1].id == "undated.md"


def test_hit_dates_are_the_article_dates(ix: ArticleIndex) -> None:
    [hit] = ix.search("title:floods").hits
    assert hit.date == datetime(2026, 3, 9, 12, 0, tzinfo=timezone.utc)
    assert hit.source == "Valley Wire"
    assert hit.title == "Floods hit the valley"


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_offset_and_limit_page_through_the_results(ix: ArticleIndex, sort: str) -> None:
    query = "coalition OR harbour OR word OR floods"
    everything = ix.search(query, limit=50, sort=sort)
    assert everything.total == 9 - 1  # all but the market slump
    pages: list[str] = []
    for offset in range(0, everything.total, 3):
        page = ix.search(query, limit=3, offset=offset, sort=sort)
        assert page.total == everything.total
        assert page.offset == offset
        assert len(page.hits) == min(3, everything.total - offset)
        pages.extend(hit.id for hit in page.hits)
    assert pages == [hit.id for hit in everything.hits]
    beyond = ix.search(query, limit=3, offset=100, sort=sort)
    assert beyond.total == everything.total and beyond.hits == ()


def test_limit_zero_counts_without_hits(ix: ArticleIndex) -> None:
    result = ix.search("coalition", limit=0)
    assert result.total == len(COALITION)
    assert result.hits == ()


# --- bad queries and corrections ----------------------------------------------

WEIRD_QUERIES = [
    "(((",
    ")",
    '"',
    '"unclosed phrase',
    "title:",
    "title:(",
    "date:",
    "date:notadate",
    "date:[2026 to",
    "date:[now to]",
    "date:>2026",
    "NOT",
    "OR",
    "AND OR NOT",
    "*",
    "**",
    "?",
    "~",
    "^",
    "[",
    "]",
    "{",
    "}",
    "*:*",
    "coalition~30",
    "coalition^x",
    "wor*~",
    "nofield:coalition",
    'source:"',
    "\x00",
    "a/b\\c",
    "é",
    "coalition " * 100,
]


@pytest.mark.parametrize("complete", [False, True])
def test_weird_queries_give_an_error_or_a_result_never_raise(
    ix: ArticleIndex, complete: bool
) -> None:
    for query in WEIRD_QUERIES:
        result = ix.search(query, complete_last_word=complete)
        assert result.query == query
        if result.error is not None:
            assert result.error.startswith("cannot understand the query")
            assert "\n" not in result.error and len(result.error) <= 200
            assert result.hits == ()
        else:
            assert result.total >= len(result.hits)


def test_a_date_that_is_not_a_date_is_an_error(ix: ArticleIndex) -> None:
    result = ix.search("date:notadate")
    assert result.error is not None
    assert "notadate" in result.error
    assert result.total == 0


def test_an_unknown_sort_is_an_error(ix: ArticleIndex) -> None:
    result = ix.search("coalition", sort="sideways")
    assert result.error is not None and "sideways" in result.error


def test_an_impossible_date_in_a_range_is_an_error(ix: ArticleIndex) -> None:
    # "date:2026-02-30" alone is an error; in a range it should be one too.
    assert ix.search("date:2026-02-30").error is not None
    result = ix.search("date:[2026-03-01 to 2026-02-30]")
    assert result.error is not None, sorted(hit.id for hit in result.hits)


def test_correction_suggests_coalition_on_the_sample_articles(
    sample_ix: ArticleIndex,
) -> None:
    right = sample_ix.search("coalition", limit=50)
    assert right.total >= 3

    result = sample_ix.search("coaliton", limit=50)

    assert result.error is None
    assert result.total == 0
    assert result.correction is not None
    assert result.correction.query == "coalition"
    assert result.correction.total == right.total
    assert {hit.id for hit in result.correction.hits} == {h.id for h in right.hits}


def test_no_correction_when_the_query_finds_enough(sample_ix: ArticleIndex) -> None:
    assert sample_ix.search("coalition").correction is None


def test_a_field_query_is_corrected_in_its_field(sample_ix: ArticleIndex) -> None:
    result = sample_ix.search("title:coaliton")
    assert result.correction is not None
    assert result.correction.query == "title:coalition"
    assert result.correction.total > 0


def test_correction_works_from_the_word_typed(sample_ix: ArticleIndex) -> None:
    assert sample_ix.search("government").total > 0
    result = sample_ix.search("goverment")
    assert result.correction is not None
    assert result.correction.query == "government"


def test_dates_typed_as_numbers_mean_what_whoosh_grammar_says() -> None:
    """`date:2015`, `date:2015-03` and `date:[2015-03-07 to …]` are read by a
    regular expression before Whoosh's English grammar: every such text,
    valid or not, must give the grammar's dates, as a range bound and alone."""
    from whoosh.qparser.dateparse import English

    from index.search import _QuickDates

    quick, grammar = _QuickDates(), English()
    now = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
    years = ["0000", "0001", "0999", "1000", "1969", "1970", "1999", "2000", "2024"]
    months = ["00", "01", "02", "09", "12", "13"]
    days = ["00", "01", "28", "29", "30", "31", "32"]
    texts = [
        *years,
        *(f"{year}-{month}" for year in years for month in months),
        *(f"{y}-{m}-{d}" for y in years for m in months for d in days),
        "2015-3-7",
        "20150307",
        "march 2015",
        "２０１５",
        "٢٠١٥-٠٣",
    ]

    def read(parser: English, text: str, **options: bool) -> str:
        try:
            return repr(parser.date_from(text, now, **options))
        except Exception as error:
            return type(error).__name__

    for text in texts:
        for options in ({}, {"toend": False, "disambiguate": False}):
            assert read(quick, text, **options) == read(grammar, text, **options), (
                text,
                options,
            )
