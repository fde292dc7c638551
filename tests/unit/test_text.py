"""Bytes to clean text: encodings, line ends and characters a terminal must not see."""

from __future__ import annotations

import codecs
import gzip
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import text as text_module
from index.article import ArticleError
from index.loaders import load_file
from index.text import UndecodableError, clean_text, decode_bytes

HEADLINE = "Harbour ferry returns after winter repairs"
STORY = (
    "The ferry between the two harbour towns carried its first passengers "
    "of the year on Monday, three weeks later than planned."
)
ARTICLE = f"{HEADLINE}\n\n{STORY}\n"


def write_article(tmp_path: Path, data: bytes, name: str = "story.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- encodings ----------------------------------------------------------------


def test_utf8_without_bom_decodes_unchanged() -> None:
    text = "Café owners welcome the “quiet” season — prices steady at €3\n"
    assert decode_bytes(text.encode("utf-8")) == text


def test_utf8_bom_is_dropped_not_shown_in_the_title(tmp_path: Path) -> None:
    path = write_article(tmp_path, codecs.BOM_UTF8 + ARTICLE.encode("utf-8"))
    article = load_file(path).articles[0]
    assert article.title == HEADLINE
    assert article.paragraphs == (STORY,)


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
    ids=["little-endian", "big-endian"],
)
def test_utf16_with_bom_loads_as_text(tmp_path: Path, bom: bytes, codec: str) -> None:
    text = ARTICLE.replace("Monday", "Monday (fare £4.50)")
    path = write_article(tmp_path, bom + text.encode(codec))
    article = load_file(path).articles[0]
    assert article.title == HEADLINE
    assert article.paragraphs == (STORY.replace("Monday", "Monday (fare £4.50)"),)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_from_its_zero_bytes(codec: str) -> None:
    assert decode_bytes(ARTICLE.encode(codec)) == ARTICLE


def test_latin1_pound_sign_survives(tmp_path: Path) -> None:
    text = (
        "Bus fares to rise next month\n\n"
        "A single ticket will cost £2.40 from April, the operator said, and a "
        "weekly pass £19. Passenger groups called the rise unfair to commuters "
        "who have no other way to reach the town centre.\n"
    )
    path = write_article(tmp_path, text.encode("latin-1"))
    article = load_file(path).articles[0]
    assert "£2.40" in article.paragraphs[0]
    assert "£19" in article.paragraphs[0]


def test_cp1252_curly_quotes_and_dashes_survive() -> None:
    text = (
        "The mayor said the bridge was “safe for now” – but closed it to lorries "
        "while engineers check the older span, which dates from 1932.\n"
    )
    assert decode_bytes(text.encode("cp1252")) == text


def test_short_latin1_brief_keeps_its_accents_and_pound_sign(tmp_path: Path) -> None:
    text = "Zürich café owner fined £500\n"
    path = write_article(tmp_path, text.encode("latin-1"))
    assert load_file(path).articles[0].title == "Zürich café owner fined £500"


def test_binary_file_is_rejected_with_a_reason(tmp_path: Path) -> None:
    compressed = gzip.compress((ARTICLE * 50).encode("utf-8"))
    with pytest.raises(UndecodableError, match=r"binary|undecodable"):
        decode_bytes(compressed)
    path = write_article(tmp_path, compressed, "story.txt")
    with pytest.raises(ArticleError, match=r"binary|undecodable"):
        load_file(path)


def test_executable_renamed_to_txt_is_rejected(tmp_path: Path) -> None:
    data = Path(sys.executable).resolve().read_bytes()[:200_000]
    path = write_article(tmp_path, data, "program.txt")
    with pytest.raises(ArticleError, match="binary"):
        load_file(path)


# --- line ends and unsafe characters -----------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_ends_split_paragraphs(tmp_path: Path, newline: str) -> None:
    path = write_article(tmp_path, ARTICLE.replace("\n", newline).encode())
    article = load_file(path).articles[0]
    assert article.title == HEADLINE
    assert article.paragraphs == (STORY,)
    assert "\r" not in article.title + "".join(article.paragraphs)


def test_nul_bytes_are_removed(tmp_path: Path) -> None:
    data = ARTICLE.replace("ferry", "fer\x00ry").replace("Harbour", "Har\x00bour")
    path = write_article(tmp_path, data.encode())
    article = load_file(path).articles[0]
    assert article.title == HEADLINE
    assert article.paragraphs == (STORY,)


def test_ansi_colour_codes_are_removed() -> None:
    assert clean_text("\x1b[1;31mFlood warning\x1b[0m issued") == "Flood warning issued"


def test_osc8_hyperlink_keeps_only_the_visible_text() -> None:
    linked = "Read \x1b]8;;https://example.invalid/\x1b\\the report\x1b]8;;\x1b\\ now"
    assert clean_text(linked) == "Read the report now"


def test_osc52_clipboard_write_is_removed() -> None:
    hostile = "Results are in\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07 today"
    assert clean_text(hostile) == "Results are in today"


def test_c1_controls_and_8bit_csi_are_removed() -> None:
    assert clean_text("Storm\x9b2J eases\x85 by\x80 noon") == "Storm eases by noon"


def test_complete_8bit_osc_string_is_removed() -> None:
    assert clean_text("Gale\x9d0;title\x9c warning") == "Gale warning"


def double_encoded(text: str) -> str:
    """UTF-8 read as Latin-1: the mojibake scraped pages are full of."""
    return text.encode("utf-8").decode("latin-1")


def test_mojibake_closing_quote_does_not_swallow_the_rest_of_the_article(
    tmp_path: Path,
) -> None:
    text = (
        "Coach criticises referee\n\n"
        f"The coach called the decision {double_encoded('“unacceptable”')} and "
        "left the ground before the final whistle.\n\n"
        "The club will appeal against the red card on Monday.\n"
    )
    path = write_article(tmp_path, text.encode("utf-8"))
    article = load_file(path).articles[0]
    assert len(article.paragraphs) == 2
    assert "final whistle" in article.paragraphs[0]
    assert article.paragraphs[1] == (
        "The club will appeal against the red card on Monday."
    )


def test_lone_c1_string_introducer_removes_only_itself() -> None:
    assert clean_text("Storm eases by\x90 noon") == "Storm eases by noon"


def test_other_c0_controls_and_delete_are_removed() -> None:
    assert clean_text("Rain\x07 \x08stops\x7f soon") == "Rain stops soon"


def test_bidi_overrides_and_isolates_are_removed() -> None:
    spoofed = "Invoice \u202eexe.fdp\u202c and \u2066note\u2069 attached"
    assert clean_text(spoofed) == "Invoice exe.fdp and note attached"


def test_escape_sequences_never_reach_an_article(tmp_path: Path) -> None:
    data = (
        "\x1b[2J\x1b]0;pwned\x07Harbour ferry \u202ereturns\u202c\n\n"
        "The ferry \x1b]52;c;ZWNobyBoaQ==\x07sailed at \x1b[1mnoon\x1b[0m.\n"
    )
    path = write_article(tmp_path, data.encode())
    article = load_file(path).articles[0]
    assert article.title == "Harbour ferry returns"
    assert article.paragraphs == ("The ferry sailed at noon.",)


def test_tabs_become_spaces() -> None:
    assert clean_text("Score:\t3-1") == "Score: 3-1"


# --- the fast paths ----------------------------------------------------------------


def cleaned_by_regexes_alone(text: str) -> str:
    """`clean_text` without the checks that let it skip its two regexes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text_module._ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\t", " ").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return text_module._UNSAFE_CHARACTERS.sub("", text)


_HOSTILE = st.sampled_from(
    [
        *"ab c\n[]0;PX^_\\",
        *("\x1b", "\x9b", "\x90", "\x98", "\x9c", "\x9d", "\x9e", "\x9f"),
        *("\x07", "\x00", "\x7f", "\x85", "\r", "\t", "\f", "\v"),
        *("\u2028", "\u2029", "\u202e", "\u2066", "\ufeff", "\u00a0", "’", "中"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_HOSTILE, max_size=60).map("".join))
def test_cleaning_skips_its_regexes_only_when_they_would_change_nothing(
    text: str,
) -> None:
    assert clean_text(text) == cleaned_by_regexes_alone(text)


def test_every_unsafe_character_is_unprintable() -> None:
    # clean_text skips the unsafe-character regex for printable text.
    unsafe = [
        chr(code)
        for code in range(0x110000)
        if text_module._UNSAFE_CHARACTERS.match(chr(code))
    ]
    assert unsafe and not any(char.isprintable() for char in unsafe)
