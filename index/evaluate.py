"""Scoring a parsed query over whole posting lists at once.

Whoosh scores one posting at a time: a matcher tree is walked with several
Python method calls per posting, and BM25 looks up the document's field
length through a column reader each time (about 4–5 µs a posting, most of a
search that matches thousands of articles). `BulkEvaluator` reads each
term's postings whole, from the segment's flat postings
(`index.flatpostings`) when the build wrote them, else from Whoosh's blocks
a block at a time, and works on NumPy arrays: a list is scored against
field-length norms computed once per searcher in one expression, lists are
combined by sorted-array lookups, phrases are checked for all candidate
documents at once, and only the few contenders for the first page are
ordered in Python. Even a dict comprehension costs about 200 ns a posting,
most of a common word's search at 100,000 articles. The result is the same
documents, scores and order as Whoosh's `Searcher.search` (a test compares
them query by query): every score is computed with the same floating-point
operations in the same order.

It understands the queries the app's parser makes (terms, and/or/not,
phrases, ranges, everything); for any other kind it raises `NotEvaluable`
and the caller asks Whoosh.

Reading blocks, lengths and columns whole uses attributes private to
whoosh3's codec (`W3LeafMatcher`, the per-document reader, `NumericColumn`),
which is why whoosh3 is pinned exactly; anything else is read through
Whoosh's public matcher API, more slowly.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from itertools import accumulate
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.fields import NUMERIC
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.ranges import DateRange, NumericRange
from whoosh.query.wrappers import ConstantScoreQuery
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long

from .flatpostings import FlatPostings, FlatTerm, flat_path

__all__ = ["BulkEvaluator", "NotEvaluable"]

_SECOND = 1_000_000
_EPOCH = datetime_to_long(datetime(1970, 1, 1))
"""1970 in the microseconds since year 1 that Whoosh stores dates as."""

_SCORE_DIGITS = 9
"""Scores are compared to this many decimals when ordering hits."""
_SCORE_STEP = 10.0**-_SCORE_DIGITS
"""Two scores this close may round to the same."""

Ids = npt.NDArray[np.int64]
"""Document numbers in a segment, ascending and each once."""
Floats = npt.NDArray[np.float64]

_NO_IDS: Ids = np.zeros(0, np.int64)
_NO_FLOATS: Floats = np.zeros(0, np.float64)
_POSITION_BITS = 32
"""A phrase check keys a position by its candidate document in the bits
above these (a field holds fewer than 2**32 words)."""


class NotEvaluable(Exception):
    """The query has a part this evaluator does not handle."""


class Scores(NamedTuple):
    """A segment's matching documents and their scores, in document order."""

    ids: Ids
    scores: Floats

    @classmethod
    def constant(cls, ids: Ids, score: float) -> Scores:
        return cls(ids, np.full(ids.size, score, np.float64))

    def boosted(self, boost: float) -> Scores:
        return self if boost == 1.0 else Scores(self.ids, self.scores * boost)

    def without(self, ids: Ids) -> Scores:
        """These scores less those of the documents in `ids`."""
        if not ids.size or not self.ids.size:
            return self
        keep = ~_members(self.ids, ids)
        return Scores(self.ids[keep], self.scores[keep])


_NOTHING = Scores(_NO_IDS, _NO_FLOATS)


def _members(values: Ids, among: Ids) -> npt.NDArray[np.bool_]:
    """Which of `values` are in the ascending `among`."""
    if not among.size:
        return np.zeros(values.size, np.bool_)
    at = np.searchsorted(among, values)
    at[at == among.size] = 0
    return np.asarray(among[at] == values)


def _common(first: Ids, second: Ids) -> tuple[Ids, Ids]:
    """Where the documents in both are, in each: their places in `first`
    and in `second`, in document order."""
    if first.size <= second.size:
        in_first = np.flatnonzero(_members(first, second))
        return in_first, np.searchsorted(second, first[in_first])
    in_second = np.flatnonzero(_members(second, first))
    return np.searchsorted(first, second[in_second]), in_second


class _Wanted:
    """The documents a caller will keep: ascending, and as a set (made when
    Whoosh's blocks are filtered)."""

    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self._docs: set[int] | None = None

    @property
    def docs(self) -> set[int]:
        if self._docs is None:
            self._docs = set(self.ids.tolist())
        return self._docs

    def any_in(self, low: int, high: int) -> bool:
        """Whether a wanted document is in `low`..`high`, both included."""
        at = int(np.searchsorted(self.ids, low))
        return at < self.ids.size and int(self.ids[at]) <= high


def _leaf(reader: Any, fieldname: str, btext: bytes) -> Any:
    """A term's postings matcher in one segment, or None; deletions are left
    to the caller, which filters a whole list at once."""
    try:
        matcher = reader.postings(fieldname, btext)
    except TermNotFound:
        return None
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def _blocks(matcher: Any, wanted: _Wanted | None) -> Iterator[list[int]]:
    """The document numbers of each block of a Whoosh 3 posting list, leaving
    the matcher on that block; blocks without a wanted document are skipped
    unread (a block's header says its last document number)."""
    after = -1
    while matcher.is_active():
        last = matcher.block_max_id()
        if wanted is None or wanted.any_in(after + 1, last):
            if matcher._data is None:
                matcher._read_data()
            ids = matcher._data[0]
            # Whoosh's delta_decode, without a generator step per posting.
            yield list(ids) if matcher._byteids else list(accumulate(ids))
        after = last
        matcher._next_block()


PositionsOf = Callable[[Ids], tuple[Ids, Ids]]
"""Given places in a term's postings, the positions of the term in those
documents: for each position, the index of its place, and the position."""


class _Postings(NamedTuple):
    """A term's postings in one segment: document numbers, weights and, when
    asked for, what gives the positions of chosen postings."""

    ids: Ids
    weights: Floats
    positions: PositionsOf


def _no_positions(places: Ids) -> tuple[Ids, Ids]:
    raise ValueError("postings read without their positions")


_NO_POSTINGS = _Postings(_NO_IDS, _NO_FLOATS, _no_positions)


def _postings(
    segment: _Segment,
    fieldname: str,
    btext: bytes,
    wanted: _Wanted | None,
    with_positions: bool = False,
) -> _Postings:
    """One term's postings in one segment (only the wanted documents', if
    given), deletions kept: from the segment's flat postings when they hold
    the term, else from Whoosh's blocks."""
    if segment.flat is not None:
        # A term the file leaves out, or whose checksum fails, is read from
        # Whoosh's blocks.
        with contextlib.suppress(ValueError):
            term = segment.flat.term(fieldname, btext)
            if term is not None:
                return _flat_postings(segment.flat, term, wanted, with_positions)
    return _whoosh_postings(segment.reader, fieldname, btext, wanted, with_positions)


def _flat_postings(
    flat: FlatPostings, term: FlatTerm, wanted: _Wanted | None, with_positions: bool
) -> _Postings:
    """A term's postings from a `.flat` file."""
    gaps_type, counts_type, positions_type = term.types
    ids = np.cumsum(np.frombuffer(term.gaps, gaps_type), dtype=np.int64)
    counts = all_counts = np.frombuffer(term.counts, counts_type)
    places: Ids | None = None
    if wanted is not None:
        places = np.flatnonzero(_members(ids, wanted.ids))
        ids, counts = ids[places], counts[places]
    # As Whoosh's weight: the position count times the term's factor.
    weights = np.multiply(counts, term.factor, dtype=np.float64)
    if not with_positions:
        return _Postings(ids, weights, _no_positions)
    every = np.frombuffer(flat.positions(term), positions_type)
    starts = np.zeros(all_counts.size + 1, np.int64)
    np.cumsum(all_counts, dtype=np.int64, out=starts[1:])
    if places is not None:
        starts_of, ends_of = starts[places], starts[places + 1]
    else:
        starts_of, ends_of = starts[:-1], starts[1:]

    def positions(chosen: Ids) -> tuple[Ids, Ids]:
        return _ragged(every, starts_of[chosen], ends_of[chosen])

    return _Postings(ids, weights, positions)


def _ragged(values: npt.NDArray[Any], starts: Ids, ends: Ids) -> tuple[Ids, Ids]:
    """`values[starts[i]:ends[i]]` for every i, joined, with the i of each."""
    lengths = ends - starts
    owners = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    # Each value's index: its place in the joined result, shifted by how far
    # its run starts from where it lands.
    shift = starts - (np.cumsum(lengths) - lengths)
    places = np.arange(owners.size, dtype=np.int64) + shift[owners]
    return owners, values[places].astype(np.int64)


def _whoosh_postings(
    reader: Any,
    fieldname: str,
    btext: bytes,
    wanted: _Wanted | None,
    with_positions: bool,
) -> _Postings:
    """A term's postings from Whoosh's blocks."""
    matcher = _leaf(reader, fieldname, btext)
    if matcher is None:
        return _NO_POSTINGS
    ids: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    if type(matcher) is not W3LeafMatcher:
        while matcher.is_active():
            if wanted is None or matcher.id() in wanted.docs:
                ids.append(matcher.id())
                weights.append(matcher.weight())
                if with_positions:
                    values.append(matcher.value())
            matcher.next()
    else:
        for block in _blocks(matcher, wanted):
            matcher._read_weights()
            if with_positions:
                matcher._read_values()
            if wanted is None:
                ids.extend(block)
                weights.extend(matcher._weights)
                if with_positions:
                    values.extend(matcher._values)
                continue
            docs = wanted.docs
            for index, docnum in enumerate(block):
                if docnum in docs:
                    ids.append(docnum)
                    weights.append(matcher._weights[index])
                    if with_positions:
                        values.append(matcher._values[index])
    positions: PositionsOf = _no_positions
    if with_positions:
        decode = _decoder(reader, fieldname)

        def positions(chosen: Ids) -> tuple[Ids, Ids]:
            decoded = [decode(values[place]) for place in chosen.tolist()]
            lengths = np.fromiter(map(len, decoded), np.int64, len(decoded))
            owners = np.repeat(np.arange(len(decoded), dtype=np.int64), lengths)
            joined = [at for one in decoded for at in one]
            return owners, np.array(joined, np.int64)

    return _Postings(np.array(ids, np.int64), np.array(weights, np.float64), positions)


def _decoder(reader: Any, fieldname: str) -> Callable[[Any], list[int]]:
    """What turns a field's encoded values into positions, if it has them."""
    field_format = getattr(reader.schema[fieldname], "format", None)
    decode = getattr(field_format, "decode_positions", None)
    if decode is None:
        raise NotEvaluable("phrase on a field without positions")
    return decode  # type: ignore[no-any-return]


def _length_bytes(reader: Any, fieldname: str) -> npt.NDArray[np.uint8]:
    """Each document's length in a field, as the one byte the segment stores."""
    doc_count = reader.doc_count_all()
    per_document = getattr(reader, "_perdoc", None)
    if per_document is None:
        raise NotEvaluable("field lengths not readable in bulk")
    column = per_document._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.zeros(doc_count, np.uint8)
    return np.array(_numbers(column, doc_count), np.uint8)


def _numbers(column: Any, doc_count: int) -> npt.NDArray[Any]:
    """All the values of a numeric column, read in one piece.

    Whoosh's own `load()` reads them one seek at a time (about 150 ms for
    100,000 documents)."""
    if type(column) is not NumericColumn.Reader:
        return np.array(list(column))
    typecode = column._typecode
    if array(typecode).itemsize != struct.calcsize("!" + typecode):
        return np.array(list(column))
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    if len(raw) != column._count * column._fixedlen:
        raise NotEvaluable("a column file is shorter than its header says")
    # Whoosh writes columns big-endian ("!" structs).
    values = np.frombuffer(raw, np.dtype(typecode).newbyteorder(">"))
    # Documents after the last one with a value other than the default are
    # not written.
    missing = np.full(doc_count - values.size, column._default, values.dtype)
    return np.concatenate([values, missing]).astype(values.dtype.newbyteorder("="))


def _open_flat(reader: Any) -> FlatPostings | None:
    """The segment's flat postings, if the build wrote them."""
    folder = getattr(getattr(reader, "_storage", None), "folder", None)
    segment = getattr(reader, "_segment", None)
    if not isinstance(folder, str) or segment is None:
        return None
    return FlatPostings.open(flat_path(folder, segment.segment_id()))


class _Segment:
    """One segment's reader, its deletions and its field-length norms."""

    def __init__(self, reader: Any, offset: int) -> None:
        self.reader = reader
        self.offset = offset
        self.size: int = reader.doc_count_all()
        self.flat = _open_flat(reader)
        self.deleted: Ids = (
            np.array(sorted(reader.deleted_docs_set), np.int64)
            if reader.has_deletions()
            else _NO_IDS
        )
        self.norms: dict[str, Floats] = {}
        self._columns: dict[str, npt.NDArray[Any]] = {}
        self._orders: dict[str, list[int]] = {}

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        """How many documents hold a term (deleted ones included), from the
        flat postings' directory when they hold it: Whoosh's term lookup
        costs more than the rest of a rare word's search in a segment."""
        if self.flat is not None:
            count = self.flat.doc_frequency(fieldname, btext)
            if count is not None:
                return count
        return int(self.reader.doc_frequency(fieldname, btext))

    def in_order(self, fieldname: str) -> list[int]:
        """The live document numbers ordered by a column's values, then by
        number."""
        ordered = self._orders.get(fieldname)
        if ordered is None:
            by_value = np.argsort(self.column(fieldname), kind="stable")
            if self.deleted.size:
                by_value = by_value[~_members(by_value, self.deleted)]
            ordered = by_value.tolist()
            self._orders[fieldname] = ordered
        return ordered

    def column(self, fieldname: str) -> npt.NDArray[Any]:
        """A sortable numeric field's value for every document, loaded once."""
        values = self._columns.get(fieldname)
        if values is None:
            if not self.reader.has_column(fieldname):
                raise NotEvaluable(f"no column {fieldname}")
            reader = self.reader.column_reader(fieldname, translate=False)
            values = _numbers(reader, self.size)
            self._columns[fieldname] = values
        return values


class BulkEvaluator:
    """Evaluates queries on one Whoosh searcher (make a new one after a refresh)."""

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher
        self._schema = searcher.schema
        weighting = searcher.weighting
        if type(weighting) is not BM25F or weighting._field_B:
            raise NotEvaluable("only Whoosh's default BM25F scoring is imitated")
        self._b: float = weighting.B
        self._k1: float = weighting.K1
        self._idfs: dict[tuple[str, bytes], float] = {}
        shift = _column_shift(self._schema, "newest")
        self._dates_shift = (
            shift if _column_shift(self._schema, "oldest") == shift else None
        )
        """What the `newest` and `oldest` columns add to a date in seconds
        (None: they cannot answer date ranges)."""
        self._segments = [
            _Segment(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()
        ]
        self._offsets = [segment.offset for segment in self._segments]

    def top(
        self, query: Any, count: int, sort_field: str = "", reverse: bool = False
    ) -> tuple[int, list[tuple[int, float]]]:
        """How many documents match, and the first `count` as (docnum, score).

        By score, best first and, among scores equal to `_SCORE_DIGITS`
        decimals, the lower document number first, as Whoosh's collector
        orders exactly equal ones; or by the values of the sortable numeric field
        `sort_field`, as Whoosh's `sortedby` does.
        """
        if sort_field and _is_everything(query):
            return self._everything_sorted(count, sort_field, reverse, query.boost)
        total = 0
        matched: list[tuple[Any, int, float]] = []
        for segment in self._segments:
            if not segment.size:
                # An empty index's reader has no columns or lengths to read.
                continue
            found = self._scores(query, segment, None).without(segment.deleted)
            total += found.ids.size
            if not found.ids.size or count <= 0:
                continue
            ids = (found.ids + segment.offset).tolist()
            scores = found.scores.tolist()
            if sort_field:
                keys = segment.column(sort_field)[found.ids]
                keep = _contenders(keys, count, largest=reverse).tolist()
                key_list = keys.tolist()
                matched.extend((key_list[at], ids[at], scores[at]) for at in keep)
            else:
                # Scores equal but for rounding (the same terms added in
                # another order) are equal: the lower document number first.
                keep = _contenders(
                    found.scores, count, largest=True, slack=_SCORE_STEP
                ).tolist()
                matched.extend(
                    (-round(scores[at], _SCORE_DIGITS), ids[at], scores[at])
                    for at in keep
                )
        pick = heapq.nlargest if reverse else heapq.nsmallest
        return total, [(docnum, score) for _, docnum, score in pick(count, matched)]

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """A document's stored fields, as `Searcher.stored_fields` gives them
        less its check of each field against the schema (a third of the
        time; newsdesk changes its schema only with a rebuild)."""
        segment = self._segments[bisect.bisect_right(self._offsets, docnum) - 1]
        per_document = getattr(segment.reader, "_perdoc", None)
        if per_document is None:
            return self._searcher.stored_fields(docnum)  # type: ignore[no-any-return]
        return per_document.stored_fields(docnum - segment.offset)  # type: ignore[no-any-return]

    def _everything_sorted(
        self, count: int, sort_field: str, reverse: bool, score: float
    ) -> tuple[int, list[tuple[int, float]]]:
        """Every document by a column: the list shown before anything is typed.

        From each segment's documents kept in column order, not by keying and
        ordering 100,000 matches at every empty search."""
        total = 0
        matched: list[tuple[Any, int]] = []
        for segment in self._segments:
            if not segment.size:
                continue
            total += segment.size - segment.deleted.size
            values = segment.column(sort_field)
            ordered = segment.in_order(sort_field)
            if reverse:
                first = ordered[max(0, len(ordered) - count) :][::-1]
            else:
                first = ordered[:count]
            matched.extend(
                (int(values[docnum]), docnum + segment.offset) for docnum in first
            )
        pick = heapq.nlargest if reverse else heapq.nsmallest
        return total, [(docnum, score) for _, docnum in pick(count, matched)]

    def prepare(self, fieldnames: Iterable[str], columns: Iterable[str]) -> None:
        """Compute the norms of `fieldnames` and load `columns` now, not at
        the first search that needs them."""
        for segment in self._segments:
            if not segment.size:
                continue
            for fieldname in fieldnames:
                self._norms(segment, fieldname)
            for column in columns:
                segment.in_order(column)

    def _idf(self, fieldname: str, btext: bytes) -> float:
        """Whoosh's idf, from every segment: computed once per term, not per segment."""
        idf = self._idfs.get((fieldname, btext))
        if idf is None:
            idf = self._idfs[fieldname, btext] = self._searcher.idf(fieldname, btext)
        return idf

    def _norms(self, segment: _Segment, fieldname: str) -> Floats:
        """K1·(1 − B + B·length/average) per document: BM25's length part."""
        norms = segment.norms.get(fieldname)
        if norms is None:
            average = self._searcher.avg_field_length(fieldname) or 1
            b, k1 = self._b, self._k1
            # Lengths are stored as one byte a document, so 256 norms cover all.
            per_byte = np.array(
                [
                    k1 * ((1 - b) + b * byte_to_length(byte) / average)
                    for byte in range(256)
                ],
                np.float64,
            )
            norms = per_byte[_length_bytes(segment.reader, fieldname)]
            segment.norms[fieldname] = norms
        return norms

    def _term(
        self,
        segment: _Segment,
        fieldname: str,
        text: Any,
        boost: float,
        within: _Wanted | None,
    ) -> Scores:
        btext = self._btext(fieldname, text)
        if btext is None:
            return _NOTHING
        found = _postings(segment, fieldname, btext, within)
        return self._scored(segment, fieldname, btext, found, boost)

    def _btext(self, fieldname: str, text: Any) -> bytes | None:
        """A term's text as its field indexes it; None when no document can
        hold it (no such field, or a value the field cannot take)."""
        if fieldname not in self._schema:
            return None
        try:
            return self._schema[fieldname].to_bytes(text)  # type: ignore[no-any-return]
        except ValueError:
            return None

    def _scored(
        self,
        segment: _Segment,
        fieldname: str,
        btext: bytes,
        found: _Postings,
        boost: float,
    ) -> Scores:
        """BM25 as Whoosh's `bm25()` computes it, with the length part looked up."""
        if not found.ids.size:
            return _NOTHING
        weights = found.weights
        if not self._schema[fieldname].scorable:
            return Scores(found.ids, weights * boost)
        factor = self._idf(fieldname, btext) * (self._k1 + 1) * boost
        norms = self._norms(segment, fieldname)[found.ids]
        return Scores(found.ids, factor * weights / (weights + norms))

    def _scores(self, query: Any, segment: _Segment, within: _Wanted | None) -> Scores:
        """The documents of `segment` that `query` matches, with their scores.

        `within`, when given, holds every document the caller will keep: a
        query may skip expensive checks of the others (the result may still
        hold some)."""
        kind = type(query)
        if kind is wq.Term:
            return self._term(segment, query.fieldname, query.text, query.boost, within)
        if kind is wq.Or:
            if query.minmatch or query.scale:
                raise NotEvaluable("Or with minmatch or scale")
            return self._union(query.subqueries, segment, within).boosted(query.boost)
        if kind is wq.And:
            scores = self._intersection(query.subqueries, segment, within)
            return scores.boosted(query.boost)
        if kind is wq.AndNot:
            scores = self._scores(query.a, segment, within)
            return scores.without(self._docs(query.b, segment, _Wanted(scores.ids)))
        if kind is wq.AndMaybe:
            scores = self._scores(query.a, segment, within)
            maybe = self._scores(query.b, segment, _Wanted(scores.ids))
            in_scores, in_maybe = _common(scores.ids, maybe.ids)
            added = scores.scores.copy()
            added[in_scores] += maybe.scores[in_maybe]
            return Scores(scores.ids, added)
        if kind is wq.Phrase:
            return self._phrase(query, segment, within)
        if kind is ConstantScoreQuery:
            child = self._docs(query.child, segment, within)
            return Scores.constant(child, query.score)
        if kind is DateRange and query.constantscore:
            return Scores.constant(self._dated(query, segment, within), query.boost)
        if isinstance(query, NumericRange):
            return self._scores(query._compile_query(segment.reader), segment, within)
        if _is_everything(query):
            return Scores.constant(np.arange(segment.size, dtype=np.int64), query.boost)
        if kind is type(wq.NullQuery):
            return _NOTHING
        raise NotEvaluable(kind.__name__)

    def _docs(self, query: Any, segment: _Segment, within: _Wanted | None) -> Ids:
        """The documents a query matches, when their scores do not matter."""
        if type(query) is wq.TermRange:
            return _any_of(
                segment,
                [
                    _postings(segment, query.fieldname, btext, within).ids
                    for btext in query._btexts(segment.reader)
                ],
            )
        if type(query) is wq.Or and not query.minmatch:
            return _any_of(
                segment, [self._docs(sub, segment, within) for sub in query.subqueries]
            )
        return self._scores(query, segment, within).ids

    def _dated(self, query: Any, segment: _Segment, within: _Wanted | None) -> Ids:
        """The documents whose date is in a date range.

        Read from the `newest` and `oldest` columns (the date in whole
        seconds; equal only for dated articles, see `store.article_document`)
        when the range is in whole seconds since 1970, as the query parser
        makes them: a range expands to about 70 index terms a segment, whose
        lookups cost more than the search. Otherwise from the index terms."""
        bounds = _whole_seconds(query)
        shift = self._dates_shift
        if query.fieldname != "date" or bounds is None or shift is None:
            return self._docs(query._compile_query(segment.reader), segment, within)
        newest, oldest = segment.column("newest"), segment.column("oldest")
        if within is not None:
            newest, oldest = newest[within.ids], oldest[within.ids]
        # The bounds kept within the column's type, which holds every value.
        limits = np.iinfo(newest.dtype)
        low = max(limits.min, min(limits.max, bounds[0] + shift))
        high = max(limits.min, min(limits.max, bounds[1] + shift))
        dated = (newest >= low) & (newest <= high) & (oldest == newest)
        found = np.flatnonzero(dated)
        return found if within is None else within.ids[found]

    def _union(
        self, subqueries: list[Any], segment: _Segment, within: _Wanted | None
    ) -> Scores:
        parts = sorted(
            (self._scores(sub, segment, within) for sub in subqueries),
            key=lambda part: part.ids.size,
            reverse=True,
        )
        parts = [part for part in parts if part.ids.size]
        if len(parts) <= 1:
            return parts[0] if parts else _NOTHING
        # Summed in a row as long as the segment, largest part first: the
        # additions Whoosh makes, in the same order.
        sums = np.zeros(segment.size, np.float64)
        matched = np.zeros(segment.size, np.bool_)
        for part in parts:
            sums[part.ids] += part.scores
            matched[part.ids] = True
        ids = np.flatnonzero(matched)
        return Scores(ids, sums[ids])

    def _intersection(
        self, subqueries: list[Any], segment: _Segment, within: _Wanted | None
    ) -> Scores:
        negative = [sub for sub in subqueries if type(sub) is wq.Not]
        positive = [sub for sub in subqueries if type(sub) is not wq.Not]
        if not positive:
            raise NotEvaluable("And of only Nots")
        reader = segment.reader

        def order(sub: Any) -> tuple[bool, int]:
            # The rarest part first: the others then read only the blocks
            # holding its documents. Phrases and ranges are cheaper to check
            # against those documents than to evaluate alone: they go last.
            if _checked_late(sub):
                return True, 0
            if type(sub) is wq.Term:
                btext = self._btext(sub.fieldname, sub.text)
                if btext is not None:
                    return False, segment.doc_frequency(sub.fieldname, btext)
            return False, sub.estimate_size(reader)

        scores: Scores | None = None
        for sub in sorted(positive, key=order):
            part = self._scores(sub, segment, within)
            if scores is None:
                scores = part
            else:
                in_scores, in_part = _common(scores.ids, part.ids)
                scores = Scores(
                    scores.ids[in_scores],
                    scores.scores[in_scores] + part.scores[in_part],
                )
            if not scores.ids.size:
                return _NOTHING
            within = _Wanted(scores.ids)
        assert scores is not None
        for sub in negative:
            scores = scores.without(self._docs(sub.query, segment, within))
            # Whoosh's inverse matcher gives every document it lets through a
            # score of 1, whatever the Not's boost.
            scores = Scores(scores.ids, scores.scores + 1.0)
        return scores

    def _phrase(self, query: Any, segment: _Segment, within: _Wanted | None) -> Scores:
        fieldname = query.fieldname
        if fieldname not in self._schema:
            return _NOTHING
        field = self._schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise NotEvaluable("phrase on a field without positions")
        if query.slop != 1:
            raise NotEvaluable("phrase with slop")
        try:
            btexts = [field.to_bytes(word) for word in query.words]
        except ValueError:
            return _NOTHING
        if not btexts:
            return _NOTHING
        # The rarest word first; the others are read only where it occurs,
        # each once, keeping what gives their positions for the check below.
        terms: dict[bytes, Scores] = {}
        found: dict[bytes, _Postings] = {}
        for btext in sorted(set(btexts), key=partial(segment.doc_frequency, fieldname)):
            postings = _postings(segment, fieldname, btext, within, with_positions=True)
            if not postings.ids.size:
                return _NOTHING
            found[btext] = postings
            terms[btext] = self._scored(segment, fieldname, btext, postings, 1.0)
            # Read only where the words before it are, so where all of them are.
            within = _Wanted(postings.ids)
        assert within is not None
        candidates = within.ids
        # Where the phrase could start, as (candidate << 32) | position: the
        # first word's positions, less those not followed by the next word
        # one place on, and so on.
        starts: Ids | None = None
        for step, btext in enumerate(btexts):
            postings = found[btext]
            owners, positions = postings.positions(
                np.searchsorted(postings.ids, candidates)
            )
            keys = (owners << _POSITION_BITS) + positions - step
            keys = keys[positions >= step]
            starts = keys if starts is None else starts[_members(starts, np.sort(keys))]
            if not starts.size:
                return _NOTHING
        assert starts is not None
        docs = candidates[np.unique(starts >> _POSITION_BITS)]
        total = np.zeros(docs.size, np.float64)
        for btext in btexts:
            scored = terms[btext]
            total += scored.scores[np.searchsorted(scored.ids, docs)]
        return Scores(docs, total).boosted(query.boost)


def _column_shift(schema: Any, fieldname: str) -> int | None:
    """What a numeric field adds to its values in its column (signed
    numbers are stored unsigned), or None if it is not such a field."""
    if fieldname not in schema:
        return None
    field = schema[fieldname]
    if not isinstance(field, NUMERIC) or field.column_type is None:
        return None
    shift = int(field.to_column_value(0))
    return shift if field.to_column_value(1) == shift + 1 else None


def _any_of(segment: _Segment, parts: list[Ids]) -> Ids:
    """The documents in any of `parts`."""
    parts = [part for part in parts if part.size]
    if len(parts) <= 1:
        return parts[0] if parts else _NO_IDS
    matched = np.zeros(segment.size, np.bool_)
    for part in parts:
        matched[part] = True
    return np.flatnonzero(matched)


def _contenders(
    keys: npt.NDArray[Any], count: int, largest: bool, slack: float = 0
) -> Ids:
    """The places of the keys that may be among the first `count`: those at
    least as good as the count-th best, ties (within `slack`) included.
    Ordering only these is much cheaper than ordering thousands of matches."""
    if keys.size <= count:
        return np.arange(keys.size, dtype=np.int64)
    if largest:
        cut = np.partition(keys, keys.size - count)[keys.size - count]
        return np.flatnonzero(keys >= cut - slack if slack else keys >= cut)
    cut = np.partition(keys, count - 1)[count - 1]
    return np.flatnonzero(keys <= cut + slack if slack else keys <= cut)


def _is_everything(query: Any) -> bool:
    return type(query) is wq.Every and query.fieldname in (None, "", "*")


def _checked_late(query: Any) -> bool:
    return type(query) in (wq.Phrase, DateRange, ConstantScoreQuery) or isinstance(
        query, NumericRange
    )


def _whole_seconds(query: Any) -> tuple[int, int] | None:
    """A date range's bounds as whole Unix seconds, when that is exact."""
    if query.startexcl or query.endexcl:
        return None
    # Whoosh holds the bounds as microseconds since year 1.
    start = None if query.start is None else query.start - _EPOCH
    end = None if query.end is None else query.end - _EPOCH
    # A date before 1970 is stored rounded towards zero, not down: only
    # later ranges are exact in whole seconds.
    if start is not None and (start < _SECOND or start % _SECOND):
        return None
    if end is not None and (end < 0 or end % _SECOND != _SECOND - 1):
        return None
    low = -(2**62) if start is None else start // _SECOND
    high = 2**62 if end is None else end // _SECOND
    return low, high
