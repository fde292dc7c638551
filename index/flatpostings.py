"""Each segment's title and body postings as flat arrays, beside Whoosh's blocks.

Whoosh keeps a term's postings in blocks of up to 128, each a zlib-compressed
pickle of (document numbers, weights, encoded positions), and every posting's
positions are a pickle of their own. Reading a block costs about a
microsecond a posting before anything is scored: most of a search for common
words at 100,000 articles (profiled). A `.flat` file beside the segment holds
the same postings of the searched fields as plain arrays: document number
gaps, position counts and positions, each in the narrowest unsigned type
that holds a term's values. Reading a term is one slice of a memory map,
which the evaluator views as a NumPy array (this module needs only the
standard library: a build's processes never import NumPy).

The file is written with the segment (`FlatPostingsWriter`, fed by the
build's `TermPool`) and named after it, so Whoosh deletes it with the
segment. Whoosh's files stay complete: a segment without a `.flat` file (one
Whoosh wrote or merged itself), a term the file does not hold, a file that
is unfinished, or a term whose checksum fails is read from Whoosh's blocks
as before.

Layout, little-endian: `MAGIC`; each term's gaps, counts and positions; the
directory (marshal: field → term texts, a table of `_ROW` integers per term
and a weight factor per term); the directory's offset and `END`.
"""

from __future__ import annotations

import marshal
import mmap
import os
import struct
import sys
import zlib
from array import array
from itertools import repeat
from operator import mul, sub
from typing import IO, NamedTuple

__all__ = ["EXTENSION", "FlatPostings", "FlatPostingsWriter", "FlatTerm", "flat_path"]

EXTENSION = ".flat"
MAGIC = b"NDFLAT1\n"
END = b"NDFLATOK"
_TRAILER = struct.Struct("<Q8s")
_TYPECODES = "BHI"
"""The unsigned types a term's values are kept in, narrowest first."""
_ROW = 6
"""Directory integers per term: offset, postings, positions, type codes, and
the CRC-32 of its postings (gaps and counts) and of its positions."""

_SIZES = tuple(array(code).itemsize for code in _TYPECODES)
assert _SIZES == (1, 2, 4), _SIZES
_SWAP = sys.byteorder != "little"
_ARRAY_TYPES = tuple(f"<u{size}" for size in _SIZES)
"""`_TYPECODES` as the little-endian array types the file holds, spelt as
NumPy spells them."""


def _narrowest(values: array[int]) -> int:
    """The index in `_TYPECODES` of the narrowest type that holds `values`."""
    largest = max(values, default=0)
    return 0 if largest < 1 << 8 else 1 if largest < 1 << 16 else 2


def _packed(codes: tuple[int, int, int]) -> int:
    """A term's three type codes (gaps, counts, positions) as one integer."""
    return codes[0] * 9 + codes[1] * 3 + codes[2]


def _as(code: int, values: array[int]) -> bytes:
    narrowed = array(_TYPECODES[code], values)
    if _SWAP:
        narrowed.byteswap()
    return narrowed.tobytes()


class FlatPostingsWriter:
    """Writes one segment's `.flat` file, a term at a time in term order."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._offset = len(MAGIC)
        self._fields: dict[str, tuple[list[bytes], array[int], array[float]]] = {}
        stream.write(MAGIC)

    def add(
        self,
        fieldname: str,
        btext: bytes,
        docs: array[int],
        weights: array[float],
        counts: array[int],
        positions: array[int],
    ) -> bool:
        """Keep a term's postings: document numbers in order, their weights
        (a position count times one factor) and their positions. A term whose
        weights or positions do not fit that shape is left out (Whoosh's
        blocks serve it); returns whether it was kept."""
        if not docs or not counts[0] or len(positions) != sum(counts):
            return False
        factor = weights[0] / counts[0]
        if array("d", map(mul, counts, repeat(factor))) != weights:
            return False
        gaps = array("I", docs[:1])
        gaps.extend(map(sub, docs[1:], docs[:-1]))
        codes = (_narrowest(gaps), _narrowest(counts), _narrowest(positions))
        postings = _as(codes[0], gaps) + _as(codes[1], counts)
        places = _as(codes[2], positions)
        terms, table, factors = self._fields.setdefault(
            fieldname, ([], array("q"), array("d"))
        )
        terms.append(btext)
        table.extend(
            (
                self._offset,
                len(docs),
                len(positions),
                _packed(codes),
                zlib.crc32(postings),
                zlib.crc32(places),
            )
        )
        factors.append(factor)
        self._stream.write(postings)
        self._stream.write(places)
        self._offset += len(postings) + len(places)
        return True

    def finish(self) -> None:
        """Write the directory and the end mark (the caller closes the stream)."""
        directory = {
            fieldname: (terms, table.tobytes(), factors.tobytes())
            for fieldname, (terms, table, factors) in self._fields.items()
        }
        self._stream.write(marshal.dumps(directory))
        self._stream.write(_TRAILER.pack(self._offset, END))


class FlatTerm(NamedTuple):
    """One term's postings in a segment, as read from its `.flat` file: the
    arrays are little-endian unsigned integers of the types in `types`."""

    gaps: memoryview
    """Document numbers, ascending (deleted documents included), as gaps:
    the first number, then each number less the one before."""
    counts: memoryview
    """How many times the term occurs in each document."""
    types: tuple[str, str, str]
    """The array types of the gaps, the counts and the positions."""
    factor: float
    """A posting's weight is its count times this."""
    positions_at: int
    """Where the term's positions begin in the file, and end."""
    positions_end: int
    positions_crc: int


class FlatPostings:
    """A segment's `.flat` file, memory-mapped, with its directory loaded.

    The map is released with the object (searchers are short-lived and
    refreshed whole); Whoosh may delete the file meanwhile, which leaves
    the map readable on the systems newsdesk runs on."""

    def __init__(
        self,
        data: mmap.mmap,
        directory: dict[str, dict[bytes, int]],
        tables: dict[str, tuple[array[int], array[float]]],
    ) -> None:
        self._data = data
        self._view = memoryview(data)
        self._directory = directory
        self._tables = tables

    @classmethod
    def open(cls, path: str) -> FlatPostings | None:
        """The file at `path`, or None when it is missing, unfinished or not
        one this code wrote."""
        try:
            with open(path, "rb") as stream:
                data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        try:
            return cls._read(data)
        except (ValueError, EOFError, TypeError, struct.error):
            data.close()
            return None

    @classmethod
    def _read(cls, data: mmap.mmap) -> FlatPostings | None:
        size = len(data)
        if size < len(MAGIC) + _TRAILER.size or data[: len(MAGIC)] != MAGIC:
            return None
        at, end = _TRAILER.unpack(data[size - _TRAILER.size :])
        if end != END or not len(MAGIC) <= at <= size - _TRAILER.size:
            return None
        loaded = marshal.loads(data[at : size - _TRAILER.size])
        directory: dict[str, dict[bytes, int]] = {}
        tables: dict[str, tuple[array[int], array[float]]] = {}
        for fieldname, (terms, table_bytes, factor_bytes) in loaded.items():
            table, factors = array("q"), array("d")
            table.frombytes(table_bytes)
            factors.frombytes(factor_bytes)
            if _SWAP:
                table.byteswap()
                factors.byteswap()
            if len(table) != _ROW * len(terms) or len(factors) != len(terms):
                return None
            directory[fieldname] = {btext: number for number, btext in enumerate(terms)}
            tables[fieldname] = (table, factors)
        return cls(data, directory, tables)

    def _number(self, fieldname: str, btext: bytes) -> int | None:
        """A term's place in its field's directory, or None when this file
        does not hold it."""
        terms = self._directory.get(fieldname)
        return None if terms is None else terms.get(btext)

    def doc_frequency(self, fieldname: str, btext: bytes) -> int | None:
        """How many documents hold a term, or None when this file does not
        hold it."""
        number = self._number(fieldname, btext)
        if number is None:
            return None
        return self._tables[fieldname][0][_ROW * number + 1]

    def term(self, fieldname: str, btext: bytes) -> FlatTerm | None:
        """A term's postings, or None when this file does not hold them."""
        number = self._number(fieldname, btext)
        if number is None:
            return None
        table, factors = self._tables[fieldname]
        row = table[_ROW * number : _ROW * (number + 1)]
        start, count, position_count, codes, postings_crc, positions_crc = row
        codes_of = (codes // 9, codes // 3 % 3, codes % 3)
        split = start + count * _SIZES[codes_of[0]]
        end = split + count * _SIZES[codes_of[1]]
        self._check(start, end, postings_crc)
        return FlatTerm(
            gaps=self._view[start:split],
            counts=self._view[split:end],
            types=(
                _ARRAY_TYPES[codes_of[0]],
                _ARRAY_TYPES[codes_of[1]],
                _ARRAY_TYPES[codes_of[2]],
            ),
            factor=factors[number],
            positions_at=end,
            positions_end=end + position_count * _SIZES[codes_of[2]],
            positions_crc=positions_crc,
        )

    def positions(self, term: FlatTerm) -> memoryview:
        """All of a term's positions, document after document."""
        self._check(term.positions_at, term.positions_end, term.positions_crc)
        return self._view[term.positions_at : term.positions_end]

    def _check(self, start: int, end: int, crc: int) -> None:
        """Raise ValueError unless the file's bytes from `start` to `end`
        are there and their CRC-32 is `crc`."""
        whole = 0 <= start <= end <= len(self._data)
        if not whole or zlib.crc32(self._view[start:end]) != crc:
            raise ValueError("a term's postings in a .flat file are damaged")


def flat_path(folder: str, segment_id: str) -> str:
    """Where a segment's `.flat` file lives."""
    return os.path.join(folder, segment_id + EXTENSION)
