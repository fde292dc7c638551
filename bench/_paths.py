"""Lets a bench script run as `python bench/NAME.py` import newsdesk and its
fellow bench modules: puts the repository and `bench/` first on `sys.path`.

A script imports it before anything from the repository or `bench/` (Python
finds it because a script's own folder leads `sys.path`), and takes `BENCH`
and `REPO` from it.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["BENCH", "REPO"]

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for _path in (str(REPO), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)
