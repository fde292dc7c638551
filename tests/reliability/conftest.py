"""Starts the zoo's subprocess runs early and prints what the tests tried."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import zoo_runs
from .counts import COUNTS, MEASURED, SECONDS, count
from .runner import Run
from .zoo_runs import CaseRuns, HeavyRuns, WholeZoo


def pytest_collection_finish(session: pytest.Session) -> None:
    # The zoo's newsdesk processes take most of this folder's run time and
    # need no test to finish first: start them now, beside the in-process
    # tests, when a test that judges them was collected.
    wanted = {"zoo", "heavy", "long_line"}
    if not session.config.option.collectonly and any(
        wanted & set(getattr(item, "fixturenames", ())) for item in session.items
    ):
        zoo_runs.start()


@pytest.fixture(scope="session")
def zoo() -> tuple[WholeZoo, dict[str, CaseRuns]]:
    """Every light zoo case's newsdesk runs (see `zoo_runs`)."""
    whole, runs = zoo_runs.zoo_runs().cases()
    count("zoo inputs tried", len(runs))
    return whole, runs


@pytest.fixture(scope="session")
def heavy() -> HeavyRuns:
    """The 5 MB line's and the 50 MB file's newsdesk runs."""
    runs = zoo_runs.zoo_runs().heavy_runs()
    count("zoo inputs tried", 2)
    return runs


@pytest.fixture(scope="session")
def long_line() -> tuple[Path, Path, Run]:
    """The 5 MB line's articles folder and index, built by `newsdesk index`."""
    return zoo_runs.zoo_runs().long_line_index()


def pytest_sessionfinish(session: pytest.Session) -> None:
    zoo_runs.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COUNTS and not MEASURED and not SECONDS:
        return
    terminalreporter.section("newsdesk reliability")
    for what, number in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{what:<40} {number:>9,}")
    for what, seconds in sorted(SECONDS.items()):
        terminalreporter.write_line(f"{what:<40} {seconds:>9.1f} s")
    for what, figure in sorted(MEASURED.items()):
        terminalreporter.write_line(f"{what:<40} {figure}")
