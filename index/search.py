"""Searching the index: ranked hits with snippets, completion and corrections.

`ArticleIndex.search` is what the CLI and the app call. It returns plain data:
hits with a snippet as text plus the character spans of the matched words,
never markup. Whoosh's slow paths are bounded here:

* wildcard, prefix and fuzzy terms expand to at most `MAX_EXPANSIONS` index
  terms (the most frequent), instead of to every matching term;
* the word being typed is completed from the words the articles contain
  (the generation's `words.txt`, searched by bisection), not a `word*` query;
* snippets are cut from the stored collapsed body by matching stems, for the
  hits asked for only;
* queries are scored over whole posting lists by `index.evaluate`, with
  Whoosh's own search kept for the rare query that module does not handle.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import heapq
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser
from whoosh.qparser.dateparse import DateParserPlugin, English
from whoosh.util.times import adatetime

from .analysis import stem_word
from .evaluate import BulkEvaluator, NotEvaluable
from .store import SCHEMA_VERSION, IndexUnusableError, read_meta, read_words
from .text import safe_name

__all__ = [
    "MAX_EXPANSIONS",
    "SORTS",
    "ArticleIndex",
    "Correction",
    "Hit",
    "SearchResult",
    "Snippet",
    "highlight_spans",
]

SORTS = ("relevance", "newest", "oldest")
MAX_EXPANSIONS = 24
"""A prefix, wildcard or fuzzy term matches at most this many index terms."""
_EXPANSION_SCAN = 1000
"""How many candidate terms are looked at to pick the most frequent ones."""
_COMPLETION_POSTINGS = 5_000
"""The word being typed is completed to its most frequent continuations, as
many as together occur in about this many articles (at least one)."""
SNIPPET_CHARS = 220
MAX_FUZZY_DISTANCE = 2
"""`word~5` is read as `word~2`: further apart, every word matches."""
_CORRECT_BELOW = 3
"""Results fewer than this make the search look for a corrected query."""

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s{2,}")
_LAST_WORD = re.compile(r"(?:^|\s)(\w+)$")
_SEARCH_FIELDS = ("title", "body")
_TRAILING_QUESTION = re.compile(r"(?<=\w)\?(?=\s|$|\))")
_DATE_VALUE = re.compile(r"\b\d{4}-\d{1,2}(?:-\d{1,2})?\b")
# Words a correction may change: not operators, not field names, not values
# of fields that hold names or dates.
_CORRECTABLE = re.compile(
    r"(?:(?<=title:)|(?<=body:)|(?<![\w:*?~\-]))([^\W\d_]{3,})(?![\w:*?~])"
)
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


# ASCII digits only, as the grammar's: `\d` would read "２０１５" as a year.
_ISO_DAY = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


class _QuickDates(English):  # type: ignore[misc]
    """Whoosh's English date grammar, with the dates people type most
    (`2015`, `2015-03`, `2015-03-07`) read by one regular expression: the
    grammar took about 0.4 ms a range bound, a third of a search for a
    title word in a date range at 100,000 articles. A test checks that both
    give the same dates."""

    def date_from(
        self,
        text: str,
        basedate: datetime | None = None,
        pos: int = 0,
        debug: int = -9999,
        toend: bool = True,
        disambiguate: bool = True,
    ) -> Any:
        match = _ISO_DAY.fullmatch(text, pos)
        if match is None or not _valid_date(match.group()):
            return super().date_from(text, basedate, pos, debug, toend, disambiguate)
        year, month, day = (int(part) if part else None for part in match.groups())
        when = adatetime(year=year, month=month, day=day)
        if not disambiguate:
            return when
        return when.disambiguated(basedate or datetime.now(tz=timezone.utc))


def _valid_date(value: str) -> bool:
    """Whether `year-month[-day]` (or `year`, for `_QuickDates`) names a day
    the calendar has."""
    year, month, day, *_ = [int(part) for part in value.split("-")] + [1, 1]
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


class _Vocabulary:
    """The index's words, loaded once per searcher for fuzzy terms and corrections.

    Whoosh's spelling and fuzzy helpers disagree with each other on stemmed
    fields (a correction of `goverment` looked up from its stem `gover` gives
    `over`); rapidfuzz over the word lists is consistent and fast enough.
    """

    def __init__(self, reader: Any, schema: Any, counts: Counter[str]) -> None:
        self._reader = reader
        self._schema = schema
        self._stems: dict[str, list[str]] = {}
        self.words = sorted(counts)
        """The articles' words, lowercased and sorted."""
        self._counts = [counts[word] for word in self.words]

    def most_frequent_starting_with(self, prefix: str) -> list[tuple[int, str]]:
        """(articles, word) for the commonest words that begin with `prefix`."""
        start = bisect.bisect_left(self.words, prefix)
        # Every word beginning with `prefix` sorts before prefix + U+10FFFF.
        end = bisect.bisect_left(self.words, prefix + "\U0010ffff", start)
        best = heapq.nlargest(
            MAX_EXPANSIONS, range(start, end), key=self._counts.__getitem__
        )
        return [(self._counts[number], self.words[number]) for number in best]

    def stems(self, fieldname: str) -> list[str]:
        if fieldname not in self._stems:
            self._stems[fieldname] = list(_decoded(self._reader.lexicon(fieldname)))
        return self._stems[fieldname]

    def _frequency(self, fieldname: str, text: str) -> int:
        return int(self._reader.doc_frequency(fieldname, text))

    def near_stems(self, fieldname: str, stem_text: str, distance: int) -> list[str]:
        """Index terms within `distance` edits of a stem, most frequent first."""
        if fieldname not in _SEARCH_FIELDS:
            return []
        found = process.extract(
            stem_text,
            self.stems(fieldname),
            scorer=OSA.distance,
            score_cutoff=distance,
            limit=MAX_EXPANSIONS * 4,
        )
        ranked = sorted(
            found, key=lambda item: (item[1], -self._frequency(fieldname, item[0]))
        )
        return [term for term, _, _ in ranked[:MAX_EXPANSIONS]]

    def _known(self, word: str) -> bool:
        return any(
            self._frequency(fieldname, token) > 0
            for fieldname in _SEARCH_FIELDS
            for token in self._schema[fieldname].process_text(word)
        )

    def _best(self, word: str) -> str | None:
        distance = 1 if len(word) <= 4 else 2
        found = process.extract(
            word, self.words, scorer=OSA.distance, score_cutoff=distance, limit=20
        )
        if not found:
            return None
        # Nearest first; among equally near words, the commonest.
        return min(found, key=lambda item: (item[1], -self._counts[item[2]]))[0]

    def correct(self, text: str) -> str | None:
        """The query with unknown words replaced by the nearest known ones."""
        changed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group(1)
            if word in _OPERATORS or self._known(word):
                return word
            best = self._best(word.lower())
            if best is None:
                return word
            changed = True
            return best

        corrected = _CORRECTABLE.sub(replace, text)
        return corrected if changed else None


def _decoded(terms: Iterable[bytes | str]) -> Iterator[str]:
    for term in terms:
        yield term.decode("utf-8") if isinstance(term, bytes) else term


class IndexMissingError(IndexUnusableError):
    """There is no index yet: it needs a build."""


class IndexOutdatedError(IndexUnusableError):
    """The index was written with another schema: it needs a rebuild."""


@dataclass(frozen=True)
class Snippet:
    """A piece of an article's text and where the query's words are in it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Hit:
    """One article in the results."""

    id: str
    title: str
    title_spans: tuple[tuple[int, int], ...]
    source: str
    date: datetime | None
    score: float
    """The relevance score; 0 when the results are sorted by date."""
    snippet: Snippet
    path: str
    url: str
    format: str
    collapsed: int
    """How many paragraphs duplicate collapsing removed."""
    terms: tuple[str, ...]
    """The stems this hit matched, for highlighting elsewhere."""
    stamp: str = ""
    """The file's `size:mtime_ns` when it was indexed."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "spans": [list(span) for span in self.snippet.spans],
            "url": self.url or None,
            # Bytes of a path that are not UTF-8 cannot go into JSON as they are.
            "path": safe_name(self.path),
            "format": self.format,
        }


@dataclass(frozen=True)
class Correction:
    """A corrected query and what it found."""

    query: str
    total: int
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class SearchResult:
    """What one search returned."""

    query: str
    sort: str
    total: int
    hits: tuple[Hit, ...] = ()
    offset: int = 0
    correction: Correction | None = None
    error: str | None = None
    """A query that could not be understood, in plain words."""
    completed: tuple[str, ...] = field(default=())
    """The words the last, partly typed word was completed to."""


_WORD_CHAR = re.compile(r"\w")
_WORD_REST = re.compile(r"\w*")


@functools.lru_cache(maxsize=256)
def _heads(stems: frozenset[str]) -> tuple[str, ...]:
    """How the words that may stem to one of `stems` begin, lowercased.

    Porter stemming only rewrites a word's ending, so such a word begins with
    its stem's first letters: only those words need stemming, instead of
    every word of a long article. A stem less its last letter begins every
    word of the shared corpora that stems to it (40,600 words checked); one
    letter more is left off for safety. Shorter heads ("pre" for "predict")
    matched many more words, and stemming them was most of a snippet."""
    return tuple(
        sorted({stem[: max(min(3, len(stem) - 1), len(stem) - 2, 1)] for stem in stems})
    )


@functools.lru_cache(maxsize=256)
def _candidate_words(stems: frozenset[str]) -> re.Pattern[str]:
    """The words that begin with one of `_heads(stems)`, in any case."""
    alternatives = "|".join(map(re.escape, _heads(stems)))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def _word_spans(text: str, stems: frozenset[str]) -> list[tuple[int, int]]:
    if not stems:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few letters lowercase to two ("İ"): offsets in `lowered` would
        # not hold in `text`.
        return [
            match.span()
            for match in _candidate_words(stems).finditer(text)
            if stem_word(match.group().lower()) in stems
        ]
    # `str.find` of each head in the lowercased text: a case-insensitive
    # regex of several heads scanned a long article at a third of the speed.
    found: set[tuple[int, int]] = set()
    for head in _heads(stems):
        at = lowered.find(head)
        while at >= 0:
            if not (at and _WORD_CHAR.match(lowered, at - 1)):
                rest = _WORD_REST.match(lowered, at + len(head))
                end = rest.end() if rest else at + len(head)
                if stem_word(lowered[at:end]) in stems:
                    found.add((at, end))
            at = lowered.find(head, at + 1)
    return sorted(found)


def highlight_spans(text: str, stems: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of the words in `text` whose stem is one of `stems`."""
    return _word_spans(text, frozenset(stems))


def _busiest_window(text: str, spans: list[tuple[int, int]]) -> int:
    """Where the half-snippet with the most different matched words begins
    (then the most matches; then the earliest): always at a match.

    One pass with a sliding window: a common word can match hundreds of
    times in a long article, and comparing every match with every later one
    cost a millisecond a hit."""
    words = [text[a:b].lower() for a, b in spans]
    inside: Counter[str] = Counter()
    best_start, best_score = spans[0][0], -1
    end = 0
    for index, (start, _) in enumerate(spans):
        end = max(end, index)
        while end < len(spans) and spans[end][1] <= start + SNIPPET_CHARS // 2:
            inside[words[end]] += 1
            end += 1
        score = len(inside) * 100 + (end - index)
        if score > best_score:
            best_start, best_score = start, score
        if end > index:
            inside[words[index]] -= 1
            if not inside[words[index]]:
                del inside[words[index]]
    return best_start


def _snippet(body: str, stems: frozenset[str]) -> Snippet:
    """The best one or two windows of `body` around matched words."""
    # Same length as the body, so spans found in it hold in the windows.
    text = body.replace("\n", " ")
    spans = _word_spans(text, stems)
    if not spans:
        end = text.rfind(" ", 0, SNIPPET_CHARS) if len(text) > SNIPPET_CHARS else -1
        piece = _SPACES.sub(" ", text[: end if end > 0 else SNIPPET_CHARS])
        return Snippet(piece + ("…" if end > 0 else ""))
    windows: list[tuple[int, int]] = []
    remaining = spans
    for _ in range(2):
        if not remaining:
            break
        best_start = _busiest_window(text, remaining)
        start = max(0, best_start - 40)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < best_start else start
        size = SNIPPET_CHARS if not windows else SNIPPET_CHARS // 2
        end = min(len(text), start + size)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        windows.append((start, end))
        remaining = [s for s in remaining if s[0] >= end or s[1] <= start]
    windows.sort()
    pieces: list[str] = []
    out_spans: list[tuple[int, int]] = []
    length = 0
    for number, (start, end) in enumerate(windows):
        prefix = "…" if start > 0 and number == 0 else (" … " if number else "")
        pieces.append(prefix)
        length += len(prefix)
        # Paragraph breaks became runs of spaces: one space reads better.
        piece = _SPACES.sub(" ", text[start:end].strip())
        out_spans.extend((length + a, length + b) for a, b in _word_spans(piece, stems))
        pieces.append(piece)
        length += len(piece)
    if windows[-1][1] < len(text):
        pieces.append("…")
    return Snippet("".join(pieces), tuple(out_spans))


def _date_of(stored: dict[str, Any]) -> datetime | None:
    when = stored.get("when")
    if not when:
        return None
    try:
        return datetime.fromisoformat(when)
    except ValueError:
        return None


def _wanted_stems(query: Any) -> frozenset[str]:
    """The title and body terms a query looks for (not those it excludes).

    Highlighting marks these wherever they occur in a hit: cheaper than
    Whoosh recording which terms each matching document had (`terms=True`
    cost a quarter of a search that matched thousands of articles)."""
    if isinstance(query, wq.Not):
        return frozenset()
    if isinstance(query, wq.AndNot):
        return _wanted_stems(query.a)
    if not query.is_leaf():
        return frozenset().union(*(_wanted_stems(sub) for sub in query.children()))
    if not query.has_terms():
        return frozenset()
    return frozenset(
        text.decode("utf-8") if isinstance(text, bytes) else str(text)
        for fieldname, text in query.terms(phrases=True)
        if fieldname in _SEARCH_FIELDS
    )


def _any_of(terms: list[Any]) -> Any:
    """An Or of many terms that reads their postings into arrays once.

    Whoosh's default Or is a binary tree of union matchers; with the dozens
    of terms an expansion makes, walking the tree cost more than scoring
    (a two-letter prefix: 4.0 s of CPU against 1.3 s with arrays, measured
    at 10,000 articles)."""
    union = wq.Or(terms)
    union.matcher_type = wq.Or.ARRAY_MATCHER
    return union


class ArticleIndex:
    """An open index. Thread-safe: searches are serialised on one searcher."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._lock = threading.RLock()
        self._generation = ""
        self._ix: Any = None
        self._searcher: Any = None
        self._vocabulary: _Vocabulary | None = None
        self._evaluator: BulkEvaluator | None = None
        self._open()

    def _open(self) -> None:
        meta = read_meta(self.index_dir)
        if meta is None:
            if (self.index_dir / "current.json").exists():
                raise IndexUnusableError("the index is damaged (current.json)")
            raise IndexMissingError(f"no index in {self.index_dir}")
        if meta.schema != SCHEMA_VERSION:
            raise IndexOutdatedError(
                f"the index has format {meta.schema}, this newsdesk needs "
                f"{SCHEMA_VERSION}"
            )
        try:
            ix = whoosh_index.open_dir(str(self.index_dir / meta.generation))
            searcher = ix.searcher()
        except Exception as error:
            raise IndexUnusableError(
                f"the index is damaged ({type(error).__name__})"
            ) from error
        self.close()
        self._ix, self._searcher, self._generation = ix, searcher, meta.generation
        self._vocabulary = None
        self._evaluator = None
        self._parser = MultifieldParser(list(_SEARCH_FIELDS), ix.schema, group=AndGroup)
        self._parser.add_plugin(FuzzyTermPlugin())
        self._date_errors: list[str] = []
        self._parser.add_plugin(
            DateParserPlugin(
                dateparser=_QuickDates(),
                callback=lambda error: self._date_errors.append(str(error)),
            )
        )

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def refresh(self) -> bool:
        """Pick up commits and rebuilds by other processes; True if anything changed."""
        with self._lock:
            meta = read_meta(self.index_dir)
            if meta is not None and meta.generation != self._generation:
                self._open()
                return True
            if self._searcher.up_to_date():
                return False
            # A new searcher, not `searcher.refresh()`: whoosh3 reuses segment
            # readers by segment id and would keep their old deletions, so a
            # changed article would be found twice.
            self._searcher.close()
            self._searcher = self._ix.searcher()
            self._vocabulary = None
            self._evaluator = None
            return True

    def warm_up(self) -> None:
        """Load what a first search would otherwise wait for: the word list
        (completion and corrections) and the evaluator's field-length norms
        and date columns (about 100 ms at 100,000 articles). For a worker to
        call after opening or refreshing, before anyone types. A damaged
        index raises `IndexUnusableError`."""
        with self._lock:
            try:
                self._vocab()
                with contextlib.suppress(NotEvaluable):
                    self._bulk().prepare(_SEARCH_FIELDS, ("newest", "oldest"))
            # Damaged files fail in many ways.
            except Exception as error:
                raise IndexUnusableError(
                    f"the index cannot be read ({type(error).__name__})"
                ) from error

    def _bulk(self) -> BulkEvaluator:
        if self._evaluator is None:
            self._evaluator = BulkEvaluator(self._searcher)
        return self._evaluator

    @property
    def article_count(self) -> int:
        with self._lock:
            return int(self._searcher.doc_count())

    def _most_frequent(self, fieldname: str, candidates: Iterable[bytes]) -> list[str]:
        reader = self._searcher.reader()
        scored: list[tuple[int, str]] = []
        for number, term in enumerate(candidates):
            if number >= _EXPANSION_SCAN:
                break
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            scored.append((reader.doc_frequency(fieldname, text), text))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [text for _, text in scored[:MAX_EXPANSIONS]]

    def _vocab(self) -> _Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = _Vocabulary(
                self._searcher.reader(),
                self._searcher.schema,
                read_words(self.index_dir / self._generation),
            )
        return self._vocabulary

    def _bounded(self, query: Any) -> Any:
        """Replace open-ended term expansions by their most frequent terms."""
        if isinstance(query, wq.FuzzyTerm):
            # Whoosh's own expansion differs between one segment and several
            # (stems or spelling words); this one always compares stems.
            terms = self._vocab().near_stems(
                query.fieldname, query.text, min(query.maxdist, MAX_FUZZY_DISTANCE)
            )
        elif isinstance(query, (wq.Prefix, wq.Wildcard, wq.Regex)):
            reader = self._searcher.reader()
            terms = self._most_frequent(query.fieldname, query._btexts(reader))
        else:
            terms = None
        if terms is not None:
            if not terms:
                return wq.NullQuery
            return _any_of([wq.Term(query.fieldname, term) for term in terms])
        if query.is_leaf():
            return query
        return query.apply(self._bounded)

    def _ranked_completions(self, prefix: str) -> list[tuple[int, str]]:
        """(articles, word) for words beginning with `prefix`, most frequent first."""
        with self._lock:
            return self._vocab().most_frequent_starting_with(prefix.lower())

    def _parse(self, text: str) -> Any:
        for match in _DATE_VALUE.finditer(text):
            if not _valid_date(match.group()):
                raise ValueError(f"date not understood: {match.group()}")
        # A question mark ending a word is punctuation ("…in disguise?"),
        # not Whoosh's one-character wildcard.
        text = _TRAILING_QUESTION.sub("", text)
        self._date_errors.clear()
        parsed = self._parser.parse(text)
        if self._date_errors:
            raise ValueError(f"date not understood: {self._date_errors[0]}")
        return self._bounded(parsed)

    def _completed_query(self, text: str) -> tuple[Any, tuple[str, ...]]:
        """The query with its last word also matching words it begins."""
        match = _LAST_WORD.search(text)
        if match is None or text.count('"') % 2 or len(match.group(1)) < 2:
            return self._parse(text), ()
        word = match.group(1)
        if word in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"):
            return self._parse(text), ()
        words: list[str] = []
        postings = 0
        for count, completion in self._ranked_completions(word):
            # Scoring time grows with the articles matched: past the budget,
            # rarer completions would add more time than results worth seeing.
            if words and postings + count > _COMPLETION_POSTINGS:
                break
            words.append(completion)
            postings += count
        if not words:
            return self._parse(text), ()
        rest = text[: match.start(1)]
        alternatives = {
            wq.Term(fieldname, token)
            for completion in dict.fromkeys([word.lower(), *words])
            for fieldname in _SEARCH_FIELDS
            for token in self._searcher.schema[fieldname].process_text(completion)
        }
        last = _any_of(sorted(alternatives, key=str))
        if not rest.strip():
            return last, tuple(words)
        return wq.And([self._parse(rest), last]), tuple(words)

    def _hits(
        self, ranked: list[tuple[int, float]], stems: frozenset[str]
    ) -> tuple[Hit, ...]:
        hits = []
        try:
            stored_fields = self._bulk().stored_fields
        except NotEvaluable:
            stored_fields = self._searcher.stored_fields
        for docnum, score in ranked:
            stored = stored_fields(docnum)
            title = stored.get("title", "")
            hits.append(
                Hit(
                    id=stored["id"],
                    title=title,
                    title_spans=tuple(_word_spans(title, stems)),
                    source=stored.get("source", ""),
                    date=_date_of(stored),
                    score=float(score or 0.0),
                    snippet=_snippet(stored.get("body", ""), stems),
                    path=stored.get("path", ""),
                    url=stored.get("url", ""),
                    format=stored.get("format", ""),
                    collapsed=int(stored.get("collapsed", 0)),
                    terms=tuple(sorted(stems)),
                    stamp=stored.get("stamp", ""),
                )
            )
        return tuple(hits)

    def _ranked(
        self, query: Any, count: int, sort: str
    ) -> tuple[int, list[tuple[int, float]]]:
        """The total and the first `count` (docnum, score) in the order asked."""
        sort_field = "" if sort == "relevance" else sort
        reverse = sort == "newest"
        try:
            total, ranked = self._bulk().top(query, count, sort_field, reverse)
        except NotEvaluable:
            # Whoosh wants a limit of at least one; the total comes either way.
            options: dict[str, Any] = {"limit": max(1, count)}
            if sort_field:
                options["sortedby"] = sort_field
                options["reverse"] = reverse
            results = self._searcher.search(query, **options)
            total = len(results)
            ranked = [(hit.docnum, hit.score) for hit in results[:count]]
        if sort_field:
            # Whoosh gives a sorted hit its sort key as its score: no score
            # is given, whichever of the two answered.
            ranked = [(docnum, 0.0) for docnum, _ in ranked]
        return total, ranked

    def _run(
        self, query: Any, limit: int, offset: int, sort: str
    ) -> tuple[int, tuple[Hit, ...]]:
        total, ranked = self._ranked(query, offset + limit, sort)
        return total, self._hits(ranked[offset:], _wanted_stems(query))

    def search(
        self,
        text: str,
        limit: int = 20,
        offset: int = 0,
        sort: str = "relevance",
        complete_last_word: bool = False,
    ) -> SearchResult:
        """Run a query typed by a person. Never raises for a bad query: the
        result's `error` says what is wrong with it. A damaged index raises
        `IndexUnusableError`."""
        if sort not in SORTS:
            return SearchResult(text, sort, 0, error=f"unknown sort {sort!r}")
        limit, offset = max(0, limit), max(0, offset)
        with self._lock:
            if not text.strip():
                # Nothing typed: the newest articles (or oldest, if asked).
                sort = sort if sort != "relevance" else "newest"
                total, hits = self._checked_run(wq.Every(), limit, offset, sort)
                return SearchResult(text, sort, total, hits, offset)
            try:
                if complete_last_word:
                    query, completed = self._completed_query(text)
                else:
                    query, completed = self._parse(text), ()
            # Whoosh raises many types for what it cannot parse.
            except Exception as error:
                return SearchResult(text, sort, 0, offset=offset, error=_plain(error))
            total, hits = self._checked_run(query, limit, offset, sort)
            correction = None
            last = _LAST_WORD.search(text)
            # One or two letters being typed are not a misspelling yet.
            typing = complete_last_word and last is not None and len(last.group(1)) < 3
            if total < _CORRECT_BELOW and not typing:
                correction = self._correction(text, query, limit, sort, total)
            return SearchResult(
                text, sort, total, hits, offset, correction, completed=completed
            )

    def _checked_run(
        self, query: Any, limit: int, offset: int, sort: str
    ) -> tuple[int, tuple[Hit, ...]]:
        """Run a parsed query; a failure here is the index's, not the query's."""
        try:
            return self._run(query, limit, offset, sort)
        # Damaged files fail in many ways.
        except Exception as error:
            raise IndexUnusableError(
                f"the index cannot be read ({type(error).__name__})"
            ) from error

    def _correction(
        self, text: str, query: Any, limit: int, sort: str, total: int
    ) -> Correction | None:
        corrected = self._vocab().correct(text)
        if corrected is None:
            return None
        try:
            corrected_total, hits = self._run(self._parse(corrected), limit, 0, sort)
        except Exception:
            return None
        if corrected_total <= total:
            return None
        return Correction(corrected, corrected_total, hits)

    def distinct_terms(self) -> int:
        with self._lock:
            reader = self._searcher.reader()
            return sum(1 for _ in reader.lexicon("body"))


def _plain(error: Exception) -> str:
    # Our own checks raise ValueError with words for the user; anything else
    # is Whoosh's insides, which would only confuse.
    if not isinstance(error, ValueError):
        return "cannot understand the query"
    message = " ".join(str(error).split())
    return f"cannot understand the query: {message}"[:200]
