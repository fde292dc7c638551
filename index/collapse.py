"""Duplicate collapsing: each distinct paragraph once, copies behind markers.

Scrapers paste an article's headline again, repeat a block of paragraphs, or
keep two versions of a paragraph that differ by a word. `collapse` keeps the
first occurrence of every paragraph and replaces each run of consecutive
copies by one `CollapsedRun` that remembers the originals.

What counts as a copy:

* an exact copy once case, whitespace, quotes and dashes are normalised;
* a near copy: rapidfuzz's ratio of the normalised texts reaches
  `NEAR_COPY_THRESHOLD` and only a word or two differ, or one is the other
  with a short tail added;
* never two paragraphs whose numbers differ ("rose 1.2%" vs "rose 1.5%"),
  and never a short line (a dateline, "Advertisement") unless exactly equal.

Comparing all pairs is quadratic (seconds for a few thousand paragraphs), so
exact copies are found by hash and near-copy candidates by a bottom-k sketch
of word shingles (the few smallest shingle hashes, which a near copy mostly
shares), and only those candidates are scored with rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

__all__ = [
    "MAX_ADDED_CHARS",
    "NEAR_COPY_THRESHOLD",
    "SHORT_PARAGRAPH_CHARS",
    "TITLE",
    "CollapsedRun",
    "ReaderView",
    "collapse",
    "marker_text",
    "normalise",
]

NEAR_COPY_THRESHOLD = 90.0
"""rapidfuzz ratio (0-100) from which two paragraphs are the same paragraph.
Measured on the syndicated corpus and the seed: see README, Development."""

SHORT_PARAGRAPH_CHARS = 40
"""Paragraphs shorter than this (normalised) collapse only when exactly equal."""

WORD_EDITS_PER_50_WORDS = 1
"""Beyond two changed words, a near copy may differ by one more word per 50.
Photo captions built around one boilerplate sentence score above the ratio
threshold yet differ in several words: they are distinct paragraphs."""

MAX_ADDED_CHARS = 120
"""The longest tail a near copy may add to the paragraph it repeats."""

TITLE = -1
"""`CollapsedRun.copy_of` value for a copy of the article's title."""

_SHINGLE_WORDS = 3
_SKETCH_SIZE = 8
# A shingle shared by this many paragraphs is boilerplate, not evidence.
_MAX_SHINGLE_POSTINGS = 64
_MAX_CANDIDATES = 8

_PUNCTUATION_MAP = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
    }
)
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")


def marker_text(count: int) -> str:
    """The line the CLI and the reader show where `count` copies were collapsed."""
    noun = "paragraph" if count == 1 else "paragraphs"
    return f"··· {count} repeated {noun} collapsed"


def normalise(paragraph: str) -> str:
    """The form two exact copies share: case, spacing, quotes and dashes unified."""
    return " ".join(_normalised_words(paragraph))


def _normalised_words(paragraph: str) -> list[str]:
    """The words of `normalise(paragraph)`, which is them joined by spaces."""
    if paragraph.isascii():
        # NFKC and the quote map change nothing in ASCII (and cost the most).
        return paragraph.lower().split()
    text = unicodedata.normalize("NFKC", paragraph).casefold()
    return text.translate(_PUNCTUATION_MAP).split()


@dataclass(frozen=True)
class CollapsedRun:
    """Consecutive copies removed from the reader's view, kept for expanding."""

    at: int
    """Index in `ReaderView.paragraphs` before which the marker stands."""
    paragraphs: tuple[str, ...]
    """The removed copies, as the file has them, in order."""
    copy_of: tuple[int, ...]
    """For each copy, the index of the paragraph it repeats (`TITLE` for the title)."""

    @property
    def count(self) -> int:
        return len(self.paragraphs)


@dataclass(frozen=True)
class ReaderView:
    """An article's paragraphs as the reader shows them."""

    paragraphs: tuple[str, ...]
    runs: tuple[CollapsedRun, ...] = ()

    @property
    def collapsed_count(self) -> int:
        """How many paragraphs were removed as copies."""
        return sum(run.count for run in self.runs)

    def runs_at(self, index: int) -> tuple[CollapsedRun, ...]:
        """The markers standing before paragraph `index` (at most one)."""
        return tuple(run for run in self.runs if run.at == index)


def _sketch(words: list[str]) -> list[int]:
    """The smallest hashes of a paragraph's word shingles: near copies share most.

    `words` are a normalised paragraph's: punctuation left on a word only
    counts it as changed."""
    if len(words) < _SHINGLE_WORDS:
        # A one- or two-word paragraph is its only shingle.
        return [hash(tuple(words))] if words else []
    # This is the hot path, so C loops do the work: zip reuses one tuple for
    # every shingle, each is hashed once, and only the smallest few hashes
    # are made distinct (a shingle repeated in the paragraph counts once).
    hashes = sorted(map(hash, zip(words, words[1:], words[2:], strict=False)))
    sketch = hashes[:_SKETCH_SIZE]
    if len(set(sketch)) < len(sketch):
        sketch = sorted(set(hashes))[:_SKETCH_SIZE]
    return sketch


class _Compared:
    """A paragraph's words and numbers, worked out when it is first compared.

    Most paragraphs are never compared with another (no kept paragraph shares
    their sketch), so nothing is computed for them up front."""

    __slots__ = ("_numbers", "_words", "text")

    def __init__(self, text: str, words: list[str] | None = None) -> None:
        self.text = text
        self._words = words
        self._numbers: tuple[str, ...] | None = None

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = self.text.split(" ")
        return self._words

    @property
    def numbers(self) -> tuple[str, ...]:
        if self._numbers is None:
            self._numbers = tuple(_NUMBER.findall(self.text))
        return self._numbers


def _allowed_word_edits(words: int) -> int:
    return 2 + WORD_EDITS_PER_50_WORDS * (words // 50)


@dataclass
class _Matcher:
    threshold: float
    exact: dict[str, int] = field(default_factory=dict)
    """Normalised text → the index of the paragraph it copies (or is)."""
    kept: dict[int, str] = field(default_factory=dict)
    """Index → normalised text, for the paragraphs long enough to compare."""
    first: dict[int, int] = field(default_factory=dict)
    """Sketch key → the first kept paragraph with it. Most keys belong to one
    paragraph only, so the postings of a key start as one int, not a list."""
    more: dict[int, list[int]] = field(default_factory=dict)
    """Sketch key → the later kept paragraphs with it, in order."""
    compared: dict[int, _Compared] = field(default_factory=dict)
    """Index → the kept paragraphs compared so far, words and numbers found."""

    def add(self, index: int, text: str, sketch: list[int] | None) -> None:
        self.exact.setdefault(text, index)
        if sketch is None:
            return
        self.kept[index] = text
        first, more = self.first, self.more
        for key in sketch:
            if key not in first:
                first[key] = index
                continue
            later = more.get(key)
            if later is None:
                more[key] = [index]
            elif len(later) < _MAX_SHINGLE_POSTINGS:
                later.append(index)

    def find(self, words: list[str], text: str, sketch: list[int]) -> int | None:
        """The index of the kept paragraph this one nearly copies, or None."""
        # One shared shingle is a common phrase; a near copy shares most.
        needed = 2 if len(sketch) >= 4 else 1
        # One C call settles the usual case: a paragraph like no other.
        shared_keys = self.first.keys() & sketch
        if len(shared_keys) < needed:
            return None
        shared: dict[int, int] = {}
        for key in sketch:
            if key not in shared_keys:
                continue
            later = self.more.get(key, ())
            # A shingle this many paragraphs share is boilerplate, not evidence.
            if len(later) >= _MAX_SHINGLE_POSTINGS:
                continue
            for index in (self.first[key], *later):
                shared[index] = shared.get(index, 0) + 1
        candidates = sorted(
            (index for index, count in shared.items() if count >= needed),
            key=shared.__getitem__,
            reverse=True,
        )
        new = _Compared(text, words)
        for index in candidates[:_MAX_CANDIDATES]:
            kept = self.compared.get(index)
            if kept is None:
                kept = self.compared[index] = _Compared(self.kept[index])
            if self._same(kept, new):
                return index
        return None

    def _close(self, a: str, b: str, a_words: list[str], b_words: list[str]) -> bool:
        if not fuzz.ratio(a, b, score_cutoff=self.threshold):
            return False
        allowed = _allowed_word_edits(min(len(a_words), len(b_words)))
        return Levenshtein.distance(a_words, b_words, score_cutoff=allowed) <= allowed

    def _same(self, kept: _Compared, new: _Compared) -> bool:
        if kept.numbers == new.numbers and self._close(
            kept.text, new.text, kept.words, new.words
        ):
            return True
        short, long_ = sorted((kept, new), key=lambda item: len(item.text))
        added = len(long_.text) - len(short.text)
        if added > MAX_ADDED_CHARS or added * 2 > len(short.text):
            return False
        # Only a tail: a copy with a different head is usually another
        # photo caption or quote built around the same sentence.
        return short.numbers == long_.numbers[: len(short.numbers)] and self._close(
            short.text,
            long_.text[: len(short.text)],
            short.words,
            long_.words[: len(short.words)],
        )


def collapse(
    paragraphs: Sequence[str],
    title: str | None = None,
    threshold: float = NEAR_COPY_THRESHOLD,
) -> ReaderView:
    """Collapse copied paragraphs; a paragraph repeating `title` is a copy too."""
    matcher = _Matcher(threshold)
    if title:
        words = _normalised_words(title)
        text = " ".join(words)
        long_enough = len(text) >= SHORT_PARAGRAPH_CHARS
        matcher.add(TITLE, text, _sketch(words) if long_enough else None)
    view: list[str] = []
    runs: list[CollapsedRun] = []
    pending: list[str] = []
    pending_of: list[int] = []

    def close_run() -> None:
        if pending:
            runs.append(CollapsedRun(len(view), tuple(pending), tuple(pending_of)))
            pending.clear()
            pending_of.clear()

    for paragraph in paragraphs:
        words = _normalised_words(paragraph)
        text = " ".join(words)
        original = matcher.exact.get(text)
        sketch = None
        if original is None and len(text) >= SHORT_PARAGRAPH_CHARS:
            sketch = _sketch(words)
            original = matcher.find(words, text, sketch)
        if original is None:
            close_run()
            matcher.add(len(view), text, sketch)
            view.append(paragraph)
        else:
            # Later exact copies of this near copy resolve by hash.
            matcher.exact.setdefault(text, original)
            pending.append(paragraph)
            pending_of.append(original)
    close_run()
    return ReaderView(tuple(view), tuple(runs))
