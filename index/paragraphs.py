"""Plain text to paragraphs and a title, in the layouts scrapers produce.

Three layouts are recognised from the text itself:

* paragraphs separated by blank lines (the BBC layout);
* one paragraph per line with few or no blank lines (the seed article);
* hard-wrapped paragraphs, whose lines of similar width run on into the next.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .text import safe_name

__all__ = ["TitledText", "pick_title", "readable_file_name", "split_paragraphs"]

# Lines are hard-wrapped when most lines are at most this wide and many of them
# reach close to the widest one.
_MAX_WRAP_WIDTH = 100
_MIN_WRAP_WIDTH = 40
_FULL_LINE_SHARE = 0.75

_HEADLINE_MAX_CHARS = 160
_HEADLINE_MAX_WORDS = 28
_HEADLINE_WINDOW = 6
_SENTENCE_END = re.compile(r"[.!?:][\"'”’)]*$")
_BYLINE = re.compile(r"^(by|from)\s", re.IGNORECASE)
_DATELINE = re.compile(
    r"^(\w+,?\s+)?(\d{1,2}\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"\w*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}\b|^\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)


def _squash(line: str) -> str:
    # str.split() and the regex `\s` agree on what whitespace is; split is
    # several times faster.
    return " ".join(line.split())


def _is_squashed(line: str) -> bool:
    """Whether `_squash` would leave the line as it is (cheaper to check)."""
    # Printable text holds no whitespace but the plain space.
    return (
        line.isprintable()
        and "  " not in line
        and not line.startswith(" ")
        and not line.endswith(" ")
    )


def _wrap_width(lines: list[str]) -> int | None:
    """The width text was hard-wrapped at, or None when it was not."""
    lengths = [len(line.rstrip()) for line in lines if line.strip()]
    if len(lengths) < 3:
        return None
    widest = max(lengths)
    if widest > _MAX_WRAP_WIDTH or widest < _MIN_WRAP_WIDTH:
        return None
    full = sum(1 for length in lengths if length >= _FULL_LINE_SHARE * widest)
    # In wrapped text most lines are full; a list of short headlines is not.
    if full < 2 or full / len(lengths) < 0.4:
        return None
    # In wrapped prose a full line runs on into the next one and mostly stops
    # mid-sentence; one paragraph per line ends each line with a sentence.
    run_on_lines = [
        line.rstrip()
        for line, following in itertools.pairwise(lines)
        if len(line.rstrip()) >= _FULL_LINE_SHARE * widest and following.strip()
    ]
    mid_sentence = sum(1 for line in run_on_lines if not _SENTENCE_END.search(line))
    return (
        widest if mid_sentence >= 2 and mid_sentence * 2 > len(run_on_lines) else None
    )


def split_paragraphs(text: str) -> list[str]:
    """Split clean text (LF line ends) into paragraphs, squashing whitespace."""
    lines = text.split("\n")
    width = _wrap_width(lines)
    paragraphs: list[str] = []
    if width is None:
        for line in lines:
            squashed = line if _is_squashed(line) else _squash(line)
            if squashed:
                paragraphs.append(squashed)
        return paragraphs
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if current:
                paragraphs.append(_squash(" ".join(current)))
                current = []
            continue
        current.append(stripped)
        if len(line.rstrip()) < _FULL_LINE_SHARE * width:
            # A short line ends its paragraph even without a blank line.
            paragraphs.append(_squash(" ".join(current)))
            current = []
    if current:
        paragraphs.append(_squash(" ".join(current)))
    return paragraphs


def _is_headline(line: str) -> bool:
    if len(line) > _HEADLINE_MAX_CHARS or len(line.split()) > _HEADLINE_MAX_WORDS:
        return False
    if len(line.split()) < 2 or not any(char.isalpha() for char in line):
        return False
    ending = line.rstrip("\"'”’)")
    if ending.endswith((",", ";", ":")) or (
        ending.endswith(".") and not ending.endswith("...")
    ):
        return False
    return not (_BYLINE.match(line) or _DATELINE.match(line))


def _key(line: str) -> str:
    return line.casefold()


@dataclass(frozen=True)
class TitledText:
    """A title chosen from the text and the paragraphs left as the body."""

    title: str | None
    paragraphs: tuple[str, ...]


def pick_title(paragraphs: list[str]) -> TitledText:
    """Choose the headline among the first few paragraphs.

    A headline is short and does not end like a sentence. A candidate that
    appears again among the first lines wins (scrapers repeat the headline); otherwise
    the first candidate. The chosen line is taken out of the body; lines
    before it stay, and later copies stay for duplicate collapsing.
    """
    window = paragraphs[:_HEADLINE_WINDOW]
    candidates = [i for i, line in enumerate(window) if _is_headline(line)]
    if not candidates:
        return TitledText(None, tuple(paragraphs))
    # Only a repeat near the top marks a headline; a subheading repeated down
    # the page ("Winners meet in final match") does not.
    counts = Counter(_key(line) for line in window)
    repeated = [i for i in candidates if counts[_key(paragraphs[i])] > 1]
    chosen = repeated[0] if repeated else candidates[0]
    body = paragraphs[:chosen] + paragraphs[chosen + 1 :]
    return TitledText(paragraphs[chosen], tuple(body))


def readable_file_name(path: Path) -> str:
    """A title made from a file name: `city_council-vote.txt` → `City council vote`."""
    name = _squash(re.sub(r"[_\-.?]+", " ", safe_name(path.stem)))
    return name[:1].upper() + name[1:] if name else path.name
