"""Where newsdesk spends its time: profiles of a build, a query kind, the reader.

    python bench/hotspots.py build  --size 10000     # py-spy, every process
    python bench/hotspots.py query  --size 10000 --kind fuzzy
    python bench/hotspots.py reader --paragraphs 5000

`build` runs `bench/build_child.py` under `py-spy record --subprocesses`
(pip install py-spy) so the parsing processes are seen too; without py-spy,
pyinstrument profiles the writer process only. `query` and `reader` use
pyinstrument in this process. Each prints the functions with the most time
of their own ("self") and the most time including what they call ("total"),
and saves the full profile under /tmp/newsdesk-bench/profiles/.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _paths import BENCH, REPO
from make_corpus import (
    DEFAULT_SEED,
    default_corpus_dir,
    ensure_corpus,
    long_article,
)
from queries import KINDS, make_queries

from index.collapse import collapse
from index.loaders import load_file
from index.locations import Locations
from index.search import ArticleIndex
from index.store import read_meta, update_index

OUT = Path("/tmp/newsdesk-bench/profiles")
_LINE = re.compile(r":\d+\)$")
TOP = 15


def _short(path: str) -> str:
    for marker in ("/site-packages/", str(REPO) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


Times = defaultdict[str, float]


def _top(times: Times) -> list[tuple[str, float]]:
    return sorted(times.items(), key=lambda item: -item[1])


def _print_top(title: str, own: Times, total: Times, whole: float) -> None:
    print(f"\n{title}: top {TOP} by own time (of {whole:.1f} s sampled)")
    for name, seconds in _top(own)[:TOP]:
        print(f"  {seconds / whole:6.1%}  {seconds:8.2f} s  {name}")
    print(f"\n{title}: top {TOP} by total time, newsdesk and whoosh frames")
    shown = 0
    for name, seconds in _top(total):
        if not any(part in name for part in ("index/", "tui/", "whoosh/")):
            continue
        print(f"  {seconds / whole:6.1%}  {seconds:8.2f} s  {name}")
        shown += 1
        if shown == TOP:
            break


def _pyinstrument(call: Callable[[], object], name: str) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    call()
    profiler.stop()
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / f"{name}.html"
    report.write_text(profiler.output_html(), encoding="utf-8")
    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    assert root is not None
    own: Times = defaultdict(float)
    total: Times = defaultdict(float)

    def walk(frame: Any, stack: frozenset[str], parent: str) -> None:
        if frame.is_synthetic:
            # pyinstrument's "[self]" and "[await]" leaves: the parent's own time.
            own[parent] += frame.time
            return
        # One entry per function, as for py-spy.
        key = f"{frame.function} ({_short(frame.file_path or '')})"
        children = list(frame.children)
        own[key] += frame.time - sum(child.time for child in children)
        if key not in stack:
            total[key] += frame.time
        for child in children:
            walk(child, stack | {key}, key)

    walk(root, frozenset(), "")
    _print_top(name, own, total, root.time)
    print(f"\nfull profile: {report}")


_RATE = 200


def _pyspy(args: list[str], name: str) -> bool:
    if shutil.which("py-spy") is None:
        return False
    OUT.mkdir(parents=True, exist_ok=True)
    raw = OUT / f"{name}.txt"
    status = subprocess.run(
        [
            "py-spy",
            "record",
            "--subprocesses",
            "--rate",
            str(_RATE),
            "--format",
            "raw",
            "--output",
            str(raw),
            "--",
            sys.executable,
            *args,
        ],
        cwd=REPO,
        check=False,
    ).returncode
    if status != 0 or not raw.exists():
        print("py-spy failed (no ptrace?); using pyinstrument", file=sys.stderr)
        return False
    summarise_raw(raw, name)
    return True


def summarise_raw(raw: Path, name: str, rate: int = _RATE) -> None:
    """Top functions from py-spy's collapsed stacks (`a;b;c COUNT` lines)."""
    own: Times = defaultdict(float)
    total: Times = defaultdict(float)
    samples = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        # One entry per function: drop the line number py-spy gives.
        frames = [_LINE.sub(")", _short(frame)) for frame in stack.split(";")]
        own[frames[-1]] += count / rate
        for frame in set(frames):
            total[frame] += count / rate
    _print_top(name, own, total, samples / rate)
    print(f"\nfull profile (collapsed stacks): {raw}")


def _index_for(size: int, seed: int) -> tuple[Path, Path]:
    corpus = default_corpus_dir(size, seed)
    ensure_corpus(size, corpus, seed)
    index = OUT.parent / f"profile-index-{size}"
    if read_meta(index) is None:
        print(f"building an index of {size:,} articles in {index} …", file=sys.stderr)
        update_index(Locations((corpus,), index), rebuild=True)
    return corpus, index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("build", "query", "reader"))
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--kind", choices=KINDS, default="fuzzy")
    parser.add_argument("--paragraphs", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    if args.what == "build":
        corpus = default_corpus_dir(args.size, args.seed)
        ensure_corpus(args.size, corpus, args.seed)
        # Kept: `query` profiles reuse it.
        index = OUT.parent / f"profile-index-{args.size}"
        child = [str(BENCH / "build_child.py"), str(corpus), str(index), "--rebuild"]
        started = time.perf_counter()
        if not _pyspy(child, f"build-{args.size}"):
            from build_child import main as build

            sys.argv = ["build_child.py", *child[1:]]
            _pyinstrument(build, f"build-{args.size}")
        print(f"build took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    elif args.what == "query":
        _corpus, index_dir = _index_for(args.size, args.seed)
        queries = make_queries(index_dir, args.seed).of_kind(args.kind)
        searcher = ArticleIndex(index_dir)

        def run() -> None:
            for _ in range(args.repeats):
                for query in queries:
                    searcher.search(
                        query.text, limit=20, complete_last_word=query.complete
                    )

        slug = args.kind.replace(" ", "-").replace("+", "and")
        _pyinstrument(run, f"query-{slug}-{args.size}")
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"long-{args.paragraphs}.txt"
        long_article(path, args.paragraphs, args.seed)

        def read() -> None:
            for _ in range(args.repeats):
                article = load_file(path).articles[0]
                collapse(article.paragraphs, article.title)

        _pyinstrument(read, f"reader-{args.paragraphs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
