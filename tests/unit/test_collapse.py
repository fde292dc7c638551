"""Duplicate collapsing: what the reader shows once, and what it folds away."""

from __future__ import annotations

import time

import pytest

from index.collapse import (
    NEAR_COPY_THRESHOLD,
    SHORT_PARAGRAPH_CHARS,
    TITLE,
    CollapsedRun,
    ReaderView,
    _normalised_words,
    _sketch,
    collapse,
    normalise,
)

TITLE_LINE = "Harbour wall to be finished by the end of the summer"
WALL = (
    "The harbour authority said on Monday that the new breakwater would be "
    "finished by the end of the summer, two years later than first promised."
)
CREWS = (
    "Fishing crews have complained for months that the unfinished wall leaves "
    "their boats exposed whenever the wind turns to the east."
)
COST = (
    "The authority would not say how much the delay had added to the cost, "
    "which was put at eleven million when work began."
)
MEETING = (
    "A public meeting about the project is planned for next week at the "
    "sailing club on the quay."
)


def collapsed_copies(view: ReaderView) -> list[str]:
    return [copy for run in view.runs for copy in run.paragraphs]


# --- exact copies ---------------------------------------------------------------


def test_distinct_paragraphs_are_all_kept_in_order() -> None:
    view = collapse([WALL, CREWS, COST, MEETING])
    assert view.paragraphs == (WALL, CREWS, COST, MEETING)
    assert view.runs == ()
    assert view.collapsed_count == 0


@pytest.mark.parametrize(
    "copy",
    [
        WALL.upper(),
        "  " + WALL.replace(" ", "   ") + "\t",
        WALL.replace("two years", "two\u00a0years"),
    ],
    ids=["case", "spacing", "no-break space"],
)
def test_copy_differing_in_case_or_whitespace_collapses(copy: str) -> None:
    view = collapse([WALL, CREWS, copy])
    assert view.paragraphs == (WALL, CREWS)
    assert collapsed_copies(view) == [copy]


def test_copy_differing_in_quotes_and_dashes_collapses() -> None:
    tail = " and he has fished here for thirty years, since he left school."
    straight = 'The skipper said: "It is the worst winter I remember" -' + tail
    curly = "The skipper said: “It is the worst winter I remember” —" + tail
    view = collapse([straight, CREWS, curly])
    assert view.paragraphs == (straight, CREWS)
    assert view.collapsed_count == 1


def test_normalise_unifies_case_space_quotes_and_dashes() -> None:
    assert normalise("  It’s “Done” –  Now ") == normalise('it\'s "done" - now')


# --- runs and markers -------------------------------------------------------------


def test_run_of_consecutive_copies_becomes_one_marker() -> None:
    view = collapse([WALL, CREWS, COST, WALL, CREWS, COST, MEETING])
    assert view.paragraphs == (WALL, CREWS, COST, MEETING)
    assert view.runs == (
        CollapsedRun(at=3, paragraphs=(WALL, CREWS, COST), copy_of=(0, 1, 2)),
    )
    assert view.runs[0].count == 3
    assert view.collapsed_count == 3


def test_marker_at_the_end_stands_after_the_last_paragraph() -> None:
    view = collapse([WALL, CREWS, CREWS, WALL])
    assert view.paragraphs == (WALL, CREWS)
    (run,) = view.runs
    assert run.at == 2
    assert run.paragraphs == (CREWS, WALL)
    assert run.copy_of == (1, 0)


def test_separated_copies_make_separate_markers() -> None:
    view = collapse([WALL, WALL, CREWS, WALL, COST])
    assert view.paragraphs == (WALL, CREWS, COST)
    assert [(run.at, run.count, run.copy_of) for run in view.runs] == [
        (1, 1, (0,)),
        (2, 1, (0,)),
    ]
    assert view.runs_at(1) == (view.runs[0],)
    assert view.runs_at(0) == ()


def test_collapsed_originals_are_kept_as_the_file_has_them() -> None:
    shouted = WALL.upper()
    view = collapse([WALL, shouted, "  " + WALL])
    assert view.runs[0].paragraphs == (shouted, "  " + WALL)


def test_first_seen_order_is_kept() -> None:
    view = collapse([COST, WALL, COST, MEETING, WALL, CREWS])
    assert view.paragraphs == (COST, WALL, MEETING, CREWS)


# --- the title --------------------------------------------------------------------


def test_body_line_repeating_the_title_collapses_as_a_copy_of_the_title() -> None:
    view = collapse([WALL, TITLE_LINE, CREWS], title=TITLE_LINE)
    assert view.paragraphs == (WALL, CREWS)
    assert view.runs == (
        CollapsedRun(at=1, paragraphs=(TITLE_LINE,), copy_of=(TITLE,)),
    )


def test_title_repeated_as_the_first_paragraph_collapses() -> None:
    view = collapse([TITLE_LINE.upper(), WALL], title=TITLE_LINE)
    assert view.paragraphs == (WALL,)
    assert view.runs[0].at == 0
    assert view.runs[0].copy_of == (TITLE,)


def test_short_title_repeated_exactly_collapses() -> None:
    view = collapse(["Ferry returns", WALL], title="Ferry returns")
    assert view.paragraphs == (WALL,)
    assert view.runs[0].copy_of == (TITLE,)


def test_without_a_title_a_headline_line_is_kept() -> None:
    assert collapse([TITLE_LINE, WALL]).paragraphs == (TITLE_LINE, WALL)


# --- near copies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "near",
    [
        WALL.replace("finished", "completed"),
        WALL.replace("Monday", "Tuesday"),
        WALL.replace(", two years", ". Two years"),
        WALL.replace("breakwater", "break-water"),
    ],
    ids=["word", "day", "punctuation", "hyphen"],
)
def test_near_copy_differing_by_a_word_or_mark_collapses(near: str) -> None:
    view = collapse([WALL, CREWS, near])
    assert view.paragraphs == (WALL, CREWS)
    assert view.runs[0].copy_of == (0,)
    assert view.runs[0].paragraphs == (near,)


def test_copy_with_a_short_tail_added_collapses() -> None:
    longer = WALL + " A spokesman declined to comment further."
    view = collapse([WALL, CREWS, longer])
    assert view.paragraphs == (WALL, CREWS)
    assert view.runs[0].copy_of == (0,)


def test_copy_with_a_long_tail_added_stays() -> None:
    longer = WALL + " " + CREWS + " " + COST
    view = collapse([WALL, longer])
    assert view.paragraphs == (WALL, longer)


@pytest.mark.parametrize(
    "near",
    [TITLE_LINE + ".", TITLE_LINE.replace("by the end", "by end"), f"'{TITLE_LINE}'"],
    ids=["full stop", "word dropped", "quoted"],
)
def test_near_copy_of_the_title_collapses(near: str) -> None:
    view = collapse([WALL, near], TITLE_LINE)
    assert view.paragraphs == (WALL,)
    assert view.runs[0].copy_of == (TITLE,)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("1.2%", "1.5%"),
        ("£3.40", "£3.60"),
        ("2-1", "3-1"),
        ("14 March", "15 March"),
    ],
)
def test_paragraphs_differing_in_a_number_stay_distinct(
    first: str, second: str
) -> None:
    template = (
        "Shares in the harbour operator moved by {} in early trading on Tuesday "
        "after it reported quarterly profits ahead of forecasts."
    )
    a, b = template.format(first), template.format(second)
    view = collapse([a, b])
    assert view.paragraphs == (a, b)
    assert view.runs == ()


def test_templated_report_scores_above_the_threshold_yet_stays_distinct() -> None:
    from rapidfuzz import fuzz

    a = (
        "Shares in the harbour operator rose 1.2% in early trading on Tuesday "
        "after it reported quarterly profits ahead of forecasts."
    )
    b = a.replace("1.2%", "1.5%")
    assert fuzz.ratio(normalise(a), normalise(b)) >= NEAR_COPY_THRESHOLD
    assert collapse([a, b]).paragraphs == (a, b)


def test_paragraphs_sharing_only_a_boilerplate_sentence_stay_distinct() -> None:
    credit = " Reporting by Anna Kovac; editing by Mark Reed."
    rates = "The central bank held interest rates on Thursday, as expected." + credit
    oil = "Oil prices fell sharply as worries about supply eased." + credit
    view = collapse([rates, oil])
    assert view.paragraphs == (rates, oil)


def test_different_paragraphs_on_the_same_story_stay_distinct() -> None:
    view = collapse([WALL, CREWS, COST, MEETING])
    assert len(view.paragraphs) == 4


# --- short lines ---------------------------------------------------------------------


def test_short_lines_collapse_when_exactly_equal() -> None:
    view = collapse([WALL, "Advertisement", CREWS, "Advertisement", COST])
    assert view.paragraphs == (WALL, "Advertisement", CREWS, COST)
    assert collapsed_copies(view) == ["Advertisement"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Advertisement", "Advertisment"),
        ("Advertisement", "Advertisement:"),
        ("By Jo Hart", "By Jo Hurt"),
        ("LONDON, March 3", "LONDON, March 4"),
    ],
)
def test_near_equal_short_lines_stay_distinct(first: str, second: str) -> None:
    assert len(normalise(first)) < SHORT_PARAGRAPH_CHARS
    view = collapse([first, WALL, second])
    assert view.paragraphs == (first, WALL, second)


# --- scale ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        WALL,
        MEETING.upper(),
        "the tide came in and the tide went out " * 6,
        "Two words",
        "Onewordonlybutlongerthanfortycharacterstogo",
    ],
    ids=["paragraph", "capitals", "repeated-shingles", "two-words", "one-word"],
)
def test_sketch_is_the_smallest_hashes_of_distinct_word_shingles(text: str) -> None:
    words = _normalised_words(text)
    assert " ".join(words) == normalise(text)
    size = min(3, len(words))
    shingles = set(zip(*(words[i:] for i in range(size)), strict=False))
    assert _sketch(words) == sorted(map(hash, shingles))[:8]


def test_ten_thousand_identical_paragraphs_collapse_to_one_quickly() -> None:
    started = time.perf_counter()
    view = collapse([WALL] * 10_000)
    elapsed = time.perf_counter() - started
    assert view.paragraphs == (WALL,)
    assert view.collapsed_count == 9_999
    assert len(view.runs) == 1
    assert elapsed < 2.0


def test_empty_article_gives_an_empty_view() -> None:
    assert collapse([]) == ReaderView(paragraphs=(), runs=())
