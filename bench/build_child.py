"""One index build or update in a fresh process, reported as one JSON line.

Run by `bench/run.py` so that each build starts cold and its peak memory is
its own: `ru_maxrss` of this process (the Whoosh writer) and of its children
(the parsing pool). The parent samples the summed RSS of the whole tree.

Usage::

    python bench/build_child.py ARTICLES_DIR INDEX_DIR (--rebuild | --update)
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from index.locations import Locations  # noqa: E402
from index.store import Progress, update_index  # noqa: E402

_REPORT_EVERY = 15.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("articles", type=Path)
    parser.add_argument("index", type=Path)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--rebuild", action="store_true")
    mode.add_argument("--update", action="store_true")
    args = parser.parse_args()
    last = [time.monotonic()]

    def progress(step: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= _REPORT_EVERY:
            last[0] = now
            print(
                f"  build: {step.phase} {step.done:,}/{step.total:,} files, "
                f"{step.articles:,} articles, {step.elapsed:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    started = time.perf_counter()
    summary = update_index(
        Locations((args.articles.resolve(),), args.index.resolve()),
        rebuild=args.rebuild,
        progress=progress,
    )
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "summary": summary.as_json(),
                "writer_max_rss": own.ru_maxrss * 1024,
                "pool_max_rss": children.ru_maxrss * 1024,
                "writer_cpu": own.ru_utime + own.ru_stime,
                "pool_cpu": children.ru_utime + children.ru_stime,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
