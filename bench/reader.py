"""How long opening an article in the reader takes: load, collapse, paint.

    python bench/reader.py [--repeats 9] [--query WORDS] [--paragraphs 5000]

Two articles: a typical one (the real BBC article nearest 600 words in 12 to
18 paragraphs) and a long one (`make_corpus.long_article`, 5,000 paragraphs,
seed 1: the file the reader's floors are set on). For each, the median and
p95 in ms of wall time and of CPU time (`time.process_time`, every thread of
this process) of:

* load: `index.loaders.load_file`;
* collapse: `index.collapse.collapse` of its paragraphs and title;
* show: `ArticleReader.show_article` in the real app (`tui.cli.make_app`, run
  headless with Pilot) until the next frame is painted, as `app_child.py`
  defines painted (the frame rendered to what a terminal would receive);
* open: the three in a row, from reading the file to that frame;
* counted: from the show to the frame whose border says how many matches
  there are (a long article is searched by a worker after the first paint).

The app opens an article from a search, and every paragraph is searched for
the query's words: by default the query is the article's title (its words of
four letters or more), which every search that found it by its title would
have; `--query WORDS` gives one for both articles, `--query ''` none (the
empty query). The machine's load average is printed with the figures: on a
loaded machine wall times say little, CPU times more.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import _paths  # noqa: F401  (puts the repository and bench/ on sys.path)
from app_child import FrameWatch
from make_corpus import long_article, read_donors
from measure import load_average, stats, timed
from whoosh.lang.porter import stem

from index.collapse import collapse
from index.loaders import load_file
from index.locations import Locations
from index.search import highlight_spans
from index.store import update_index
from tui.cli import make_app

WORK = Path("/tmp/newsdesk-bench/reader")
SIZE = (120, 36)
"""The terminal the app tests and `app_child.py` use."""

FIGURES = ("load", "collapse", "show", "open", "counted")
Samples = dict[str, dict[str, list[float]]]
"""Article name → figure name (wall time) or figure name + " cpu" → seconds."""


def typical_article(path: Path) -> Path:
    """Write the real BBC article nearest 600 words in 12 to 18 paragraphs."""
    donors = read_donors().articles["bbc"]
    fitting = [d for d in donors if 12 <= len(d.paragraphs) <= 18] or donors
    donor = min(
        fitting,
        key=lambda d: (abs(sum(len(p.split()) for p in d.paragraphs) - 600), d.title),
    )
    path.write_text(
        donor.title + "\n\n" + "\n\n".join(donor.paragraphs) + "\n", encoding="utf-8"
    )
    return path


def _stems(query: str) -> frozenset[str]:
    words = (word.lower() for word in re.findall(r"\w+", query))
    return frozenset(stem(word) for word in words if len(word) >= 4)


def _record(
    samples: dict[str, list[float]], name: str, wall: float, cpu: float
) -> None:
    samples.setdefault(name, []).append(wall)
    samples.setdefault(name + " cpu", []).append(cpu)


async def measure(
    files: dict[str, Path], locations: Locations, query: str | None, repeats: int
) -> Samples:
    app = make_app(locations)
    watch = FrameWatch(app)
    out: Samples = {name: {} for name in files}
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        reader = app.reader
        # One warm-up round (imports, caches), then the timed ones; the two
        # articles alternate so every show replaces a different article.
        for round_number in range(repeats + 1):
            for name, path in files.items():
                samples = out[name]
                cpu_started, started = time.process_time(), time.perf_counter()
                load_wall, load_cpu, loaded = timed(partial(load_file, path))
                article = loaded.articles[0]
                stems = _stems(article.title if query is None else query)
                collapse_wall, collapse_cpu, view = timed(
                    partial(collapse, article.paragraphs, article.title)
                )

                def showing(article: Any = article) -> bool:
                    return reader.article is article

                def counted(article: Any = article, stems: Any = stems) -> bool:
                    subtitle = str(reader.border_subtitle)
                    return showing(article) and (not stems or "n/N" in subtitle)

                if stems and not any(
                    highlight_spans(text, stems)
                    for text in (article.title, *article.paragraphs)
                ):
                    raise SystemExit(f"{path.name}: no word of the query in it")

                # The last article's count, until the app hears of this one's.
                reader.border_subtitle = ""
                frame = watch.expect(showing)
                counted_frame = watch.expect(counted)
                show_cpu, show_started = time.process_time(), time.perf_counter()
                reader.show_article(article, view, stems)
                painted = await asyncio.wait_for(frame, 60)
                ended_cpu = time.process_time()
                all_counted = await asyncio.wait_for(counted_frame, 60)
                counted_cpu = time.process_time()
                if round_number == 0:
                    continue
                _record(samples, "load", load_wall, load_cpu)
                _record(samples, "collapse", collapse_wall, collapse_cpu)
                _record(samples, "show", painted - show_started, ended_cpu - show_cpu)
                _record(samples, "open", painted - started, ended_cpu - cpu_started)
                _record(
                    samples,
                    "counted",
                    all_counted - show_started,
                    counted_cpu - show_cpu,
                )
                # Let the scroll that follows the paint and any repaint finish.
                await pilot.pause(0.05)
    return out


def report(out: Samples, load: str) -> None:
    print(f"load average before: {load}; after: {load_average()}")
    heads = f"{'wall median':>12}{'p95':>8}{'cpu median':>12}{'p95':>8}"
    print(f"{'article':9}{'figure':10}{heads}")
    for name, samples in out.items():
        for figure in FIGURES:
            wall, cpu = stats(samples[figure]), stats(samples[figure + " cpu"])
            print(
                f"{name:9}{figure:10}{wall.median * 1000:12.1f}{wall.p95 * 1000:8.1f}"
                f"{cpu.median * 1000:12.1f}{cpu.p95 * 1000:8.1f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--paragraphs", type=int, default=5000)
    parser.add_argument("--query", help="words to highlight (default: the title)")
    args = parser.parse_args()
    articles = WORK / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    big = articles / f"long-{args.paragraphs}.txt"
    if not big.exists():
        long_article(big, args.paragraphs, 1, read_donors())
    typical = articles / "typical.txt"
    if not typical.exists():
        typical_article(typical)
    locations = Locations((articles,), WORK / "index")
    update_index(locations)
    load = load_average()
    out = asyncio.run(
        measure({"typical": typical, "big": big}, locations, args.query, args.repeats)
    )
    report(out, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
