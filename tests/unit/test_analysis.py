"""The fused analyzer must index exactly what Whoosh's stemming chain would.

Queries are parsed with the same field, and phrase queries compare positions:
any difference in a token's text or position would make a word or a phrase
unfindable. So the two are compared token by token, on the sample articles
and on generated text with stop words, short words, numbers, wildcards,
dotted tokens and non-ASCII letters.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import TEXT
from whoosh.formats import Positions

from index.analysis import FusedPositions, FusedStemmingAnalyzer, words_of

SAMPLES = Path(__file__).resolve().parents[2] / "sample_articles"
STOCK = StemmingAnalyzer()
FUSED = FusedStemmingAnalyzer()

pieces = st.sampled_from(
    [
        "the",
        "a",
        "I",
        "of",
        "Coalition",
        "coalitions",
        "running",
        "3.14",
        "U.S.",
        "wor*",
        "under_score",
        "Straße",
        "İstanbul",
        "ΣΟΦΙΑ",
        "naïve",
        "x",
        "flood-hit",
        "—",
        "2018",
        "it's",
    ]
)
texts = st.lists(pieces, max_size=30).map(" ".join) | st.text(max_size=200)


def tokens(analyzer: object, text: str, **options: object) -> list[tuple[str, int]]:
    return [
        (token.text, token.pos)
        for token in analyzer(text, positions=True, **options)  # type: ignore[operator]
    ]


@settings(max_examples=300, deadline=None)
@given(text=texts, start=st.integers(min_value=0, max_value=5))
def test_the_same_tokens_and_positions_as_whoosh(text: str, start: int) -> None:
    assert tokens(FUSED, text, start_pos=start) == tokens(STOCK, text, start_pos=start)


def test_the_same_tokens_on_every_sample_article() -> None:
    for path in sorted(SAMPLES.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert tokens(FUSED, text, mode="index") == tokens(STOCK, text)


def test_query_options_are_answered_as_whoosh_would() -> None:
    text = "The Coalition and the flood"
    choices: list[dict[str, bool]] = [
        {"removestops": False},
        {"chars": True},
        {"tokenize": False},
    ]
    for options in choices:
        fused = [(t.text, t.stopped) for t in FUSED(text, **options)]  # type: ignore[arg-type]
        stock = [(t.text, t.stopped) for t in STOCK(text, **options)]
        assert fused == stock


def test_postings_are_those_of_the_stock_positions_format() -> None:
    text = "Floods return. The flood defences failed as floods rose."
    fused = list(FusedPositions().word_values(text, FUSED))
    stock = list(FusedPositions().word_values(text, STOCK))
    assert fused == stock
    assert [word for word, *_ in fused] == ["flood", "return", "defenc", "fail", "rose"]


@given(text=texts)
def test_postings_computed_directly_are_those_whoosh_indexes(text: str) -> None:
    """`FusedPositions.postings` (what a build's workers index) against
    `TEXT.index` with Whoosh's own `Positions` format and stemming chain."""
    for boost in (1.0, 2.0):
        stock = TEXT(analyzer=STOCK, field_boost=boost)
        assert type(stock.format) is Positions
        fused = FusedPositions(field_boost=boost)
        postings = fused.postings(text, FUSED)
        assert [posting[:4] for posting in postings] == list(stock.index(text))
        for _, count, _, encoded, positions in postings:
            assert list(stock.format.decode_positions(encoded)) == positions
            assert len(positions) == count


def test_words_are_lowercased_in_order() -> None:
    assert words_of("Harbour wall: U.S. funds, 3.5m") == [
        "harbour",
        "wall",
        "u.s",
        "funds",
        "3.5m",
    ]
