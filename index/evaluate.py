"""Scoring a parsed query over whole posting lists at once.

Whoosh scores one posting at a time: a matcher tree is walked with several
Python method calls per posting, and BM25 looks up the document's field
length through a column reader each time (about 4–5 µs a posting, most of a
search that matches thousands of articles). `BulkEvaluator` reads each
term's postings whole, from the segment's flat postings
(`index.flatpostings`) when the build wrote them, else from Whoosh's blocks
a block at a time; it scores a whole list in one comprehension
against field-length norms computed once per searcher, and combines the
lists with dicts and sets: the same documents, scores and order as Whoosh's
`Searcher.search` (a test compares them query by query), several times faster.

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
import heapq
import struct
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from itertools import accumulate, islice
from typing import Any, NamedTuple

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

_BISECT_BELOW = 16
"""Wanted documents are looked up in a term's postings when they are fewer
than 1/16 of them, else the postings are walked."""

Scores = dict[int, float]
"""A segment's matching document numbers → score."""


class NotEvaluable(Exception):
    """The query has a part this evaluator does not handle."""


class _Wanted:
    """The documents a caller will keep, as a set and in order (made once)."""

    def __init__(self, docs: set[int]) -> None:
        self.docs = docs
        self._ordered: list[int] | None = None

    def any_in(self, low: int, high: int) -> bool:
        """Whether a wanted document is in `low`..`high`, both included."""
        if self._ordered is None:
            self._ordered = sorted(self.docs)
        at = bisect.bisect_left(self._ordered, low)
        return at < len(self._ordered) and self._ordered[at] <= high


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


class _Postings(NamedTuple):
    """A term's postings in one segment: document numbers, weights and, when
    asked for, values in the same order that `positions` turns into the
    positions of that posting."""

    ids: list[int]
    weights: list[float]
    values: list[Any]
    positions: Callable[[Any], Sequence[int]]


def _postings(
    segment: _Segment,
    fieldname: str,
    btext: bytes,
    wanted: _Wanted | None,
    with_values: bool = False,
) -> _Postings:
    """One term's postings in one segment (only the wanted documents', if
    given), deletions kept: from the segment's flat postings when they hold
    the term, else from Whoosh's blocks."""
    if segment.flat is not None:
        try:
            term = segment.flat.term(fieldname, btext)
        except ValueError:
            term = None
        if term is not None:
            return _flat_postings(segment.flat, term, wanted, with_values)
    reader = segment.reader
    decode = _decoder(reader, fieldname) if with_values else _no_positions
    found = _Postings([], [], [], decode)
    matcher = _leaf(reader, fieldname, btext)
    if matcher is None:
        return found
    if type(matcher) is not W3LeafMatcher:
        while matcher.is_active():
            if wanted is None or matcher.id() in wanted.docs:
                found.ids.append(matcher.id())
                found.weights.append(matcher.weight())
                if with_values:
                    found.values.append(matcher.value())
            matcher.next()
        return found
    for block in _blocks(matcher, wanted):
        matcher._read_weights()
        if with_values:
            matcher._read_values()
        if wanted is None:
            found.ids.extend(block)
            found.weights.extend(matcher._weights)
            if with_values:
                found.values.extend(matcher._values)
            continue
        docs = wanted.docs
        for index, docnum in enumerate(block):
            if docnum in docs:
                found.ids.append(docnum)
                found.weights.append(matcher._weights[index])
                if with_values:
                    found.values.append(matcher._values[index])
    return found


def _flat_postings(
    flat: FlatPostings, term: FlatTerm, wanted: _Wanted | None, with_values: bool
) -> _Postings:
    """A term's postings from a `.flat` file; a posting's value is its place
    in the term's postings."""
    ids, counts, factor = term.ids, term.counts, term.factor
    if wanted is None:
        places: Sequence[int] = range(len(ids))
        weights = [factor * count for count in counts]
    else:
        docs = wanted.docs
        if len(docs) * _BISECT_BELOW < len(ids):
            # A few wanted documents among many postings: looked up.
            places = [
                place
                for place in map(partial(bisect.bisect_left, ids), sorted(docs))
                if place < len(ids) and ids[place] in docs
            ]
        else:
            places = [place for place, docnum in enumerate(ids) if docnum in docs]
        ids = [ids[place] for place in places]
        weights = [factor * counts[place] for place in places]
    if not with_values:
        return _Postings(ids, weights, [], _no_positions)
    every = flat.positions(term)
    starts = list(accumulate(counts, initial=0))

    def positions(place: int) -> Sequence[int]:
        return every[starts[place] : starts[place + 1]]

    return _Postings(ids, weights, list(places), positions)


def _no_positions(value: Any) -> Sequence[int]:
    raise ValueError("postings read without their positions")


def _decoder(reader: Any, fieldname: str) -> Callable[[Any], Sequence[int]]:
    """What turns a field's encoded values into positions, if it has them."""
    field_format = getattr(reader.schema[fieldname], "format", None)
    return getattr(field_format, "decode_positions", _no_positions)


def _length_bytes(reader: Any, fieldname: str) -> Iterable[int]:
    """Each document's length in a field, as the one byte the segment stores."""
    doc_count = reader.doc_count_all()
    per_document = getattr(reader, "_perdoc", None)
    if per_document is None:
        raise NotEvaluable("field lengths not readable in bulk")
    column = per_document._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return bytes(doc_count)
    return _numbers(column, doc_count)


def _numbers(column: Any, doc_count: int) -> list[int]:
    """All the values of a numeric column, read in one piece.

    Whoosh's own `load()` reads them one seek at a time (about 150 ms for
    100,000 documents)."""
    if type(column) is not NumericColumn.Reader:
        return list(column)
    typecode = column._typecode
    if array(typecode).itemsize != struct.calcsize("!" + typecode):
        return list(column)
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    if len(raw) != column._count * column._fixedlen:
        raise NotEvaluable("a column file is shorter than its header says")
    values = array(typecode, raw)
    if sys.byteorder == "little":
        # Whoosh writes columns big-endian ("!" structs).
        values.byteswap()
    # Documents after the last one with a value other than the default are
    # not written.
    return values.tolist() + [column._default] * (doc_count - len(values))


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
        self.flat = _open_flat(reader)
        self.deleted: frozenset[int] = (
            reader.deleted_docs_set if reader.has_deletions() else frozenset()
        )
        self.norms: dict[str, list[float]] = {}
        self._columns: dict[str, list[int]] = {}
        self._orders: dict[str, list[int]] = {}

    def in_order(self, fieldname: str) -> list[int]:
        """The document numbers ordered by a column's values, then by number."""
        ordered = self._orders.get(fieldname)
        if ordered is None:
            values = self.column(fieldname)
            ordered = sorted(range(len(values)), key=values.__getitem__)
            self._orders[fieldname] = ordered
        return ordered

    def column(self, fieldname: str) -> list[int]:
        """A sortable numeric field's value for every document, loaded once."""
        values = self._columns.get(fieldname)
        if values is None:
            if not self.reader.has_column(fieldname):
                raise NotEvaluable(f"no column {fieldname}")
            reader = self.reader.column_reader(fieldname, translate=False)
            values = _numbers(reader, self.reader.doc_count_all())
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
        self._segments = [
            _Segment(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()
        ]

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
            if not segment.reader.doc_count_all():
                # An empty index's reader has no columns or lengths to read.
                continue
            scores = self._scores(query, segment, None)
            if segment.deleted:
                for docnum in segment.deleted.intersection(scores):
                    del scores[docnum]
            total += len(scores)
            offset = segment.offset
            if sort_field:
                values = segment.column(sort_field)
                keys = dict(zip(scores, map(values.__getitem__, scores), strict=True))
                keep = _contenders(keys, count, largest=reverse)
                matched.extend(
                    (keys[docnum], docnum + offset, scores[docnum]) for docnum in keep
                )
            else:
                # Scores equal but for rounding (the same terms added in
                # another order) are equal: the lower document number first.
                keep = _contenders(scores, count, largest=True, slack=_SCORE_STEP)
                matched.extend(
                    (-round(score, _SCORE_DIGITS), docnum + offset, score)
                    for docnum in keep
                    for score in (scores[docnum],)
                )
        pick = heapq.nlargest if reverse else heapq.nsmallest
        return total, [(docnum, score) for _, docnum, score in pick(count, matched)]

    def _everything_sorted(
        self, count: int, sort_field: str, reverse: bool, score: float
    ) -> tuple[int, list[tuple[int, float]]]:
        """Every document by a column: the list shown before anything is typed.

        From each segment's documents kept in column order, not by keying and
        ordering 100,000 matches at every empty search (about 90 ms)."""
        total = 0
        matched: list[tuple[Any, int]] = []
        for segment in self._segments:
            if not segment.reader.doc_count_all():
                continue
            total += segment.reader.doc_count_all() - len(segment.deleted)
            values = segment.column(sort_field)
            ordered = segment.in_order(sort_field)
            walk = reversed(ordered) if reverse else iter(ordered)
            first = islice(
                (docnum for docnum in walk if docnum not in segment.deleted), count
            )
            matched.extend(
                (values[docnum], docnum + segment.offset) for docnum in first
            )
        pick = heapq.nlargest if reverse else heapq.nsmallest
        return total, [(docnum, score) for _, docnum in pick(count, matched)]

    def prepare(self, fieldnames: Iterable[str], columns: Iterable[str]) -> None:
        """Compute the norms of `fieldnames` and load `columns` now, not at
        the first search that needs them."""
        for segment in self._segments:
            if not segment.reader.doc_count_all():
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

    def _norms(self, segment: _Segment, fieldname: str) -> list[float]:
        """K1·(1 − B + B·length/average) per document: BM25's length part."""
        norms = segment.norms.get(fieldname)
        if norms is None:
            average = self._searcher.avg_field_length(fieldname) or 1
            b, k1 = self._b, self._k1
            # Lengths are stored as one byte a document, so 256 norms cover all.
            per_byte = [
                k1 * ((1 - b) + b * byte_to_length(byte) / average)
                for byte in range(256)
            ]
            norms = [
                per_byte[byte] for byte in _length_bytes(segment.reader, fieldname)
            ]
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
        if fieldname not in self._schema:
            return {}
        try:
            btext = self._schema[fieldname].to_bytes(text)
        except ValueError:
            return {}
        found = _postings(segment, fieldname, btext, within)
        return self._scored(segment, fieldname, btext, found, boost)

    def _scored(
        self,
        segment: _Segment,
        fieldname: str,
        btext: bytes,
        found: _Postings,
        boost: float,
    ) -> Scores:
        """BM25 as Whoosh's `bm25()` computes it, with the length part looked up."""
        if not found.ids:
            return {}
        pairs = zip(found.ids, found.weights, strict=True)
        if not self._schema[fieldname].scorable:
            return {docnum: weight * boost for docnum, weight in pairs}
        factor = self._idf(fieldname, btext) * (self._k1 + 1) * boost
        norms = self._norms(segment, fieldname)
        return {
            docnum: factor * weight / (weight + norms[docnum])
            for docnum, weight in pairs
        }

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
            return _boosted(self._union(query.subqueries, segment, within), query.boost)
        if kind is wq.And:
            scores = self._intersection(query.subqueries, segment, within)
            return _boosted(scores, query.boost)
        if kind is wq.AndNot:
            scores = self._scores(query.a, segment, within)
            kept = _Wanted(set(scores))
            for docnum in self._docs(query.b, segment, kept).intersection(scores):
                del scores[docnum]
            return scores
        if kind is wq.AndMaybe:
            scores = self._scores(query.a, segment, within)
            kept = _Wanted(set(scores))
            for docnum, score in self._scores(query.b, segment, kept).items():
                if docnum in scores:
                    scores[docnum] += score
            return scores
        if kind is wq.Phrase:
            return self._phrase(query, segment, within)
        if kind is ConstantScoreQuery:
            return dict.fromkeys(self._docs(query.child, segment, within), query.score)
        if kind is DateRange and query.constantscore:
            return dict.fromkeys(self._dated(query, segment, within), query.boost)
        if isinstance(query, NumericRange):
            return self._scores(query._compile_query(segment.reader), segment, within)
        if _is_everything(query):
            return dict.fromkeys(range(segment.reader.doc_count_all()), query.boost)
        if kind is type(wq.NullQuery):
            return {}
        raise NotEvaluable(kind.__name__)

    def _docs(self, query: Any, segment: _Segment, within: _Wanted | None) -> set[int]:
        """The documents a query matches, when their scores do not matter."""
        if type(query) is wq.TermRange:
            found: set[int] = set()
            for btext in query._btexts(segment.reader):
                postings = _postings(segment, query.fieldname, btext, within)
                found.update(postings.ids)
            return found
        if type(query) is wq.Or and not query.minmatch:
            return set().union(
                *(self._docs(sub, segment, within) for sub in query.subqueries)
            )
        return set(self._scores(query, segment, within))

    def _dated(self, query: Any, segment: _Segment, within: _Wanted | None) -> set[int]:
        """The documents whose date is in a date range.

        Read from the `newest` and `oldest` columns (the date in whole
        seconds; equal only for dated articles, see `store.article_document`)
        when the range is in whole seconds since 1970, as the query parser
        makes them: a range expands to about 70 index terms a segment, whose
        lookups cost more than the search. Otherwise from the index terms."""
        bounds = _whole_seconds(query)
        shift = self._column_shift("newest")
        if (
            query.fieldname != "date"
            or bounds is None
            or shift is None
            or self._column_shift("oldest") != shift
        ):
            return self._docs(query._compile_query(segment.reader), segment, within)
        low, high = bounds[0] + shift, bounds[1] + shift
        newest, oldest = segment.column("newest"), segment.column("oldest")
        candidates = range(len(newest)) if within is None else within.docs
        return {
            docnum
            for docnum in candidates
            if low <= newest[docnum] <= high and oldest[docnum] == newest[docnum]
        }

    def _column_shift(self, fieldname: str) -> int | None:
        """What a numeric field adds to its values in its column (signed
        numbers are stored unsigned), or None if it is not such a field."""
        if fieldname not in self._schema:
            return None
        field = self._schema[fieldname]
        if not isinstance(field, NUMERIC) or field.column_type is None:
            return None
        shift = int(field.to_column_value(0))
        return shift if field.to_column_value(1) == shift + 1 else None

    def _union(
        self, subqueries: list[Any], segment: _Segment, within: _Wanted | None
    ) -> Scores:
        parts = sorted(
            (self._scores(sub, segment, within) for sub in subqueries),
            key=len,
            reverse=True,
        )
        if not parts:
            return {}
        # Added into the largest part: its documents need no second pass.
        scores = parts[0]
        for part in parts[1:]:
            for docnum, score in part.items():
                scores[docnum] = scores.get(docnum, 0.0) + score
        return scores

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
            late = _checked_late(sub)
            return late, 0 if late else sub.estimate_size(reader)

        scores: Scores | None = None
        for sub in sorted(positive, key=order):
            part = self._scores(sub, segment, within)
            if scores is None:
                scores = part
            else:
                scores = {
                    docnum: score + part[docnum]
                    for docnum, score in scores.items()
                    if docnum in part
                }
            if not scores:
                return {}
            within = _Wanted(set(scores))
        assert scores is not None
        for sub in negative:
            for docnum in self._docs(sub.query, segment, within).intersection(scores):
                del scores[docnum]
            # Whoosh's inverse matcher gives every document it lets through a
            # score of 1, whatever the Not's boost.
            scores = {docnum: score + 1.0 for docnum, score in scores.items()}
        return scores

    def _phrase(self, query: Any, segment: _Segment, within: _Wanted | None) -> Scores:
        fieldname = query.fieldname
        if fieldname not in self._schema:
            return {}
        field = self._schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise NotEvaluable("phrase on a field without positions")
        if query.slop != 1:
            raise NotEvaluable("phrase with slop")
        try:
            btexts = [field.to_bytes(word) for word in query.words]
        except ValueError:
            return {}
        if not btexts:
            return {}
        reader = segment.reader
        # The rarest word first; the others are read only where it occurs,
        # each once, keeping what gives their positions for the check below.
        terms: dict[bytes, Scores] = {}
        values: dict[bytes, dict[int, Any]] = {}
        positions: dict[bytes, Callable[[Any], Sequence[int]]] = {}
        for btext in sorted(set(btexts), key=partial(reader.doc_frequency, fieldname)):
            found = _postings(segment, fieldname, btext, within, with_values=True)
            if not found.ids:
                return {}
            terms[btext] = self._scored(segment, fieldname, btext, found, 1.0)
            values[btext] = dict(zip(found.ids, found.values, strict=True))
            positions[btext] = found.positions
            docs = set(found.ids)
            within = _Wanted(docs if within is None else within.docs & docs)
        assert within is not None
        scores: Scores = {}
        for docnum in within.docs:
            # Where the phrase could start: the first word's positions, less
            # those not followed by the next word one place on, and so on.
            first = btexts[0]
            starts = set(positions[first](values[first][docnum]))
            for step, btext in enumerate(btexts[1:], start=1):
                if not starts:
                    break
                ahead = positions[btext](values[btext][docnum])
                starts.intersection_update([at - step for at in ahead])
            if starts:
                scores[docnum] = sum(terms[btext][docnum] for btext in btexts)
        return _boosted(scores, query.boost)


def _contenders(
    keys: dict[int, Any], count: int, largest: bool, slack: float = 0
) -> Iterable[int]:
    """The documents that may be among the first `count` by their key: those
    at least as good as the count-th best, ties (within `slack`) included.
    Ordering only these is much cheaper than ordering thousands of matches."""
    if len(keys) <= count:
        return keys
    if count <= 0:
        return ()
    if largest:
        cut = heapq.nlargest(count, keys.values())[-1] - slack
        return [docnum for docnum, key in keys.items() if key >= cut]
    cut = heapq.nsmallest(count, keys.values())[-1] + slack
    return [docnum for docnum, key in keys.items() if key <= cut]


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


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost != 1.0:
        return {docnum: score * boost for docnum, score in scores.items()}
    return scores
