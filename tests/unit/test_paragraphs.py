"""Splitting text into paragraphs: lines already squashed are kept as they are."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from index.paragraphs import split_paragraphs

_SPACES = re.compile(r"\s+")


def squashed_by_regex(text: str) -> list[str]:
    """One paragraph a line, each squashed with a regex (the unwrapped layout)."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


_CHARACTERS = st.sampled_from(
    [*"abc xyz.,'", "\n", "  ", "\u00a0", "\u2003", "\u3000", "\u00ad", "’"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_CHARACTERS, max_size=80).map("".join))
def test_lines_are_squashed_as_a_regex_would(text: str) -> None:
    # Short lines of various lengths: never taken for hard-wrapped text.
    lines = text.split("\n")
    if max(map(len, lines)) < 40:
        assert split_paragraphs(text) == squashed_by_regex(text)


def test_clean_lines_are_kept_and_untidy_ones_squashed() -> None:
    text = "One clean line.\n\n  Two\u00a0 untidy\tlines  \nThree\u2003spaced.\n"
    assert split_paragraphs(text) == [
        "One clean line.",
        "Two untidy lines",
        "Three spaced.",
    ]
