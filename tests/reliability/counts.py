"""Counts and measurements the reliability tests report at the end of a run.

Tests add to `COUNTS` and `MEASURED`; `conftest.pytest_terminal_summary`
prints them, so every run shows how much was tried, not only that it passed.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict

__all__ = ["COUNTS", "MEASURED", "SECONDS", "count", "measured", "spent"]

COUNTS: Counter[str] = Counter()
"""How many of each thing the tests tried: `zoo inputs`, `queries fuzzed`, …"""

MEASURED: dict[str, str] = {}
"""Figures worth reading: peak memory of the 50 MB file, and the like."""


SECONDS: defaultdict[str, float] = defaultdict(float)
"""Time spent on a kind of work, summed: `searching fuzzed queries`, …"""

_LOCK = threading.Lock()
"""Counts come from test threads and from the zoo's runner threads."""


def count(what: str, number: int = 1) -> None:
    with _LOCK:
        COUNTS[what] += number


def measured(what: str, figure: str) -> None:
    with _LOCK:
        MEASURED[what] = figure


def spent(what: str, seconds: float) -> None:
    with _LOCK:
        SECONDS[what] += seconds
