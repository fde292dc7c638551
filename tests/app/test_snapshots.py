"""Snapshot tests of the screens a user sees, on the shipped sample articles.

Fixed terminal sizes, cursor blink off, and nothing time-dependent on screen.
Review changes with the report pytest-textual-snapshot writes before running
`pytest --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from index.locations import Locations
from index.store import update_index
from tests.app.conftest import SAMPLE_ARTICLES
from tests.app.pilot_helpers import no_blink, read_first_hit, settle
from tui.app import NewsdeskApp
from tui.cli import make_app

SnapCompare = Callable[..., bool]


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Locations:
    locations = Locations((SAMPLE_ARTICLES,), tmp_path_factory.mktemp("ix"))
    update_index(locations)
    return locations


def _reading(query: str, *keys: str) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app, NewsdeskApp)
        no_blink(pilot.app)
        await settle(pilot)
        await read_first_hit(pilot, query)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


class TestMainScreen:
    def test_results_and_an_article_with_collapse_markers(
        self, snap_compare: SnapCompare, sample_index: Locations
    ) -> None:
        app = make_app(sample_index)
        assert snap_compare(
            app, terminal_size=(120, 36), run_before=_reading("all-night talks")
        )

    def test_the_same_article_with_copies_expanded(
        self, snap_compare: SnapCompare, sample_index: Locations
    ) -> None:
        app = make_app(sample_index)
        assert snap_compare(
            app, terminal_size=(120, 36), run_before=_reading("all-night talks", "d")
        )

    def test_narrow_terminal_80_by_24(
        self, snap_compare: SnapCompare, sample_index: Locations
    ) -> None:
        app = make_app(sample_index)
        assert snap_compare(
            app, terminal_size=(80, 24), run_before=_reading("coalition budget")
        )


class TestOtherScreens:
    def test_help_screen(
        self, snap_compare: SnapCompare, sample_index: Locations
    ) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            assert isinstance(pilot.app, NewsdeskApp)
            no_blink(pilot.app)
            await settle(pilot)
            await pilot.press("escape", "question_mark")
            await pilot.pause()

        app = make_app(sample_index)
        assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)

    def test_empty_state(self, snap_compare: SnapCompare, tmp_path: Path) -> None:
        empty = tmp_path / "articles"
        empty.mkdir()
        locations = Locations((empty,), tmp_path / "ix")
        update_index(locations)

        async def run_before(pilot: Pilot[None]) -> None:
            assert isinstance(pilot.app, NewsdeskApp)
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(
            make_app(locations), terminal_size=(120, 36), run_before=run_before
        )
