"""Functional tests: the real app on a real index, driven by Pilot."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.containers import Lines
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.pilot import Pilot
from textual.screen import Screen

import index.search
import tui.app
import tui.widgets.reader
from index.locations import Locations
from index.search import Hit
from index.store import update_index
from tests.app.conftest import write_articles
from tests.app.pilot_helpers import (
    read_first_hit,
    reader_text,
    results_text,
    settle,
    status_text,
    type_query,
)
from tui.app import READ_NOW_BYTES, NewsdeskApp
from tui.cli import make_app
from tui.messages import ArticleFailed, ArticleLoaded
from tui.widgets.reader import ArticleReader


async def test_typing_a_query_lists_the_matching_titles(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coalition")
        shown = results_text(app)
        assert "Coalition agrees a budget at dawn" in shown
        assert "Coalition survives confidence vote" in shown
        assert "Saltmere Sells Its Last Tugboat" in shown
        assert "Rovers win the derby" not in shown
        assert "4 results" in status_text(app)


async def test_the_word_being_typed_is_completed(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coali")
        assert "Coalition survives confidence vote" in results_text(app)


async def test_a_key_after_a_pause_searches_at_once_and_a_burst_once_it_pauses(
    app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a burst delay far longer than the app needs to search: text that
    arrives after a pause is searched without waiting, text that follows it
    within the delay waits for the burst to pause, and then is searched."""
    monkeypatch.setattr(tui.app, "SEARCH_DELAY", 2.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.search_input.value = "rovers"
        await settle(pilot)
        assert "Rovers win the derby" in results_text(app)

        app.search_input.value = "coalition"
        await settle(pilot)
        # Within the burst: the results are still those of the text before.
        assert "Rovers win the derby" in results_text(app)
        assert "4 results" not in status_text(app)

        await pilot.pause(2.2)
        await settle(pilot)
        assert "4 results" in status_text(app)
        assert "Coalition survives confidence vote" in results_text(app)


async def test_an_empty_query_lists_the_newest_articles(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "5 articles · newest first" in status_text(app)
        first_title = results_text(app).splitlines()[0]
        assert "Coalition agrees a budget at dawn" in first_title


async def test_a_misspelt_query_shows_the_corrected_results(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coaliton")
        status = status_text(app)
        assert 'showing results for "coalition"' in status
        assert 'no match for "coaliton"' in status
        assert "Coalition survives confidence vote" in results_text(app)


async def test_a_bad_query_is_explained_not_raised(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "date:notadate")
        assert "cannot understand the query" in status_text(app)
        assert app.is_running


async def test_reading_shows_a_collapse_marker_for_copies(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "tugboat")
        await pilot.press("enter")  # to the results
        await pilot.press("enter")  # to the reader
        await settle(pilot)
        assert app.focused is app.reader
        text = reader_text(app)
        assert text.count("Saltmere Sells Its Last Tugboat") == 1
        assert "··· 1 repeated paragraph collapsed" in text
        assert "··· 3 repeated paragraphs collapsed" in text
        assert "4 repeated paragraphs collapsed" in text  # the header says so
        assert text.count("Board chair Ada Frisk") == 1


async def test_d_expands_copies_in_place_and_collapses_them(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "tugboat")
        await pilot.press("d")
        expanded = reader_text(app)
        assert "copy of paragraph 3: Board chair Ada Frisk" in expanded
        assert "copy of the title: Saltmere Sells Its Last Tugboat" in expanded
        assert "··· 3 repeated paragraphs collapsed" not in expanded
        await pilot.press("d")
        collapsed = reader_text(app)
        assert "copy of" not in collapsed
        assert "··· 3 repeated paragraphs collapsed" in collapsed


async def test_clicking_a_marker_expands_that_one_only(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "tugboat")
        lines = reader_text(app).splitlines()
        row = next(i for i, line in enumerate(lines) if "3 repeated paragraphs" in line)
        await pilot.click(app.reader, offset=(3, row))
        text = reader_text(app)
        assert "copy of paragraph 3" in text
        assert "copy of the title" not in text
        assert "··· 1 repeated paragraph collapsed" in text


def painted_row(reader: ArticleReader, needle: str) -> list[Segment]:
    """The text segments (not the padding) of the first painted line holding
    `needle`."""
    for y in range(reader.scrollable_content_region.height):
        strip = reader.render_line(y)
        if needle in strip.text:
            return [segment for segment in strip if segment.text.strip()]
    raise AssertionError(f"{needle!r} is not painted")


async def test_each_block_paints_in_its_style_with_or_without_matches(
    app: NewsdeskApp,
) -> None:
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        # "harbour" is in the lead and in a copied paragraph, not in the
        # title, the facts or the markers.
        await read_first_hit(pilot, "harbour")
        reader = app.reader
        assert reader.article is not None
        assert reader.article.title == "Saltmere Sells Its Last Tugboat"
        body = reader.rich_style
        muted = reader.get_component_rich_style("reader--marker").color
        match = reader.get_component_rich_style("reader--match")
        title = reader.get_component_rich_style("reader--title")
        assert muted is not None and muted != body.color  # the CSS's intent

        def styles(needle: str) -> list[Style]:
            return [segment.style or Style() for segment in painted_row(reader, needle)]

        # The collapse marker, without a match: muted and italic.
        for style in styles("··· 3 repeated paragraphs collapsed"):
            assert style.italic and style.color == muted
        for style in styles("tugboat.txt · 4 repeated paragraphs collapsed"):
            assert style.color == muted and not style.italic
        for style in styles("Saltmere Sells Its Last Tugboat"):
            assert style.bold and style.color == title.color
        # A paragraph with a match: the body colour, the match highlighted.
        lead = painted_row(reader, "The harbour board voted")
        assert [segment.text for segment in lead][:2] == ["The ", "harbour"]
        assert lead[0].style is not None and lead[0].style.color == body.color
        highlighted = lead[1].style
        assert highlighted is not None
        assert highlighted.bgcolor == match.bgcolor and highlighted.bold

        await pilot.press("d")
        await settle(pilot)
        for style in styles("▾ 3 repeated paragraphs shown as copies"):
            assert style.italic and style.color == muted
        # A copy with a match: muted on every line, the match on top.
        copy = painted_row(reader, "copy of paragraph 4: Harbour pilots")
        assert [segment.text for segment in copy][:3] == [
            "│ ",
            "copy of paragraph 4: ",
            "Harbour",
        ]
        assert all(s.style and s.style.color == muted for s in copy[:2])
        highlighted = copy[2].style
        assert highlighted is not None
        assert highlighted.bgcolor == match.bgcolor and highlighted.bold
        for style in styles("│ take two hours to arrive"):
            assert style.color == muted


async def test_n_and_shift_n_move_through_matches(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coalition")
        await pilot.press("enter")
        await settle(pilot)
        assert app.results.current is not None
        budget = app.results.current.title
        await pilot.press("enter")
        await settle(pilot)
        assert app.reader.article is not None
        assert app.reader.article.title == budget
        total = app.reader.match_count
        assert total == 3  # the title and both paragraphs say "coalition"
        assert app.reader.border_subtitle == "3 matches · n/N to jump"
        await pilot.press("n")
        assert app.reader.border_subtitle == "match 1 of 3"
        await pilot.press("n", "n")
        assert app.reader.border_subtitle == "match 3 of 3"
        await pilot.press("n")
        assert app.reader.border_subtitle == "match 1 of 3"
        await pilot.press("N")
        assert app.reader.border_subtitle == "match 3 of 3"


async def test_s_cycles_the_sort(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coalition")
        await pilot.press("enter")
        assert "by relevance" in status_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert "newest first" in status_text(app)
        # Only the budget article has a date: newest first puts it on top.
        assert app.results.hit_at(0) is not None
        assert app.results.hit_at(0).title == "Coalition agrees a budget at dawn"  # type: ignore[union-attr]
        await pilot.press("s")
        await settle(pilot)
        assert "oldest first" in status_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert "by relevance" in status_text(app)


async def test_reading_position_is_kept_when_going_back(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    long_body = "\n\n".join(
        f"Paragraph {n} of the long coalition story, with distinct words {n * 7}."
        for n in range(120)
    )
    (folder / "long.txt").write_text(f"A long coalition story\n\n{long_body}\n")
    (folder / "short.txt").write_text("A short coalition note\n\nJust one line.\n")
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    app = make_app(locations)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "long coalition")
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)  # let the scroll finish
        position = app.reader.scroll_y
        assert position > 0
        await type_query(pilot, "short coalition")
        await settle(pilot)
        assert app.reader.article is not None
        assert app.reader.article.title == "A short coalition note"
        await type_query(pilot, "long coalition")
        await settle(pilot)
        assert app.reader.scroll_y == position


async def test_narrow_terminal_stacks_results_above_reader(app: NewsdeskApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coalition")
        results, reader = app.results.region, app.reader.region
        assert results.bottom <= reader.y
        assert results.width == reader.width
        assert "Coalition" in results_text(app)


async def test_wide_terminal_puts_them_side_by_side(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.results.region.right <= app.reader.region.x


async def test_the_empty_part_of_both_panes_follows_the_theme(
    app: NewsdeskApp,
) -> None:
    # Both panes keep the style of their blank lines rather than look it up
    # for each one: a theme change must still reach them.
    def blank_backgrounds() -> list[set[object]]:
        # Line 30 is below four results (5 lines each) and below the article.
        return [
            {segment.style.bgcolor if segment.style else None for segment in line}
            for line in (app.results.render_line(30), app.reader.render_line(30))
        ]

    def pane_backgrounds() -> list[set[object]]:
        return [{pane.rich_style.bgcolor} for pane in (app.results, app.reader)]

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coalition")
        await settle(pilot)
        assert app.reader.article is not None
        before = blank_backgrounds()
        assert before == pane_backgrounds()
        app.theme = "textual-light"
        await settle(pilot)
        assert blank_backgrounds() == pane_backgrounds()
        assert blank_backgrounds() != before


async def test_the_collector_is_back_on_once_the_app_has_painted(
    app: NewsdeskApp,
) -> None:
    # `newsdesk` turns the garbage collector off until the first frame; left
    # off, every reference cycle of the session would stay in memory.
    gc.disable()
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert gc.isenabled()
            assert gc.get_threshold() == tui.app.GC_THRESHOLDS
    finally:
        gc.enable()


async def test_r_picks_up_a_new_file(app: NewsdeskApp, locations: Locations) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "lighthouse")
        assert "no articles match" in status_text(app)
        (locations.folders[0] / "lighthouse.txt").write_text(
            "Lighthouse keeper retires\n\nThe last lighthouse keeper retired.\n"
        )
        await pilot.press("enter")  # leave the search box so r is a key
        await pilot.press("r")
        await settle(pilot)
        assert "1 result" in status_text(app)
        assert "Lighthouse keeper retires" in results_text(app)


async def test_a_deleted_file_shows_a_message(
    app: NewsdeskApp, locations: Locations
) -> None:
    (locations.folders[0] / "rovers.txt").unlink()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "derby")
        text = reader_text(app)
        assert "This article's file is no longer there." in text
        assert "Press r to update the index." in text
        assert app.is_running


async def test_a_changed_file_is_flagged(
    app: NewsdeskApp, locations: Locations
) -> None:
    path = locations.folders[0] / "rovers.txt"
    path.write_text("Rovers win the derby\n\nSaltmere Rovers won the derby 3-0.\n")
    os.utime(path, ns=(1, 1))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "derby")
        text = reader_text(app)
        assert "changed since it was indexed" in text
        assert "3-0" in text


async def test_markup_and_escapes_in_articles_render_literally(
    app: NewsdeskApp,
) -> None:
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await type_query(pilot, "memo")
        assert "[bold red]fake[/]" in results_text(app)
        await pilot.press("enter", "enter")
        await settle(pilot)
        raw = reader_text(app)
        text = " ".join(raw.split())  # as read, whatever the wrapping
        assert (
            "Leak names [bold red]fake[/] [link=file:///etc/passwd]files[/link]" in text
        )
        assert "[@click=app.quit]quit[/] $(rm -rf /)" in text
        assert "[b]nothing[/b] and red link and clipboard text survived." in text
        assert "\x1b" not in raw and "\x07" not in raw
        assert app.is_running


async def test_markup_in_a_query_is_shown_as_typed(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "[@click=app.quit]zzz")
        assert app.is_running
        assert "[@click=app.quit]zzz" in status_text(app)


async def test_escape_goes_back_to_results_then_clears(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "coalition")
        await pilot.press("escape")
        assert app.focused is app.results
        assert app.search_input.value == "coalition"
        await pilot.press("escape")
        await settle(pilot)
        assert app.search_input.value == ""
        assert "5 articles" in status_text(app)
        await pilot.press("slash")
        await pilot.pause()
        assert app.search_input.has_focus


async def test_question_mark_opens_help_listing_keys(app: NewsdeskApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ != "HelpScreen"


async def test_many_hits_load_as_the_list_scrolls(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    lines = [
        f'{{"title": "Harbour report {n}", "text": "Harbour traffic note {n}."}}'
        for n in range(260)
    ]
    (folder / "reports.jsonl").write_text("\n".join(lines) + "\n")
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    app = make_app(locations)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "harbour")
        assert "260 results" in status_text(app)
        await pilot.press("enter", "G")
        await settle(pilot)
        assert app.results.cursor == 259
        last = app.results.current
        assert last is not None and last.title.startswith("Harbour report")
        assert "loading" not in results_text(app)


async def test_first_launch_builds_the_index_then_searches(tmp_path: Path) -> None:
    locations = Locations((write_articles(tmp_path / "articles"),), tmp_path / "ix")
    app = make_app(locations)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.index is not None
        assert "5 articles · newest first" in status_text(app)
        await type_query(pilot, "tugboat")
        assert "Saltmere Sells Its Last Tugboat" in results_text(app)


async def test_shift_r_asks_then_rebuilds(
    app: NewsdeskApp, locations: Locations
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        (locations.folders[0] / "ferry.txt").write_text(
            "Ferry returns\n\nThe ferry returned to Saltmere.\n"
        )
        await pilot.press("escape", "R")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmRebuild"
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.__class__.__name__ != "ConfirmRebuild"
        await type_query(pilot, "ferry")
        assert "Ferry returns" in results_text(app)


def _long_article(folder: Path, paragraphs: int) -> list[str]:
    """A long article whose every fifth paragraph says "coalition"; paragraph 3
    is repeated after paragraph 10. Returns the paragraphs written."""
    body = [
        f"Paragraph {n} of the long harbour story, with distinct words {n * 7} "
        + ("and the coalition" if n % 5 == 0 else "and the tide")
        + " in it, long enough to wrap onto a second line of the reader."
        for n in range(paragraphs)
    ]
    body.insert(11, body[3])
    text = "A long harbour story\n\n" + "\n\n".join(body) + "\n"
    (folder / "long.txt").write_text(text, encoding="utf-8")
    return body


async def _every_line(pilot: Pilot[None], reader: ArticleReader) -> list[str]:
    """The text of every line of the reader's scroll area, top to bottom."""
    lines: dict[int, str] = {}
    width, height = reader.scrollable_content_region.size
    for top in range(0, reader.virtual_size.height, height):
        reader.scroll_to(y=top, animate=False, immediate=True)
        await pilot.pause()
        offset = int(reader.scroll_offset.y)
        for row in range(height):
            strip = reader.render_line(row)
            # Wrapped for the width there is (the scrollbar takes a column).
            assert strip.cell_length == width
            lines[offset + row] = strip.text.rstrip()
    return [lines[number] for number in range(reader.virtual_size.height)]


async def test_a_long_article_shows_every_line_and_counts_every_match(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    body = _long_article(folder, 600)
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    app = make_app(locations)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "coalition")
        reader = app.reader
        assert reader.article is not None
        # Long enough to be searched by a worker, and counted all the same.
        assert app.reader.border_subtitle == "120 matches · n/N to jump"
        assert reader.match_count == 120
        await pilot.press("n", "n")
        assert app.reader.border_subtitle == "match 2 of 120"
        text = " ".join(" ".join(await _every_line(pilot, reader)).split())
        # Every paragraph is there once, whole and in order, the copy collapsed.
        position = 0
        for paragraph in body[:11] + body[12:]:
            found = text.find(paragraph, position)
            assert found >= position, paragraph
            position = found + len(paragraph)
        assert text.count(body[3]) == 1
        assert "··· 1 repeated paragraph collapsed" in text


async def test_the_text_keeps_its_width_when_a_long_article_brings_a_scrollbar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_articles(tmp_path / "articles")
    _long_article(folder, 600)
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    app = make_app(locations)
    counted_widths: list[int] = []
    count = tui.widgets.reader.wrapped_lines

    def counting(text: str, width: int, *args: Any) -> int:
        counted_widths.append(width)
        return count(text, width, *args)

    monkeypatch.setattr(tui.widgets.reader, "wrapped_lines", counting)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "rovers")
        reader = app.reader
        assert reader.article is not None and reader.article.id == "rovers.txt"
        assert not reader.show_vertical_scrollbar
        short_width = reader.scrollable_content_region.width
        counted_widths.clear()
        await type_query(pilot, "harbour story")
        assert reader.article is not None and reader.article.id == "long.txt"
        assert reader.show_vertical_scrollbar
        # The scrollbar's column was kept free for it: no line moves when it
        # appears, and the long article's lines were counted for one width.
        assert reader.scrollable_content_region.width == short_width
        assert set(counted_widths) == {short_width}
        assert len(counted_widths) < 700


async def test_a_long_article_opened_without_a_query_is_not_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    _long_article(folder, 600)
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    app = make_app(locations)
    searched: list[str] = []
    find = index.search.highlight_spans

    def recording(text: str, stems: Any) -> list[tuple[int, int]]:
        searched.append(text)
        return find(text, stems)

    monkeypatch.setattr(index.search, "highlight_spans", recording)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")  # the newest article, no query typed
        await settle(pilot)
        reader = app.reader
        assert reader.article is not None and reader.article.id == "long.txt"
        assert reader.match_count == 0
        assert reader.border_subtitle == ""
        # No worker went through its 600 paragraphs looking for no words.
        assert searched == []
        assert not [w for w in app.workers if w.group == "reader-search"]


async def test_focus_changes_do_not_wrap_the_article_again(
    app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "tugboat")
        assert app.focused is app.reader
        assert app.reader.view is not None
        article = {app.reader.view.paragraphs[0], "Saltmere Sells Its Last Tugboat"}
        wrapped: list[str] = []
        wrap = Text.wrap

        def counting_wrap(text: Text, *args: Any, **kwargs: Any) -> Lines:
            if text.plain in article:
                wrapped.append(text.plain)
            return wrap(text, *args, **kwargs)

        monkeypatch.setattr(Text, "wrap", counting_wrap)
        await pilot.press("escape")  # to the results
        await settle(pilot)
        app.reader.focus()
        await settle(pilot)
        assert app.focused is app.reader
        assert wrapped == []


def _record_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[bool]]:
    """The files the app reads articles from (the result under the cursor is
    read too), and for each read whether it ran on the UI thread."""
    reads: dict[str, list[bool]] = {}
    read = tui.app.read_article

    def recording_read(serial: int, hit: Hit) -> ArticleLoaded | ArticleFailed:
        on_ui_thread = threading.current_thread() is threading.main_thread()
        reads.setdefault(Path(hit.path).name, []).append(on_ui_thread)
        return read(serial, hit)

    monkeypatch.setattr(tui.app, "read_article", recording_read)
    return reads


async def test_a_small_article_is_in_the_next_frame_painted(
    app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _record_reads(monkeypatch)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        shown: list[str | None] = []
        """The title the reader shows in each frame painted."""
        asked: list[int] = []
        """How many frames were painted when the app was asked for the article."""
        display, open_article = app._display, app._open_article

        def painting(screen: Screen[Any], update: Any) -> None:
            display(screen, update)
            article = app.reader.article
            shown.append(article.title if article is not None else None)

        def opening(hit: Hit) -> None:
            if hit.title == "Saltmere Sells Its Last Tugboat":
                asked.append(len(shown))
            open_article(hit)

        monkeypatch.setattr(app, "_display", painting)
        monkeypatch.setattr(app, "_open_article", opening)
        await read_first_hit(pilot, "tugboat")
        assert asked
        assert shown[asked[0]] == "Saltmere Sells Its Last Tugboat"
        assert set(reads["tugboat.txt"]) == {True}
        assert "··· 3 repeated paragraphs collapsed" in reader_text(app)


async def test_a_large_article_is_read_by_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    _long_article(folder, 200)
    assert (folder / "long.txt").stat().st_size > READ_NOW_BYTES
    (folder / "short.txt").write_text("A short harbour note\n\nJust one line.\n")
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    reads = _record_reads(monkeypatch)
    app = make_app(locations)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "long harbour")
        assert app.reader.article is not None
        assert app.reader.article.title == "A long harbour story"
        assert "··· 1 repeated paragraph collapsed" in " ".join(
            " ".join(await _every_line(pilot, app.reader)).split()
        )
        await type_query(pilot, "short harbour")
        assert app.reader.article.title == "A short harbour note"
        assert set(reads["long.txt"]) == {False}
        assert set(reads["short.txt"]) == {True}


async def test_a_markdown_file_is_read_by_a_worker_the_first_time(
    app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first Markdown file imports the YAML and Markdown parsers (tens of
    # ms); after that a small one is read at once.
    reads = _record_reads(monkeypatch)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await read_first_hit(pilot, "budget dawn")
        assert "flood defences" in reader_text(app)
        await type_query(pilot, "derby")
        await type_query(pilot, "budget dawn")
        assert "flood defences" in reader_text(app)
        first, *later = reads["budget.md"]
        assert not first
        assert later
        assert set(later) == {True}


async def test_the_first_frame_does_not_wait_for_the_index(
    app: NewsdeskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[bool] = []
    """For each frame painted, whether the index was open."""
    display = app._display

    def painting(screen: Screen[Any], update: Any) -> None:
        display(screen, update)
        opened.append(app.index is not None)

    monkeypatch.setattr(app, "_display", painting)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert opened[0] is False
        assert opened[-1] is True
        assert "5 articles · newest first" in status_text(app)


async def test_the_next_article_is_painted_from_its_top_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    _long_article(folder, 120)
    other = "\n\n".join(
        f"Tide table entry {n} of the harbour: high water at {n % 12 + 1} "
        "o'clock, long enough to wrap onto a second line of the reader."
        for n in range(120)
    )
    (folder / "tides.txt").write_text(f"Harbour tide tables\n\n{other}\n")
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    app = make_app(locations)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "harbour")
        await pilot.press("enter", "enter", "pagedown", "pagedown", "pagedown")
        await settle(pilot)
        assert app.reader.article is not None
        first = app.reader.article.title
        assert app.reader.scroll_y > 0
        painted: list[tuple[str, float]] = []
        """The title shown and the scroll position, frame by frame."""
        display = app._display

        def painting(screen: Screen[Any], update: Any) -> None:
            display(screen, update)
            article = app.reader.article
            if article is not None:
                painted.append((article.title, app.reader.scroll_y))

        monkeypatch.setattr(app, "_display", painting)
        await pilot.press("escape", "down")  # the other article, from the list
        await settle(pilot)
        others = [y for title, y in painted if title != first]
        assert others
        assert others[0] == 0


async def test_hits_past_the_first_page_load_as_the_list_reaches_them(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for number in range(45):
        (folder / f"story{number:02d}.txt").write_text(
            f"Harbour story number {number:02d}\n\n"
            f"The harbour report, part {number:02d}, in a paragraph of its own.\n"
        )
    locations = Locations((folder,), tmp_path / "ix")
    update_index(locations)
    app = make_app(locations)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "harbour")
        assert "45 results" in status_text(app)
        app.results.focus()
        await pilot.press("end")
        await settle(pilot)
        last = app.results.current
        assert last is not None
        assert last.title.startswith("Harbour story number")
        assert last.title in results_text(app)
        await pilot.press("home")
        await settle(pilot)
        first = app.results.current
        assert first is not None and first.title != last.title


async def test_a_query_that_cannot_be_read_leaves_the_reader_on_the_listed_hit(
    app: NewsdeskApp,
) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_query(pilot, "rovers")
        assert app.reader.article is not None
        assert app.reader.article.title == "Rovers win the derby"
        # New results land, and the query changes before their preview opens.
        app.search_input.value = "coalition"
        for _ in range(200):
            if app._result is not None and app._result.query == "coalition":
                break
            await pilot.pause(0.002)
        await pilot.pause()  # the list announces its first hit: a preview is due
        app.search_input.value = "coalition date:20"
        await settle(pilot)
        assert "date not understood" in status_text(app)
        listed = app.results.current
        assert listed is not None and "oalition" in listed.title
        assert app.reader.article is not None
        assert app.reader.article.title == listed.title
