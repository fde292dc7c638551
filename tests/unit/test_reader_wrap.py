"""The reader places blocks by counting their lines without wrapping them:
the count must be the number of lines rich's wrap makes, for any text. It
paints a block's lines without rich too: they must be rich's lines, in the
block's style, with the matches' style on top."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text

from tui.widgets.reader import (
    block_strips,
    plain_lines,
    wrapped_block_strips,
    wrapped_lines,
)

CONSOLE = Console()


def rich_lines(text: str, width: int) -> int:
    return len(Text(text).wrap(CONSOLE, width))


PARAGRAPH = (
    "Halvenia's governing coalition agreed a 2026 budget in the early hours of "
    "Saturday, ending a fortnight of brinkmanship that had brought Prime "
    "Minister Ilse Marrow's government close to collapse."
)


@pytest.mark.parametrize("width", [1, 5, 9, 10, 11, 30, 66, 67, 68, 200])
@pytest.mark.parametrize(
    "text",
    [
        PARAGRAPH,
        PARAGRAPH.replace("'", "’").replace("budget", "“budget”"),
        "aaaa bbbb cccc",
        "a",
        "",
        "Supercalifragilisticexpialidocious words fold onto lines of their own",
        "東京の議会は予算を可決した 東京の議会は予算を可決した",
        "Emoji 👍 and a family 👨‍👩‍👧 and a heart ❤️ in the text",
        "Combining acute: cafe\u0301 and soft\u00adhyphen and no\u00a0break",
        "  spaces  twice and\tat the ends ",
    ],
    ids=[
        "ascii",
        "curly-quotes",
        "three-words",
        "one-letter",
        "empty",
        "long-word",
        "wide",
        "emoji-zwj-vs16",
        "zero-width",
        "odd-spaces",
    ],
)
def test_line_count_is_what_rich_wraps_to(text: str, width: int) -> None:
    assert wrapped_lines(text, width, CONSOLE) == rich_lines(text, width)


def rich_plain_lines(text: str, width: int) -> list[str]:
    return [line.plain for line in Text(text).wrap(CONSOLE, width)]


@pytest.mark.parametrize("width", [1, 5, 9, 10, 11, 30, 66, 67, 68, 200])
def test_a_paragraphs_lines_are_the_lines_rich_wraps_it_to(width: int) -> None:
    for text in (PARAGRAPH, PARAGRAPH.replace("'", "’"), "aaaa bbbb cccc", "a"):
        lines = plain_lines(text, width)
        if lines is not None:  # None: a word wider than the line
            assert lines == rich_plain_lines(text, width)
    # At 30 columns a line of the paragraph is one cell too wide with the
    # space after its last word: rich drops that space.
    assert "Halvenia's governing coalition" in (plain_lines(PARAGRAPH, 30) or [])


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz’é—", min_size=1, max_size=14),
    min_size=1,
    max_size=80,
)
"""A paragraph's words: letters, a curly apostrophe, an accent, a dash."""
WIDTHS = st.integers(min_value=1, max_value=90)
_CHARACTERS = st.sampled_from(
    [
        *"abcdefghij ABC,.;'\"-0123",
        *"’“”—é£€ßΩЖ",
        *"中😀",
        *("\u0301", "\u200d", "\ufe0f", "\u00a0", "\u00ad", "\u200b"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(_CHARACTERS, max_size=300).map("".join),
    width=WIDTHS,
)
def test_line_count_matches_rich_for_any_text(text: str, width: int) -> None:
    assert wrapped_lines(text, width, CONSOLE) == rich_lines(text, width)


@settings(max_examples=300, deadline=None)
@given(
    words=WORDS,
    width=WIDTHS,
)
def test_line_count_matches_rich_for_paragraphs(words: list[str], width: int) -> None:
    text = " ".join(words)
    assert wrapped_lines(text, width, CONSOLE) == rich_lines(text, width)


@settings(max_examples=300, deadline=None)
@given(
    words=WORDS,
    width=WIDTHS,
)
def test_lines_match_rich_for_paragraphs(words: list[str], width: int) -> None:
    text = " ".join(words)
    lines = plain_lines(text, width)
    if lines is not None:
        assert lines == rich_plain_lines(text, width)


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(_CHARACTERS, max_size=300).map("".join),
    width=WIDTHS,
)
def test_lines_are_rich_lines_or_none_for_any_text(text: str, width: int) -> None:
    lines = plain_lines(text, width)
    assert lines is None or lines == rich_plain_lines(text, width)


# --- painting: the block's style on every line, marks on top -----------------

BASE = Style.parse("#e0e0e0 on #121212")
"""The widget's style (the body text)."""
MARKER = Style.parse("italic #a0a0a0")
"""A block's style: a collapse marker's."""
MATCH = Style.parse("bold on #583e19")
INDENTS = st.sampled_from(["", "│ "])


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(_CHARACTERS, max_size=300).map("".join),
    width=WIDTHS,
    indent=INDENTS,
)
def test_a_block_is_painted_as_rich_paints_it_for_any_text(
    text: str, width: int, indent: str
) -> None:
    # Without marks, most text takes the fast path: its strips are rich's.
    fast = block_strips(text, width, BASE, MARKER, (), indent, CONSOLE)
    wrapped = wrapped_block_strips(text, width, BASE, MARKER, (), indent, CONSOLE)
    assert fast == wrapped


@settings(max_examples=300, deadline=None)
@given(
    words=WORDS,
    width=WIDTHS,
    indent=INDENTS,
)
def test_a_paragraph_is_painted_as_rich_paints_it(
    words: list[str], width: int, indent: str
) -> None:
    text = " ".join(words)
    for style in (Style(), MARKER):
        fast = block_strips(text, width, BASE, style, (), indent, CONSOLE)
        wrapped = wrapped_block_strips(text, width, BASE, style, (), indent, CONSOLE)
        assert fast == wrapped


@st.composite
def marked_text(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, Style]]]:
    """Text and disjoint marks on it."""
    text = "".join(draw(st.lists(_CHARACTERS, min_size=1, max_size=300)))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=8)))
    pairs = zip(cuts[::2], cuts[1::2], strict=False)
    return text, [(start, end, MATCH) for start, end in pairs if start < end]


@settings(max_examples=400, deadline=None)
@given(
    marked=marked_text(),
    # Rich drops a wide character from a line too narrow to hold it.
    width=st.integers(min_value=4, max_value=90),
    indent=INDENTS,
)
def test_every_line_is_in_the_blocks_style_and_marks_on_top(
    marked: tuple[str, list[tuple[int, int, Style]]], width: int, indent: str
) -> None:
    text, marks = marked
    painted, highlighted = BASE + MARKER, BASE + MARKER + MATCH
    strips = block_strips(text, width, BASE, MARKER, marks, indent, CONSOLE)
    shown_marked = ""
    for strip in strips:
        segments = list(strip)
        assert strip.cell_length >= width
        if segments[-1].style == BASE:  # the padding, in the widget's style
            assert segments.pop().text.strip(" ") == ""
        for segment in segments:
            assert segment.style in (painted, highlighted), (segment, strips)
            if segment.style == highlighted:
                shown_marked += segment.text
    wanted = "".join(text[start:end] for start, end, _ in marks)
    # The wrap drops the whitespace where it breaks lines (rich, like
    # Python's `\s`, counts a no-break space as whitespace), and nothing else.
    assert re.sub(r"\s", "", shown_marked) == re.sub(r"\s", "", wanted)
