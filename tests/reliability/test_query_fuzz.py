"""Query fuzzing: no query makes the search raise, in-process or on the CLI.

`ArticleIndex.search` is what both the app and the CLI call with whatever a
person typed. Hypothesis throws at it any Unicode text, the query language
taken apart (operators alone, unbalanced quotes and brackets, fields that do
not exist, dates that do not parse, boosts and fuzziness out of range), very
long and deeply nested queries, with every sort and with the last word
completed or not. Each answer must be a `SearchResult`: hits with a total,
or an `error` that is one short line. A smaller run does the same through
`newsdesk search` in subprocesses: exit 0, 1 or 2, never a traceback.

The index is small and real: a handful of articles, built on disk once for
the module, so that each query costs about a millisecond.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.locations import Locations
from index.search import SORTS, ArticleIndex, SearchResult
from index.store import update_index

from .counts import count, spent
from .runner import Run, forbidden_characters, newsdesk

ARTICLES = (
    ("Council approves the library budget", "2018-03-01", "bbc"),
    ("River floods the valley after a week of rain", "2018-06-10", "guardian"),
    ("Coalition talks stall over the budget", "2019-01-20T08:30:00Z", "reuters"),
    ("[bold]Markup[/bold] in a title [@click=app.quit]quit[/]", "2020-02-02", "wire"),
    ("Grüße aus Köln: Straßenfest zieht Tausende an", "2021-07-07", "dw"),
    ("عاجل: שלום עולם 📰 zero\u200bwidth", None, ""),
    ("Harbour sells its last tugboat", "2017-11-11", "local"),
    ("Election results: turnout rises 1.2%", "2022-05-05", "ap"),
)
BODY = (
    "The council met on Tuesday evening to discuss the budget. Residents woke to "
    "find the river had burst its banks, flooding the main road. Negotiators "
    "failed to agree on spending; talks resume next week. Turnout rose 1.2%."
)

WORDS = (
    "council",
    "library",
    "budget",
    "flood",
    "floods",
    "river",
    "coaliton",
    "tugboat",
    "Grüße",
    "Straßenfest",
    "עולם",
    "📰",
    "1.2%",
    "the",
    "a",
    "x",
)
OPERATORS = (
    "AND",
    "OR",
    "NOT",
    "ANDNOT",
    "ANDMAYBE",
    "and",
    "not",
    "TO",
    "to",
    "~",
    "*",
    "?",
    ":",
    "^",
    "+",
    "-",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "<",
    ">",
    "=",
    '"',
    "'",
    "\\",
    "/",
    "!",
    "&&",
    "||",
    "[/]",
    "[bold]",
    "[@click=app.quit]",
    "[link=file:///etc/passwd]",
)
FIELDS = (
    "title",
    "body",
    "source",
    "author",
    "date",
    "id",
    "file",
    "path",
    "url",
    "format",
    "collapsed",
    "newest",
    "oldest",
    "when",
    "stamp",
    "nosuch",
    "TITLE",
    "_",
    "",
    "title:body",
)
DATES = (
    "notadate",
    "[x to]",
    "[to]",
    "[ to ]",
    "[2018 to 2017]",
    "[2018-01 to 2018-06]",
    "[-1 to 99999999999]",
    "[now to]",
    "[to yesterday]",
    ">2020",
    "<",
    ">=",
    "2018-13-45",
    "2018-02-30",
    "0000",
    "99999",
    "9999-12-31",
    "0001-01-01",
    "1e308",
    "today",
    "yesterday",
    "2018",
    '"2018 to"',
    "[2018",
    "2018]",
)
SUFFIXES = ("", "~", "~2", "~99", "~-1", "~1/5", "*", "^", "^2", "^-1", "^1e400", "^x")

word = st.sampled_from(WORDS)
term = st.one_of(
    word,
    st.sampled_from(OPERATORS),
    st.tuples(word, st.sampled_from(SUFFIXES)).map("".join),
    st.tuples(st.sampled_from(FIELDS), st.one_of(word, st.sampled_from(OPERATORS))).map(
        ":".join
    ),
    st.sampled_from(DATES).map("date:".__add__),
    st.text(max_size=6),
)
grammar = st.one_of(
    st.lists(term, max_size=10).map(" ".join),
    st.lists(term, max_size=10).map("".join),
)
# Any code point, lone surrogates included: a terminal or a pipe can hand
# Python undecodable bytes, which arrive as U+DC80-U+DCFF.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
brackets = st.lists(
    st.sampled_from([*"()[]{}\"'<>", "AND", "OR", "NOT", "to", "x", " ", ":"]),
    max_size=30,
).map("".join)
nested = st.builds(
    lambda depth, open_, close, inner: open_ * depth + inner + close * (depth // 2),
    st.integers(1, 2000),
    st.sampled_from(["(", "[", "{", '"', "NOT "]),
    st.sampled_from([")", "]", "}", '"', ""]),
    word,
)
long_query = st.builds(
    lambda piece, times: (piece + " ") * times, grammar, st.integers(20, 400)
)
options = st.tuples(
    st.sampled_from([*SORTS, "relevance", "bogus", ""]),
    st.integers(-5, 60),
    st.integers(-5, 1000),
)

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArticleIndex]:
    root = tmp_path_factory.mktemp("fuzz")
    folder = root / "articles"
    folder.mkdir()
    for number, (title, date, source) in enumerate(ARTICLES):
        record = {"title": title, "date": date, "source": source, "text": BODY}
        record["author"] = "Ann Writer" if number % 2 else "[i]Eve[/i]"
        (folder / f"article-{number}.json").write_text(json.dumps(record))
    locations = Locations((folder,), root / "index")
    update_index(locations)
    index = ArticleIndex(locations.index_dir)
    yield index
    index.close()


def check(result: SearchResult, sort: str, limit: int) -> None:
    assert isinstance(result, SearchResult)
    if result.error is not None:
        assert isinstance(result.error, str) and result.error.strip()
        assert len(result.error.splitlines()) == 1, result.error
        assert len(result.error) <= 200, result.error
        assert result.total == 0 and result.hits == ()
        return
    assert sort in SORTS, f"unknown sort {sort!r} was accepted"
    assert result.total >= 0
    assert len(result.hits) <= max(0, limit)
    for hit in (*result.hits, *(result.correction.hits if result.correction else ())):
        for start, end in hit.title_spans:
            assert 0 <= start < end <= len(hit.title)
        for start, end in hit.snippet.spans:
            assert 0 <= start < end <= len(hit.snippet.text)
    if result.correction is not None:
        assert result.correction.total >= 0


def search_all(
    ix: ArticleIndex, queries: list[str], option: tuple[str, int, int]
) -> None:
    """Each query as the CLI asks it and as the app does (last word completed).

    Several queries per example: Hypothesis's own cost per example is about
    that of a search, and a batch spends the time on searching."""
    sort, limit, offset = option
    for query in queries:
        for complete in (False, True):
            started = time.perf_counter()
            result = ix.search(
                query,
                limit=limit,
                offset=offset,
                sort=sort,
                complete_last_word=complete,
            )
            spent("searching the fuzzed queries", time.perf_counter() - started)
            check(result, sort, limit)
            count("queries fuzzed")


def batch(
    strategy: st.SearchStrategy[str], size: int = 4
) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, min_size=size, max_size=size)


@settings(FUZZ, max_examples=500)
@given(queries=batch(grammar), option=options)
def test_the_query_language_taken_apart(
    ix: ArticleIndex, queries: list[str], option: tuple[str, int, int]
) -> None:
    search_all(ix, queries, option)


@settings(FUZZ, max_examples=400)
@given(queries=batch(any_text), option=options)
def test_any_unicode_text(
    ix: ArticleIndex, queries: list[str], option: tuple[str, int, int]
) -> None:
    search_all(ix, queries, option)


@settings(FUZZ, max_examples=250)
@given(queries=batch(brackets), option=options)
def test_unbalanced_quotes_brackets_and_lone_operators(
    ix: ArticleIndex, queries: list[str], option: tuple[str, int, int]
) -> None:
    search_all(ix, queries, option)


dated = st.builds(
    lambda date, rest: f"{rest} date:{date}",
    st.sampled_from(DATES),
    st.lists(word, max_size=3).map(" ".join),
)


@settings(FUZZ, max_examples=125)
@given(queries=batch(dated), option=options)
def test_dates_that_do_not_parse(
    ix: ArticleIndex, queries: list[str], option: tuple[str, int, int]
) -> None:
    search_all(ix, queries, option)


@settings(FUZZ, max_examples=40)
@given(queries=batch(st.one_of(long_query, nested), 1), option=options)
def test_very_long_and_deeply_nested_queries(
    ix: ArticleIndex, queries: list[str], option: tuple[str, int, int]
) -> None:
    search_all(ix, queries, option)


# --- the CLI ------------------------------------------------------------------------

CLI_BATCH = 5
"""Queries run at once, as separate processes, per example."""


@pytest.fixture(scope="module")
def cli_index(ix: ArticleIndex) -> tuple[Path, Path, Path]:
    index_dir = ix.index_dir
    folder = index_dir.parent / "articles"
    return folder, index_dir, index_dir.parent / "home"


def _argv_safe(text: str) -> bool:
    # argv cannot hold NUL; a surrogate can only stand for an undecodable byte.
    return "\x00" not in text and not any(
        "\ud800" <= char < "\udc80" or "\udd00" <= char <= "\udfff" for char in text
    )


cli_query = st.one_of(grammar, any_text, brackets, nested).filter(_argv_safe)


def _search(where: tuple[Path, Path, Path], query: str, as_json: bool) -> Run:
    folder, index_dir, home = where
    mode = ("--json",) if as_json else ()
    return newsdesk(
        "search",
        "--articles",
        folder,
        "--index",
        index_dir,
        *mode,
        "--",
        query,
        home=home,
    )


@settings(FUZZ, max_examples=10)
@given(queries=st.lists(cli_query, min_size=CLI_BATCH, max_size=CLI_BATCH))
def test_cli_search_exits_0_1_or_2_and_never_prints_a_traceback(
    cli_index: tuple[Path, Path, Path], queries: list[str]
) -> None:
    with ThreadPoolExecutor(max_workers=CLI_BATCH) as pool:
        runs = list(
            pool.map(
                lambda numbered: _search(cli_index, numbered[1], numbered[0] % 2 == 0),
                enumerate(queries),
            )
        )
    count("CLI queries fuzzed", len(runs))
    count("newsdesk processes run", len(runs))
    for run in runs:
        assert run.returncode in (0, 1, 2), run.describe()
        assert "Traceback" not in run.stderr, run.describe()
        if run.returncode == 2:
            assert len(run.stderr.splitlines()) == 1, run.describe()
            assert run.stderr.startswith("newsdesk: "), run.describe()
        if run.returncode == 0 and "--json" in run.args[:-2]:
            json.loads(run.stdout)
        # Human output is made printable; JSON may only echo the query's own
        # characters back, escaped or not, as JSON allows.
        query = run.args[-1]
        allowed = (
            set(forbidden_characters(query)) if "--json" in run.args[:-2] else set()
        )
        found = set(forbidden_characters(run.stdout + run.stderr)) - allowed
        assert not found, f"{sorted(found)} printed\n{run.describe()}"
