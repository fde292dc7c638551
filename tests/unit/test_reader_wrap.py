"""The reader places blocks by counting their lines without wrapping them:
the count must be the number of lines rich's wrap makes, for any text. It
paints a paragraph's lines without rich too: they must be rich's lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from tui.widgets.reader import plain_lines, wrapped_lines

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
    width=st.integers(min_value=1, max_value=90),
)
def test_line_count_matches_rich_for_any_text(text: str, width: int) -> None:
    assert wrapped_lines(text, width, CONSOLE) == rich_lines(text, width)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz’é—", min_size=1, max_size=14),
        min_size=1,
        max_size=80,
    ),
    width=st.integers(min_value=1, max_value=90),
)
def test_line_count_matches_rich_for_paragraphs(words: list[str], width: int) -> None:
    text = " ".join(words)
    assert wrapped_lines(text, width, CONSOLE) == rich_lines(text, width)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz’é—", min_size=1, max_size=14),
        min_size=1,
        max_size=80,
    ),
    width=st.integers(min_value=1, max_value=90),
)
def test_lines_match_rich_for_paragraphs(words: list[str], width: int) -> None:
    text = " ".join(words)
    lines = plain_lines(text, width)
    if lines is not None:
        assert lines == rich_plain_lines(text, width)


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(_CHARACTERS, max_size=300).map("".join),
    width=st.integers(min_value=1, max_value=90),
)
def test_lines_are_rich_lines_or_none_for_any_text(text: str, width: int) -> None:
    lines = plain_lines(text, width)
    assert lines is None or lines == rich_plain_lines(text, width)
