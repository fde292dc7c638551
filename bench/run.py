"""Run every newsdesk benchmark on one corpus size and write the report.

    python bench/run.py --size 10000     # by hand: the report in docs/
    python bench/run.py --smoke          # CI: 1,000 articles, under a minute
    python bench/run.py --render-only    # the report again from bench/results/

Steps, all on the same files (a scratch copy of the generated corpus, so the
1 % change never touches the corpus or `../shared`):

1. the corpus (`bench/make_corpus.py`), made when missing;
2. a full build in a fresh process: articles/s, MB/s, CPU seconds, peak RSS
   of the process tree (sampled from /proc), index size;
3. searches by kind over the query set (`bench/queries.py`), each returning
   the first page (20 hits) with snippets, one warm-up pass, then repeated
   passes: median and p95 of wall time, median of CPU time;
4. the same queries with tantivy (after parsing the files with newsdesk's
   loaders and indexing them), and `rg -il` for each query's word;
5. the reader: `load_file` + `collapse` of a typical article and of one of
   5,000 paragraphs;
6. the app, in fresh processes (`bench/app_child.py`): launch to first paint,
   keystroke to results painted, reader open, memory;
7. incremental updates: nothing changed, then 1 % of the files changed.

A full run saves its figures in `bench/results/N.json` and renders
`docs/benchmarks.md` from every saved size, followed by the index design
choices that `bench/index_choices.py` saved. `--smoke` writes its report to
`/tmp/newsdesk-bench/smoke.md` unless `--output` says otherwise, and saves
nothing in the repository. The machine may be shared: every section records
the load average, and CPU times are given beside wall times because they
suffer less from other processes.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import random
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from _paths import BENCH, REPO
from make_corpus import (
    DEFAULT_SEED,
    default_corpus_dir,
    ensure_corpus,
    long_article,
    read_donors,
)
from measure import (
    folder_bytes,
    git_commit,
    load_average,
    machine,
    run_child,
    stats,
    timed,
)
from queries import KINDS, BenchQuery, make_queries
from report import render, render_choices

from index.collapse import collapse
from index.loaders import load_file
from index.search import ArticleIndex
from tui.widgets.results import PAGE_SIZE as APP_PAGE

WORK = Path("/tmp/newsdesk-bench")
RESULTS = BENCH / "results"
DOC = REPO / "docs" / "benchmarks.md"
CHOICES = RESULTS / "choices" / "index.json"
"""`bench/index_choices.py`'s figures, in a folder of their own: every
`RESULTS/*.json` is one corpus size."""
FIRST_PAGE = 20
"""Hits per search with snippets: the CLI's default page."""
BIG_PARAGRAPHS = 5000
FEW_HITS = 3
"""Below this many hits newsdesk also looks for a spelling correction
(`index.search._CORRECT_BELOW`), which costs more than the search."""
CHANGED_SHARE = 0.01


@dataclass(frozen=True)
class Settings:
    size: int
    smoke: bool
    seed: int
    repeats: int
    """Timed passes over the query set."""
    rg_queries: int
    """Queries per kind that rg runs."""
    rg_repeats: int
    reader_repeats: int
    app_runs: int
    launch_runs: int
    """Further launches, timed to the first results and no further: a
    launch is short and the machine noisy, so its median needs more than
    `app_runs` samples."""
    typed_words: int
    noop_repeats: int
    baselines: bool
    app: bool
    per_kind: int
    """Queries of each kind (the prefix kind types `per_kind // 2` words)."""
    big_paragraphs: int


def _settings(args: argparse.Namespace) -> Settings:
    if args.smoke:
        # Every step runs, on less: the point is that the benchmark keeps working.
        return Settings(
            size=1000,
            smoke=True,
            seed=args.seed,
            repeats=1,
            rg_queries=2,
            rg_repeats=1,
            reader_repeats=3,
            app_runs=1,
            launch_runs=1,
            typed_words=1,
            noop_repeats=1,
            baselines=not args.no_baselines,
            app=not args.no_app,
            per_kind=3,
            big_paragraphs=1000,
        )
    return Settings(
        size=args.size,
        smoke=False,
        seed=args.seed,
        repeats=args.repeats,
        rg_queries=4,
        rg_repeats=3,
        reader_repeats=20,
        app_runs=args.app_runs,
        launch_runs=args.launch_runs,
        typed_words=3,
        noop_repeats=3,
        baselines=not args.no_baselines,
        app=not args.no_app,
        per_kind=8,
        big_paragraphs=BIG_PARAGRAPHS,
    )


def say(text: str) -> None:
    print(text, flush=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _scratch(settings: Settings) -> Path:
    """A fresh scratch folder of ours under /tmp/newsdesk-bench."""
    scratch = WORK / f"work-{settings.size}"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    return scratch


# --- build ------------------------------------------------------------------


def _build(articles: Path, index: Path, mode: str) -> dict[str, Any]:
    child = run_child(
        [str(BENCH / "build_child.py"), str(articles), str(index), f"--{mode}"]
    )
    answer = child.answer
    summary = answer["summary"]
    return {
        "wall": child.wall,
        "seconds": answer["seconds"],
        "cpu": child.tree_cpu,
        "writer_cpu": answer["writer_cpu"],
        "peak_tree_rss": child.peak_tree_rss,
        "writer_max_rss": answer["writer_max_rss"],
        "articles": summary["articles"],
        "new": summary["new"],
        "changed": summary["changed"],
        "removed": summary["removed"],
        "skipped": len(summary["skipped"]),
    }


def bench_build(
    settings: Settings, articles: Path, index: Path, corpus: dict[str, Any]
) -> dict[str, Any]:
    say(f"build: {corpus['articles']:,} articles in {corpus['files']:,} files …")
    load = load_average()
    build = _build(articles, index, "rebuild")
    seconds = build["seconds"]
    build.update(
        {
            "articles_per_s": build["articles"] / seconds,
            "articles_per_cpu_s": build["articles"] / build["cpu"],
            "mb_per_s": corpus["bytes"] / 1_048_576 / seconds,
            "index_bytes": folder_bytes(index),
            "load": load,
        }
    )
    say(
        f"  {seconds:.1f} s, {build['articles_per_s']:.0f} articles/s, "
        f"{build['mb_per_s']:.2f} MB/s, CPU {build['cpu']:.1f} s, "
        f"peak RSS {build['peak_tree_rss'] / 1_048_576:.0f} MB (tree), "
        f"index {build['index_bytes'] / 1_048_576:.0f} MB"
    )
    return build


def _change_files(articles: Path, seed: int) -> dict[str, int]:
    """Change 1 % of the files, as an editor or a re-scrape would."""
    files = sorted(
        path
        for path in articles.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )
    rng = random.Random(f"{seed}:change")
    chosen = rng.sample(files, max(1, round(CHANGED_SHARE * len(files))))
    articles_changed = 0
    note = "Updated: this paragraph was added after the first scrape."
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            lines = text.splitlines()
            record = json.loads(lines[0])
            record["text"] += "\n\n" + note
            lines[0] = json.dumps(record, ensure_ascii=False, sort_keys=True)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            articles_changed += len([line for line in lines if line.strip()])
        else:
            path.write_text(text.rstrip("\n") + "\n\n" + note + "\n", encoding="utf-8")
            articles_changed += 1
    return {"files": len(chosen), "articles": articles_changed}


def bench_incremental(
    settings: Settings, articles: Path, index: Path
) -> dict[str, Any]:
    say("incremental: nothing changed …")
    load = load_average()
    noop = [_build(articles, index, "update") for _ in range(settings.noop_repeats)]
    say(f"  median {stats([run['seconds'] for run in noop]).median:.2f} s")
    say("incremental: 1 % of the files changed …")
    changed = _change_files(articles, settings.seed)
    update = _build(articles, index, "update")
    say(
        f"  {changed['files']:,} files ({changed['articles']:,} articles) "
        f"re-indexed in {update['seconds']:.1f} s"
    )
    return {
        "noop": stats([run["seconds"] for run in noop]).as_json(),
        "noop_cpu": stats([run["cpu"] for run in noop]).median,
        "noop_peak_rss": max(run["peak_tree_rss"] for run in noop),
        "changed": {**update, **{"files_changed": changed["files"]}},
        "changed_articles": changed["articles"],
        "load": load,
    }


# --- queries ----------------------------------------------------------------


def _passes(
    queries: list[BenchQuery],
    search: Callable[[BenchQuery], int],
    repeats: int,
) -> dict[str, dict[str, list[float]]]:
    """One warm-up pass, then `repeats` timed passes; samples by kind."""
    samples: dict[str, dict[str, list[float]]] = {}
    for query in queries:
        search(query)
    for _ in range(repeats):
        for query in queries:
            wall, cpu, total = timed(partial(search, query))
            kind = samples.setdefault(query.kind, {"wall": [], "cpu": [], "total": []})
            kind["wall"].append(wall)
            kind["cpu"].append(cpu)
            kind["total"].append(float(total))
    return samples


def _summary(samples: dict[str, list[float]]) -> dict[str, Any]:
    return {
        **stats(samples["wall"]).as_json(),
        "cpu": stats(samples["cpu"]).median,
        "cpu_p95": stats(samples["cpu"]).p95,
        "hits": stats(samples["total"]).median,
        "few_hits": sum(1 for total in samples["total"] if total < FEW_HITS)
        / max(1, len(samples["total"])),
    }


def bench_queries(
    settings: Settings, index_dir: Path
) -> tuple[dict[str, Any], list[BenchQuery]]:
    say("queries: newsdesk …")
    load = load_average()
    query_set = make_queries(index_dir, settings.seed, settings.per_kind)
    queries = query_set.queries

    # Cold: open the index and run a first query with snippets.
    first = next(q for q in queries if q.kind == "common term")
    opens = []
    for _ in range(3):
        gc.collect()

        def open_and_search() -> int:
            index = ArticleIndex(index_dir)
            try:
                return index.search(first.text, limit=FIRST_PAGE).total
            finally:
                index.close()

        opens.append(timed(open_and_search)[0])

    index = ArticleIndex(index_dir)

    def newsdesk(query: BenchQuery, limit: int = FIRST_PAGE) -> int:
        result = index.search(
            query.text, limit=limit, complete_last_word=query.complete
        )
        if result.error:
            raise RuntimeError(f"{query.text!r}: {result.error}")
        return result.total

    samples = _passes(queries, newsdesk, settings.repeats)
    kinds: dict[str, Any] = {}
    for kind in KINDS:
        if kind in samples:
            kinds[kind] = {
                "newsdesk": _summary(samples[kind]),
                "queries": [q.text for q in query_set.of_kind(kind)],
            }
            figure = kinds[kind]["newsdesk"]
            say(
                f"  {kind:20} median {_ms(figure['median'])}, p95 "
                f"{_ms(figure['p95'])} (CPU {_ms(figure['cpu'])}), "
                f"{figure['hits']:.0f} hits"
            )
    typing = query_set.of_kind("prefix as you type")
    app_page = _passes(
        typing, lambda query: newsdesk(query, APP_PAGE), settings.repeats
    )
    kinds["prefix as you type"]["newsdesk_app_page"] = _summary(
        app_page["prefix as you type"]
    )
    index.close()
    return {
        "kinds": kinds,
        "open_first_query": stats(opens).as_json(),
        "app_page": APP_PAGE,
        "vocabulary": query_set.vocabulary,
        "load": load,
    }, queries


def bench_rg(
    settings: Settings,
    articles: Path,
    queries: list[BenchQuery],
    results: dict[str, Any],
) -> None:
    from baselines import rg_available, rg_seconds

    if not rg_available():
        say("rg: not installed, skipped")
        return
    say("rg -il …")
    for kind in KINDS:
        words = list(dict.fromkeys(q.rg for q in queries if q.kind == kind))
        if not words:
            continue
        picked = words[:: max(1, len(words) // settings.rg_queries)][
            : settings.rg_queries
        ]
        rg_seconds(picked[0], articles)
        samples = [
            rg_seconds(word, articles)
            for _ in range(settings.rg_repeats)
            for word in picked
        ]
        results["kinds"][kind]["rg"] = {**stats(samples).as_json(), "words": picked}
        say(f"  {kind:20} median {_ms(stats(samples).median)}")


def bench_tantivy(
    settings: Settings,
    articles: Path,
    scratch: Path,
    queries: list[BenchQuery],
    results: dict[str, Any],
) -> dict[str, Any] | None:
    from baselines import TantivyBaseline, load_documents, tantivy_available

    if not tantivy_available():
        say("tantivy: not installed (pip install '.[bench]'), skipped")
        return None
    say("tantivy: parsing the files with newsdesk's loaders …")
    load = load_average()
    parse_wall, _parse_cpu, documents = timed(lambda: load_documents(articles))
    say(f"  {len(documents):,} documents in {parse_wall:.1f} s")
    baseline = TantivyBaseline(scratch / "tantivy")
    build_cpu = time.process_time()
    seconds = baseline.build(documents)
    build_cpu = time.process_time() - build_cpu
    count = len(documents)
    del documents
    gc.collect()
    say(f"  indexed in {seconds:.2f} s ({count / seconds:,.0f} articles/s)")
    samples = _passes(
        queries, lambda query: baseline.search(query, FIRST_PAGE)[0], settings.repeats
    )
    for kind, kind_samples in samples.items():
        results["kinds"][kind]["tantivy"] = _summary(kind_samples)
        figure = results["kinds"][kind]["tantivy"]
        say(f"  {kind:20} median {_ms(figure['median'])}, {figure['hits']:.0f} hits")
    return {
        "parse_seconds": parse_wall,
        "documents": count,
        "build_seconds": seconds,
        "build_cpu": build_cpu,
        "articles_per_s": count / seconds,
        "index_bytes": folder_bytes(scratch / "tantivy"),
        "load": load,
    }


# --- reader -----------------------------------------------------------------


def _typical_article(articles: Path) -> Path:
    """The `.txt` article of median size."""
    files = sorted(
        (path.stat().st_size, path.as_posix())
        for path in (articles / "txt").rglob("*.txt")
    )
    return Path(files[len(files) // 2][1])


def bench_reader(settings: Settings, typical: Path, big: Path) -> dict[str, Any]:
    say("reader: load + collapse …")
    load = load_average()
    out: dict[str, Any] = {"load": load}
    for name, path, repeats in (
        ("typical", typical, settings.reader_repeats * 5),
        ("big", big, settings.reader_repeats),
    ):

        def read(path: Path = path) -> int:
            article = load_file(path).articles[0]
            return collapse(article.paragraphs, article.title).collapsed_count

        walls, cpus = [], []
        collapsed = read()
        for _ in range(repeats):
            wall, cpu, _ = timed(read)
            walls.append(wall)
            cpus.append(cpu)
        paragraphs = len(load_file(path).articles[0].paragraphs)
        out[name] = {
            **stats(walls).as_json(),
            "cpu": stats(cpus).median,
            "paragraphs": paragraphs,
            "collapsed": collapsed,
            "bytes": path.stat().st_size,
        }
        say(
            f"  {name}: {paragraphs:,} paragraphs, median "
            f"{_ms(stats(walls).median)}, p95 {_ms(stats(walls).p95)}"
        )
    return out


# --- app --------------------------------------------------------------------


def bench_app(
    settings: Settings,
    articles: Path,
    index: Path,
    queries: list[BenchQuery],
    typical: Path,
    big: Path,
) -> dict[str, Any]:
    say("app: Pilot in a fresh process …")
    # `pip install` compiles newsdesk's modules; a checkout run with
    # PYTHONDONTWRITEBYTECODE (as here) would compile them again at every
    # launch (about 40 ms) and count it as import time.
    for package in ("index", "tui"):
        compileall.compile_dir(REPO / package, quiet=1)
    load = load_average()
    typed = list(
        dict.fromkeys(
            q.text
            for q in queries
            if q.kind == "prefix as you type" and q.text.endswith(q.prefix)
        )
    )
    words = [
        text
        for text in typed
        if not any(other != text and other.startswith(text) for other in typed)
    ][: settings.typed_words]
    child_args = [
        str(BENCH / "app_child.py"),
        str(articles),
        str(index),
        "--typical",
        str(typical),
        "--big",
        str(big),
        "--reader-repeats",
        str(max(2, settings.reader_repeats // 4)),
        "--type",
        *words,
    ]
    runs: list[dict[str, Any]] = []
    launches: list[dict[str, Any]] = []
    """Every run's launch figures: the full runs' and the launch-only runs'."""
    for number in range(settings.app_runs + settings.launch_runs):
        full = number < settings.app_runs
        started_wall = time.time()
        child = run_child(child_args if full else [*child_args, "--launch-only"])
        answer = child.answer
        answer["process_first_frame"] = answer["first_frame_wall"] - started_wall
        answer["process_first_results"] = answer["first_results_wall"] - started_wall
        launches.append(answer)
        if full:
            answer["tree_peak_rss"] = child.peak_tree_rss
            runs.append(answer)
    keystrokes = [k for run in runs for k in run["keystrokes"]]
    out = {
        "words": words,
        "runs": len(runs),
        "launches": len(launches),
        "launch_first_frame": stats(
            [r["launch_first_frame"] for r in launches]
        ).as_json(),
        "launch_first_results": stats(
            [r["launch_first_results"] for r in launches]
        ).as_json(),
        "process_first_frame": stats(
            [r["process_first_frame"] for r in launches]
        ).as_json(),
        "process_first_results": stats(
            [r["process_first_results"] for r in launches]
        ).as_json(),
        "first_frame_cpu": stats([r["first_frame_cpu"] for r in launches]).median,
        "imports": stats([r["imports"] for r in launches]).median,
        "search_delay": runs[0].get("search_delay", 0.05),
        "keystroke": stats([k["latency"] for k in keystrokes]).as_json(),
        "keystroke_search": stats(
            [k["search"] for k in keystrokes if k["search"] is not None]
        ).as_json(),
        "keystroke_search_cpu": stats(
            [k["search_cpu"] for k in keystrokes if k.get("search_cpu") is not None]
        ).median,
        "keystrokes": len(keystrokes),
        "burst": stats([b["latency"] for r in runs for b in r["bursts"]]).as_json(),
        "reader_typical": stats(
            [t for r in runs for t in r["reader"]["typical"]]
        ).as_json(),
        "reader_big": stats([t for r in runs for t in r["reader"]["big"]]).as_json(),
        "reader_typical_at_once": stats(
            [t for r in runs for t in r["reader"]["typical_at_once"]]
        ).as_json(),
        "rss": max(r["rss"] for r in runs),
        "peak_rss": max(r["peak_rss"] for r in runs),
        "slowest_keystrokes": sorted(
            (
                {"text": k["text"], "latency": k["latency"], "search": k["search"]}
                for k in keystrokes
            ),
            key=lambda k: -float(k["latency"]),
        )[:5],
        "load": load,
    }
    say(
        f"  launch {_ms(out['launch_first_frame']['median'])} to first frame, "
        f"{_ms(out['launch_first_results']['median'])} to results; keystroke "
        f"median {_ms(out['keystroke']['median'])}, "
        f"p95 {_ms(out['keystroke']['p95'])}; "
        f"reader {_ms(out['reader_typical']['median'])} / "
        f"{_ms(out['reader_big']['median'])}; RSS {out['rss'] / 1_048_576:.0f} MB"
    )
    return out


# --- main -------------------------------------------------------------------


def _saved_results() -> list[dict[str, Any]]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(RESULTS.glob("*.json"), key=lambda p: int(p.stem))
    ]


def write_report(output: Path) -> None:
    """The report from every saved size, then the index design choices."""
    choices = (
        json.loads(CHOICES.read_text(encoding="utf-8")) if CHOICES.exists() else None
    )
    output.write_text(
        render(_saved_results()) + render_choices(choices), encoding="utf-8"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="articles")
    parser.add_argument("--smoke", action="store_true", help="1,000 articles, fast")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeats", type=int, default=5, help="timed query passes")
    parser.add_argument("--app-runs", type=int, default=3)
    parser.add_argument("--launch-runs", type=int, default=12)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-app", action="store_true")
    parser.add_argument(
        "--output", type=Path, help="report file (default: see the module docstring)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch folder and index"
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="only write the report again from bench/results/",
    )
    args = parser.parse_args()
    if args.render_only:
        output = args.output or DOC
        write_report(output)
        say(f"report: {output}")
        return 0
    settings = _settings(args)
    started = time.monotonic()

    corpus_dir = default_corpus_dir(settings.size, settings.seed)
    corpus = ensure_corpus(settings.size, corpus_dir, settings.seed).as_json()
    scratch = _scratch(settings)
    articles = scratch / "articles"
    index = scratch / "index"
    say(f"copying the corpus to {articles} …")
    shutil.copytree(corpus_dir, articles)
    big = scratch / f"long-{settings.big_paragraphs}.txt"
    long_article(big, settings.big_paragraphs, settings.seed, read_donors())
    typical = _typical_article(articles)

    results: dict[str, Any] = {
        "size": settings.size,
        "smoke": settings.smoke,
        "seed": settings.seed,
        "settings": settings.__dict__,
        "machine": machine(),
        "commit": git_commit(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus": corpus,
        "load_start": load_average(),
    }
    results["build"] = bench_build(settings, articles, index, corpus)
    results["queries"], queries = bench_queries(settings, index)
    if settings.baselines:
        bench_rg(settings, articles, queries, results["queries"])
        tantivy = bench_tantivy(
            settings, articles, scratch, queries, results["queries"]
        )
        if tantivy is not None:
            results["tantivy"] = tantivy
    results["reader"] = bench_reader(settings, typical, big)
    if settings.app:
        results["app"] = bench_app(settings, articles, index, queries, typical, big)
    results["incremental"] = bench_incremental(settings, articles, index)
    results["load_end"] = load_average()
    results["seconds"] = time.monotonic() - started

    if settings.smoke:
        output = args.output or WORK / "smoke.md"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render([results]), encoding="utf-8")
    else:
        RESULTS.mkdir(exist_ok=True)
        saved = RESULTS / f"{settings.size}.json"
        saved.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        output = args.output or DOC
        write_report(output)
    if not args.keep:
        shutil.rmtree(scratch)
    say(f"done in {results['seconds']:.0f} s; report: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
