"""A worker's postings, kept term by term in arrays and written as whole blocks.

Whoosh's `PostingPool` sorts every posting (field, term, document, weight,
value) as a Python tuple: past its memory limit it pickles sorted runs to disk
one posting at a time and merges them back through a heap, and its field
writer then takes the postings one call at a time. That was about 40 % of a
worker's time. A worker adds its documents in order, so each term's postings
arrive sorted by document already: `TermPool` appends them to the term's
arrays, sorts only the terms, and `finalize_segment` hands Whoosh's own
posting writer a block at a time, so the segment files are byte for byte
those `SegmentWriter._finalize_segment` writes (a test compares them).
"""

from __future__ import annotations

import heapq
import marshal
import os
import struct
from array import array
from collections.abc import Iterable, Iterator
from contextlib import suppress
from itertools import accumulate
from operator import itemgetter
from typing import Any

from .analysis import FusedPositions, FusedStemmingAnalyzer
from .flatpostings import EXTENSION, FlatPostingsWriter

__all__ = [
    "TermPool",
    "add_document",
    "finalize_segment",
    "use_term_pool",
    "write_missing_flat_postings",
]

# What `TermPool` counts against its limit: a posting's document number,
# weight, value length and position count (plus the value itself and four
# bytes a position), and a term's dict entry and six arrays (measured: about
# 420 bytes with four arrays, with their headroom).
_POSTING_BYTES = 20
_POSITION_BYTES = 4
_TERM_BYTES = 600
# Terms per record in a run written to disk: records are read back one at a
# time, so a run costs this many terms of memory while runs are merged.
_RUN_RECORD_TERMS = 2048
_LENGTH = struct.Struct("<Q")

# One term's postings: document numbers, weights, value lengths, values,
# position counts and positions (both empty for fields without positions).
_Postings = tuple[
    "array[int]", "array[float]", "array[int]", bytearray, "array[int]", "array[int]"
]
# A term with its postings, as runs and the in-memory pool yield them.
_Row = tuple[str, bytes, Any, Any, Any, Any, Any, Any]


class TermPool:
    """Stands in for a `SegmentWriter`'s posting pool when documents are only
    added (never a reader merged): postings kept per term, in document order.

    Past `limitmb` the terms are written to a sorted run in the writer's
    temporary storage, as `PostingPool` does; `rows` merges the runs back term
    by term."""

    def __init__(self, tempstore: Any, limitmb: float) -> None:
        self._tempstore = tempstore
        self._limit = int(limitmb * 1024 * 1024)
        self._size = 0
        self._fields: dict[str, dict[bytes, _Postings]] = {}
        self._runs: list[str] = []
        self._last_docnum = -1

    def _terms_for(self, fieldname: str, docnum: int) -> dict[bytes, _Postings]:
        """A field's terms, for postings of `docnum`: documents come in order,
        so each term's postings stay sorted without sorting."""
        if docnum < self._last_docnum:
            raise ValueError("TermPool takes postings in document order")
        self._last_docnum = docnum
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._terms_for(fieldname, docnum)
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = _empty_postings()
            self._size += _TERM_BYTES + len(tbytes)
        docs, weights, lengths, values, counts, _ = postings
        docs.append(docnum)
        weights.append(weight)
        # Its count is unknown: `FlatPostingsWriter` leaves the term out.
        counts.append(0)
        if vbytes:
            lengths.append(len(vbytes))
            values += vbytes
            self._size += _POSTING_BYTES + len(vbytes)
        else:
            lengths.append(0)
            self._size += _POSTING_BYTES
        if self._size > self._limit:
            self._spill()

    def add_field(
        self,
        fieldname: str,
        docnum: int,
        items: Iterable[tuple[bytes, int, float, bytes | None, list[int] | None]],
        fieldboost: float,
        scorable: bool,
    ) -> int:
        """`add` for each of a field's (term, frequency, weight, value,
        positions or None) in one document, as `SegmentWriter.add_document`
        adds them; returns the field's length in the document."""
        terms = self._terms_for(fieldname, docnum)
        length = size = 0
        for tbytes, freq, weight, vbytes, found in items:
            if scorable:
                length += freq
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = _empty_postings()
                size += _TERM_BYTES + len(tbytes)
            docs, weights, lengths, values, counts, positions = postings
            docs.append(docnum)
            weights.append(weight * fieldboost)
            counts.append(freq)
            if found is not None:
                positions.extend(found)
                size += _POSITION_BYTES * len(found)
            if vbytes:
                lengths.append(len(vbytes))
                values += vbytes
                size += _POSTING_BYTES + len(vbytes)
            else:
                lengths.append(0)
                size += _POSTING_BYTES
        self._size += size
        if self._size > self._limit:
            self._spill()
        return length

    def _memory_rows(self) -> Iterator[_Row]:
        fields = self._fields
        for fieldname in sorted(fields):
            terms = fields[fieldname]
            for tbytes in sorted(terms):
                yield fieldname, tbytes, *terms[tbytes]

    def _spill(self) -> None:
        # Both workers write runs into the same temporary folder.
        name = f"{os.getpid()}-{len(self._runs)}.terms"
        stream = self._tempstore.create_file(name)
        try:
            record: list[tuple[Any, ...]] = []
            for fieldname, tbytes, *postings in self._memory_rows():
                record.append((fieldname, tbytes, *(bytes(part) for part in postings)))
                if len(record) >= _RUN_RECORD_TERMS:
                    _write_record(stream, record)
                    record = []
            if record:
                _write_record(stream, record)
        finally:
            stream.close()
        self._runs.append(name)
        self._fields = {}
        self._size = 0

    def _run_rows(self, name: str) -> Iterator[_Row]:
        stream = self._tempstore.open_file(name).raw_file()
        try:
            while header := stream.read(_LENGTH.size):
                (size,) = _LENGTH.unpack(header)
                yield from marshal.loads(stream.read(size))
        finally:
            stream.close()

    def rows(self) -> Iterator[_Row]:
        """Every term in (field, term) order with all its postings."""
        if not self._runs:
            yield from self._memory_rows()
            return
        streams = [self._run_rows(name) for name in self._runs]
        streams.append(self._memory_rows())
        # heapq.merge is stable: a term's parts come in run order, which is
        # document order.
        merged = heapq.merge(*streams, key=itemgetter(0, 1))
        current: list[Any] | None = None
        for fieldname, tbytes, *parts in merged:
            if current is not None and current[0] == fieldname and current[1] == tbytes:
                for whole, part in zip(current[2:], parts, strict=True):
                    _extend(whole, part)
                continue
            if current is not None:
                yield tuple(current)
            current = [fieldname, tbytes, *_empty_postings()]
            for whole, part in zip(current[2:], parts, strict=True):
                _extend(whole, part)
        if current is not None:
            yield tuple(current)

    def cleanup(self) -> None:
        for name in self._runs:
            with suppress(OSError):
                self._tempstore.delete_file(name)
        self._runs = []
        self._fields = {}


def _empty_postings() -> _Postings:
    return array("I"), array("d"), array("I"), bytearray(), array("I"), array("I")


def _extend(whole: Any, part: Any) -> None:
    if isinstance(whole, array) and not isinstance(part, array):
        whole.frombytes(part)
    else:
        whole += part


def _write_record(stream: Any, record: list[tuple[Any, ...]]) -> None:
    data = marshal.dumps(record)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def _field_lengths(pdr: Any, fieldname: str, doc_count: int) -> list[int]:
    """Each document's length in `fieldname` as the field writer is given it:
    read back from the length column, so rounded as the column stores it."""
    lengths = pdr.doc_field_length
    return [lengths(docnum, fieldname) or 0 for docnum in range(doc_count)]


def _values(lengths: array[int], values: bytearray) -> list[bytes]:
    data = bytes(values)
    ends = list(accumulate(lengths))
    starts = [0, *ends[:-1]]
    return [data[start:end] for start, end in zip(starts, ends, strict=True)]


def _add_term(
    postwriter: Any,
    docs: array[int],
    weights: array[float],
    values: list[bytes],
    field_lengths: list[int],
    direct: bool,
) -> None:
    """Give `postwriter` one term's postings, as `add_posting` calls would."""
    if not direct:
        for docnum, weight, value, length in zip(
            docs, weights, values, (field_lengths[d] for d in docs), strict=True
        ):
            postwriter.add_posting(docnum, weight, value, length)
        return
    # What `add_posting` collects, a block at a time: it writes a full block
    # before adding the posting that follows it, and `finish_postings` (the
    # caller's `finish_term`) writes the last one.
    limit = postwriter._blocklimit
    count = len(docs)
    for start in range(0, count, limit):
        end = min(start + limit, count)
        ids = docs[start:end]
        block_weights = weights[start:end]
        lengths = [field_lengths[d] for d in ids]
        postwriter._ids = ids
        postwriter._weights = array("f", block_weights)
        postwriter._values = [value for value in values[start:end] if value]
        postwriter._maxweight = max(0, max(block_weights))
        postwriter._minlength = min(filter(None, lengths), default=None)
        postwriter._maxlength = max(0, max(lengths))
        if end < count:
            postwriter._write_block()


def add_document(writer: Any, fields: dict[str, Any]) -> None:
    """`writer.add_document(**fields)` for a writer whose pool is a `TermPool`:
    the same stored values, lengths and columns, each field's postings handed
    to the pool together (no spelling or vector fields)."""
    writer._check_state()
    pool: TermPool = writer.pool
    perdocwriter = writer.perdocwriter
    schema = writer.schema
    docnum = writer.docnum
    docboost = writer._doc_boost(fields)
    fieldnames = sorted([name for name in fields if not name.startswith("_")])
    writer._check_fields(schema, fieldnames)
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            if field.separate_spelling() or field.vector:
                raise ValueError(f"{fieldname}: TermPool takes no spelling or vectors")
            length = 0
            if field.indexed:
                fieldboost = writer._field_boost(fields, fieldname, docboost)
                items: Iterable[tuple[bytes, int, float, bytes, list[int] | None]]
                if (
                    isinstance(field.format, FusedPositions)
                    and isinstance(field.analyzer, FusedStemmingAnalyzer)
                    and isinstance(value, str)
                ):
                    items = field.format.postings(value, field.analyzer)
                else:
                    items = (
                        (tbytes, freq, weight, vbytes, None)
                        for tbytes, freq, weight, vbytes in field.index(value)
                    )
                length = pool.add_field(
                    fieldname, docnum, items, fieldboost, field.scorable
                )
            customval = fields.get(f"_stored_{fieldname}", value)
            stored = customval if field.stored else None
            perdocwriter.add_field(fieldname, field, stored, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(
                    fieldname, column, field.to_column_value(customval)
                )
    except ValueError:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1


def finalize_segment(writer: Any) -> Any:
    """`writer._finalize_segment()` for a writer whose pool is a `TermPool`,
    plus the segment's `.flat` file of its title and body postings."""
    from whoosh.codec.whoosh3 import W3PostingsWriter

    pool: TermPool = writer.pool
    flat_fields = {
        name
        for name, field in writer.schema.items()
        if isinstance(field.format, FusedPositions)
    }
    writer.perdocwriter.close()
    pdr = writer.per_document_reader() if writer.codec.length_stats else None
    doc_count = writer.docnum
    fieldwriter = writer.fieldwriter
    schema = writer.schema
    lastfn: str | None = None
    field_lengths: list[int] = []
    direct = False
    flat_name = writer.newsegment.make_filename(EXTENSION)
    with writer.storage.create_file(flat_name).raw_file() as stream:
        flat = FlatPostingsWriter(stream)
        for fieldname, tbytes, docs, weights, lengths, values, *found in pool.rows():
            if fieldname != lastfn:
                if lastfn is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lastfn = fieldname
                field_lengths = (
                    _field_lengths(pdr, fieldname, doc_count)
                    if pdr is not None
                    else [0] * doc_count
                )
                direct = type(fieldwriter._postwriter) is W3PostingsWriter
            fieldwriter.start_term(tbytes)
            _add_term(
                fieldwriter._postwriter,
                docs,
                weights,
                _values(lengths, values),
                field_lengths,
                direct,
            )
            fieldwriter.finish_term()
            if fieldname in flat_fields:
                flat.add(fieldname, tbytes, docs, weights, *found)
        if lastfn is not None:
            fieldwriter.finish_field()
        fieldwriter.close()
        flat.finish()
    if pdr is not None:
        pdr.close()
    writer._close_segment()
    writer._assemble_segment()
    return writer.get_segment()


def write_missing_flat_postings(whoosh_ix: Any) -> None:
    """Write the `.flat` file of each segment that has none: those Whoosh
    wrote itself (the writer's own segment of a small update, and merges of
    small segments, which read postings in term order, not document order as
    a `TermPool` takes them). Without one, every search reads the segment's
    postings from Whoosh's blocks: a 100-article segment cost a quarter of a
    search at 100,000 articles.

    Read from the segment's blocks, deleted documents included as in
    Whoosh's; written under another name and renamed when complete. Best
    effort: the update has committed and the index is complete without
    these files, so nothing that goes wrong here fails it (a full disk,
    damaged blocks, memory); such a segment is read from Whoosh's blocks."""
    storage = whoosh_ix.storage
    schema = whoosh_ix.schema
    flat_fields = [
        name
        for name, field in schema.items()
        if isinstance(field.format, FusedPositions)
    ]
    writing: str | None = None
    try:
        with whoosh_ix.reader() as reader:
            for segment_reader, _ in reader.leaf_readers():
                segment = segment_reader.segment()
                if segment is None or not segment_reader.doc_count_all():
                    continue
                name = segment.make_filename(EXTENSION)
                if storage.file_exists(name):
                    continue
                writing = os.path.join(storage.folder, name + ".writing")
                with open(writing, "wb") as stream:
                    flat = FlatPostingsWriter(stream)
                    for fieldname in flat_fields:
                        _add_flat_field(flat, segment_reader, fieldname)
                    flat.finish()
                os.replace(writing, os.path.join(storage.folder, name))
                writing = None
    except Exception:
        if writing is not None:
            with suppress(OSError):
                os.remove(writing)


def _add_flat_field(flat: FlatPostingsWriter, reader: Any, fieldname: str) -> None:
    """Add a field's terms, read in term order: looking each term up by name
    cost 0.1 ms, most of the time for a small segment's 13,000 terms."""
    terms = reader._terms
    field_format = reader.schema[fieldname].format
    decode = field_format.decode_positions
    for btext, terminfo in reader.iter_field(fieldname):
        # Deleted documents stay in, as in Whoosh's blocks: no filter.
        matcher = terms._codec.postings_reader(
            terms._postfile, terminfo, field_format, term=(fieldname, btext)
        )
        docs, weights = array("I"), array("d")
        counts, positions = array("I"), array("I")
        while matcher.is_active():
            found = decode(matcher.value())
            docs.append(matcher.id())
            weights.append(matcher.weight())
            counts.append(len(found))
            positions.extend(found)
            matcher.next()
        flat.add(fieldname, btext, docs, weights, counts, positions)


def use_term_pool(writer: Any, limitmb: float) -> None:
    """Give a new `SegmentWriter` a `TermPool` in place of its `PostingPool`."""
    writer.pool = TermPool(writer._tempstorage, limitmb)
