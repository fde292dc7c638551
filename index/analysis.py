"""English stemming analysis for the index, fused into one pass for speed.

Whoosh's `StemmingAnalyzer` is a chain of four generators (tokenize,
lowercase, drop stop words, stem), each run per token in Python; it was the
largest single cost of a build. `FusedStemmingAnalyzer` produces exactly the
same tokens (text and positions) with one regex pass and C-level map and set
operations, and hands every case it does not speed up (character offsets,
kept stop words, query-time options) to the stock chain, so query parsing and
highlighting behave as before. A test compares the two token by token.
"""

from __future__ import annotations

import functools
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from operator import sub
from typing import Any

from whoosh.analysis import StemmingAnalyzer, Token
from whoosh.analysis.analyzers import Analyzer
from whoosh.fields import TEXT
from whoosh.formats import Positions
from whoosh.lang.porter import stem
from whoosh.system import pack_uint

__all__ = [
    "FusedPositions",
    "FusedStemmingAnalyzer",
    "indexed_words",
    "stem_word",
    "stemmed_text",
    "words_of",
]

_STOP_WORDS = StemmingAnalyzer()[2].stops
_MIN_SIZE = 2
# Whoosh's default token pattern, with its group made non-capturing so that
# `findall` returns whole tokens.
_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")


@functools.lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Porter's stem of a lowercased word, cached (the same words recur)."""
    return str(stem(word))


def words_of(text: str) -> list[str]:
    """The words of `text` as the index tokenizes them, lowercased, in order."""
    return list(map(str.lower, _TOKEN.findall(text)))


# The words of the last texts indexed: a build tokenizes each title and body
# for its postings, then again for the words it lists for completion.
_indexed: dict[str, list[str]] = {}
_INDEXED_KEPT = 4


def indexed_words(text: str) -> list[str]:
    """`words_of(text)`, remembered for the text indexed last."""
    words = _indexed.get(text)
    if words is None:
        words = words_of(text)
        if len(_indexed) >= _INDEXED_KEPT:
            _indexed.clear()
        _indexed[text] = words
    return words


class FusedStemmingAnalyzer(Analyzer):  # type: ignore[misc]
    """`StemmingAnalyzer()`'s tokens, computed in one pass when indexing."""

    is_morph = True

    def __init__(self) -> None:
        self._chain = StemmingAnalyzer()

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def has_morph(self) -> bool:
        return True

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        if chars or keeporiginal or not removestops or not tokenize or no_morph:
            return self._chain(  # type: ignore[no-any-return]
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                no_morph=no_morph,
                **kwargs,
            )
        return self._tokens(value, positions, start_pos, mode, kwargs)

    @staticmethod
    def stems(value: str, start_pos: int = 0) -> Iterator[tuple[int, str]]:
        """(position, stem) of every indexed token, as the chain numbers them."""
        words = indexed_words(value)
        kept = [w for w in words if len(w) >= _MIN_SIZE and w not in _STOP_WORDS]
        if not kept:
            return iter(())
        # Whoosh's StopFilter keeps the first kept token's position and numbers
        # the later ones consecutively (stop words leave no gaps after it).
        first = start_pos + words.index(kept[0])
        return enumerate(map(stem_word, kept), start=first)

    def _tokens(
        self,
        value: str,
        positions: bool,
        start_pos: int,
        mode: str,
        kwargs: dict[str, Any],
    ) -> Iterator[Token]:
        token = Token(positions, False, removestops=True, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        for position, text in self.stems(value, start_pos):
            token.text = text
            if positions:
                token.pos = position
            yield token


class FusedPositions(Positions):  # type: ignore[misc]
    """Whoosh's `Positions` format, skipping Token objects for fused analysis."""

    def postings(
        self, value: str, analyzer: FusedStemmingAnalyzer
    ) -> list[tuple[bytes, int, float, bytes, list[int]]]:
        """What `TEXT.index(value)` returns for this format, computed directly
        (term as UTF-8, frequency, weight, encoded positions), and the
        positions themselves."""
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for position, text in analyzer.stems(value):
            positions[text].append(position)
        boost = self.field_boost
        encoded = []
        for text, found in positions.items():
            count = len(found)
            if count == 1:
                value_bytes = _single_position(found[0])
            else:
                # Positions.encode, with the deltas taken in C.
                deltas = [found[0], *map(sub, found[1:], found)]
                value_bytes = pack_uint(count) + pickle.dumps(deltas, 2)
            encoded.append(
                (text.encode("utf-8"), count, count * boost, value_bytes, found)
            )
        return encoded

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterable[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, FusedStemmingAnalyzer) or not isinstance(
            value, str
        ):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for position, text in analyzer.stems(value):
            positions[text].append(position)
        boost = self.field_boost
        for text, found in positions.items():
            yield (text, len(found), len(found) * boost, self.encode(found))


@functools.lru_cache(maxsize=65_536)
def _single_position(position: int) -> bytes:
    """`Positions().encode([position])`: most words occur once in a document."""
    encoded: bytes = pack_uint(1) + pickle.dumps([position], 2)
    return encoded


def stemmed_text(*, stored: bool = False, field_boost: float = 1.0) -> TEXT:
    """A TEXT field with positions (for phrases) and fused stemming analysis."""
    field = TEXT(
        analyzer=FusedStemmingAnalyzer(), stored=stored, field_boost=field_boost
    )
    field.format = FusedPositions(field_boost=field_boost)
    return field
