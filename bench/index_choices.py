"""The index design choices of issue #3, measured on one subset of the corpus.

    python bench/index_choices.py [--files N] [--builds N] [--writes N] [--keep]

Issue #3 asks that two things be decided by measurement: whether to use both
cores, and what the index stores rather than reads back from the files. All
four parts below use the same N files (every k-th file of the 10,000-article
bench corpus, a scratch copy), and every build runs in a fresh process whose
whole process tree is sampled for CPU time and peak RSS (`measure.run_child`).
The builds of each part are interleaved, `--builds` of each kind in part 1
and `--writes` in parts 2 and 3, and the figures are their medians:

1. one core or two: a full build (`update_index(rebuild=True)`) as shipped,
   one worker process per core, against the same build in one process; on
   the N files and on a quarter of them;
2. Whoosh's own multiprocessing writer: the same documents, parsed beforehand
   (not timed), written by `ix.writer()`, `ix.writer(procs=2,
   multisegment=True)` and `ix.writer(procs=2)` (segments merged);
3. schema choices, one writer process on those documents: the shipped
   schema, Whoosh's stock `StemmingAnalyzer` with and without
   `spelling=True`, compound segment files (Whoosh's default), and the body
   not stored; build CPU, index size, and the RSS that a fresh process gains
   by opening the index and running one search;
4. stored body or read back: the first page of 20 hits with snippets cut
   from the stored body, against a search of the index without it plus
   reading those 20 articles back from their files (`load_file` + `collapse`,
   as the app's reader does).

The figures go to `bench/results/choices/index.json` (a folder of its own:
`bench/run.py` reads every `bench/results/*.json` as a corpus size) and into
`docs/benchmarks.md` as the section "Index design choices", after the
sections `bench/run.py` writes. The machine may be shared: the load average
is recorded before each part, CPU times are given beside wall times, and
every ratio compares figures taken in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import resource
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import _paths  # noqa: F401  (puts the repository and bench/ on sys.path)
from make_corpus import default_corpus_dir, ensure_corpus
from measure import (
    ChildResult,
    folder_bytes,
    git_commit,
    load_average,
    machine,
    run_child,
    stats,
    timed,
)
from run import CHOICES, DOC, write_report
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import TEXT

import index.store as store
from index.analysis import stemmed_text
from index.article import ArticleError
from index.collapse import collapse
from index.discover import scan_folders
from index.loaders import load_file, split_record_id
from index.locations import Locations
from index.search import ArticleIndex, Hit
from index.store import IndexMeta, article_document, make_schema

WORK = Path("/tmp/newsdesk-bench/choices")
CORPUS_SIZE = 10_000
DEFAULT_FILES = 2400
"""About 2,650 articles: the whole script then takes 5 to 8 minutes on two
shared cores."""
SMALL_SHARE = 4
"""Part 1 also builds every 4th of the files."""
FIRST_PAGE = 20
PAGE_REPEATS = 10
QUERIES = (
    "government",
    "police",
    "market",
    "minister",
    "president",
    "people",
    "economic growth",
    "prime minister",
)
"""Common words of news: every one finds more than a page of hits."""
GENERATION = "gen-bench"
MB = 1_048_576

WRITERS = {
    "ix.writer()": {"procs": 1, "multisegment": False},
    "ix.writer(procs=2, multisegment=True)": {"procs": 2, "multisegment": True},
    "ix.writer(procs=2)": {"procs": 2, "multisegment": False},
}
"""Part 2, by label: the writer's arguments (all write `compound=False`)."""


class Variant(NamedTuple):
    """One index of part 3."""

    label: str
    schema: str
    """`shipped`, `stock` (Whoosh's StemmingAnalyzer), `spelling` (the same
    with `spelling=True`) or `bare` (the body not stored)."""
    compound: bool


SCHEMAS = {
    "shipped": Variant("shipped", "shipped", False),
    "stock": Variant("stock StemmingAnalyzer", "stock", False),
    "spelling": Variant("stock StemmingAnalyzer, spelling=True", "spelling", False),
    "compound": Variant("compound=True", "shipped", True),
    "bare": Variant("body not stored", "bare", False),
}
"""Part 3's indexes, by folder name."""


def say(text: str) -> None:
    print(text, flush=True)


def _ms(seconds: float) -> str:
    if seconds < 0.1:
        return f"{seconds * 1000:,.1f} ms"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _table(header: list[str], rows: list[list[str]]) -> None:
    """Print an aligned table to the terminal."""
    widths = [max(len(row[n]) for row in [header, *rows]) for n in range(len(header))]
    for row in [header, *rows]:
        say(
            "  "
            + "  ".join(
                cell.rjust(width) for cell, width in zip(row, widths, strict=True)
            )
        )
    say("")


def _run(child: str, **arguments: Any) -> tuple[dict[str, Any], ChildResult]:
    """Run one of this script's children in a fresh process."""
    result = run_child([__file__, "--child", child, json.dumps(arguments)])
    return result.answer, result


# --- children: each runs in a fresh process and prints one JSON line -------


def _cpu_so_far() -> float:
    """CPU seconds of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _segments(generation_dir: Path) -> int:
    ix = whoosh_index.open_dir(str(generation_dir))
    with ix.reader() as reader:
        return len(reader.leaf_readers())


def child_build(articles: str, index: str, one_process: bool) -> dict[str, Any]:
    """Part 1: a full build of `articles`, as shipped or in one process."""
    if one_process:
        # Bench-only switch: no folder is big enough for worker processes, so
        # the build reads, parses and writes in this process, as it does for
        # small folders or when workers cannot start.
        store._PARALLEL_FROM = sys.maxsize
    index_dir = Path(index)
    started = time.perf_counter()
    summary = store.update_index(Locations((Path(articles),), index_dir), rebuild=True)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    meta = store.read_meta(index_dir)
    assert meta is not None
    return {
        "seconds": seconds,
        "articles": summary.articles,
        "parent_cpu": own.ru_utime + own.ru_stime,
        "parent_max_rss": own.ru_maxrss * 1024,
        "segments": _segments(index_dir / meta.generation),
        "index_bytes": folder_bytes(index_dir / meta.generation),
    }


def _schema(variant: str) -> Any:
    """The shipped schema, or a variant of it for part 3."""
    schema = make_schema()
    if variant in ("stock", "spelling"):
        # What newsdesk used before: the same tokens from Whoosh's chained
        # analyzer; "stock" alone separates the analyzer's cost from spelling's.
        for name, boost in (("title", 2.0), ("body", 1.0)):
            schema.remove(name)
            schema.add(
                name,
                TEXT(
                    analyzer=StemmingAnalyzer(),
                    stored=True,
                    spelling=variant == "spelling",
                    field_boost=boost,
                ),
            )
    elif variant == "bare":
        schema.remove("body")
        schema.add("body", stemmed_text(stored=False))
    return schema


def child_write(
    documents: str,
    index: str,
    schema: str = "shipped",
    compound: bool = False,
    procs: int = 1,
    multisegment: bool = False,
) -> dict[str, Any]:
    """Parts 2 and 3: write pre-parsed documents into a new index.

    The index is laid out as newsdesk's (`current.json` naming one
    generation) so that `ArticleIndex` opens every variant."""
    with open(documents, "rb") as stream:
        parsed: list[dict[str, Any]] = pickle.load(stream)
    gc.collect()
    index_dir = Path(index)
    generation_dir = index_dir / GENERATION
    generation_dir.mkdir(parents=True)
    ix = whoosh_index.create_in(str(generation_dir), _schema(schema))
    cpu = _cpu_so_far()
    started = time.perf_counter()
    if procs > 1:
        writer = ix.writer(procs=procs, multisegment=multisegment, compound=compound)
    else:
        writer = ix.writer(compound=compound)
    for document in parsed:
        writer.add_document(**document)
    writer.commit()
    seconds = time.perf_counter() - started
    cpu = _cpu_so_far() - cpu
    count = whoosh_index.open_dir(str(generation_dir)).doc_count()
    if count != len(parsed):
        raise RuntimeError(f"{len(parsed)} documents written, {count} in the index")
    meta = IndexMeta(store.SCHEMA_VERSION, GENERATION, (), "", seconds)
    (index_dir / "current.json").write_text(json.dumps(meta.as_json))
    return {
        "seconds": seconds,
        "cpu": cpu,
        "documents": count,
        "segments": _segments(generation_dir),
        "index_bytes": folder_bytes(generation_dir),
        "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _memory() -> dict[str, int]:
    """This process's resident memory, in bytes: all of it, and the part
    backed by files (mapped index files among them)."""
    fields = {}
    with open("/proc/self/status", encoding="ascii") as stream:
        for line in stream:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssFile"):
                fields[key] = int(value.split()[0]) * 1024
    return fields


def child_open(index: str, query: str) -> dict[str, Any]:
    """Part 3: the RSS that opening an index and one search add to a process."""
    gc.collect()
    before = _memory()
    started = time.perf_counter()
    opened = ArticleIndex(Path(index))
    total = opened.search(query, limit=FIRST_PAGE).total
    seconds = time.perf_counter() - started
    after = _memory()
    return {
        "gain": after["VmRSS"] - before["VmRSS"],
        "file_gain": after["RssFile"] - before["RssFile"],
        "after": after["VmRSS"],
        "seconds": seconds,
        "total": total,
    }


def _read_back(hit: Hit) -> None:
    """Read one hit's article from its file as the app's reader does; its
    collapsed paragraphs are what the stored body holds."""
    file_id, record = split_record_id(hit.id)
    loaded = load_file(Path(hit.path), file_id, record)
    article = next((a for a in loaded.articles if a.id == hit.id), None)
    if article is None:
        raise ArticleError(f"{hit.id} is not in its file")
    collapse(article.paragraphs, article.title)


def _read_page(hits: Sequence[Hit]) -> list[tuple[str, float]]:
    """Read a page's articles back: (format, seconds) of each."""
    seconds = []
    for hit in hits:
        started = time.perf_counter()
        _read_back(hit)
        seconds.append((hit.format, time.perf_counter() - started))
    return seconds


def child_pages(stored: str, bare: str, repeats: int) -> dict[str, Any]:
    """Part 4: the first page with snippets from the stored body, against a
    page from the index without it plus its 20 articles read back."""
    with_body = ArticleIndex(Path(stored))
    without_body = ArticleIndex(Path(bare))
    samples: dict[str, list[float]] = {}
    by_format: dict[str, list[float]] = {}
    hits: list[int] = []
    # One warm-up pass: after it every file is in the page cache.
    for number in range(repeats + 1):
        for query in QUERIES:
            wall, cpu, _ = timed(partial(with_body.search, query, limit=FIRST_PAGE))
            bare_wall, bare_cpu, page = timed(
                partial(without_body.search, query, limit=FIRST_PAGE)
            )
            read_wall, read_cpu, articles = timed(partial(_read_page, page.hits))
            hits.append(len(page.hits))
            if number == 0:
                continue
            for fmt, seconds in articles:
                by_format.setdefault(fmt, []).append(seconds)
            for key, value in (
                ("stored", wall),
                ("stored_cpu", cpu),
                ("bare", bare_wall),
                ("bare_cpu", bare_cpu),
                ("read_back", read_wall),
                ("read_back_cpu", read_cpu),
                ("both", bare_wall + read_wall),
                ("both_cpu", bare_cpu + read_cpu),
            ):
                samples.setdefault(key, []).append(value)
    return {
        **{key: stats(values).as_json() for key, values in samples.items()},
        "hits_per_page": min(hits),
        "read_back_article": {
            fmt: stats(values).as_json() for fmt, values in sorted(by_format.items())
        },
    }


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "build": child_build,
    "write": child_write,
    "open": child_open,
    "pages": child_pages,
}


# --- the parent: one part after another -------------------------------------


def pick_files(corpus: Path, count: int) -> list[Path]:
    """Every k-th file of `corpus`: all formats, spread over every folder, the
    same files on every run."""
    files = sorted(
        path
        for path in corpus.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )
    count = min(count, len(files))
    return [files[number * len(files) // count] for number in range(count)]


def copy_files(corpus: Path, files: list[Path], articles: Path) -> dict[str, Any]:
    """Copy `files` of `corpus` into the folder `articles`; what they are."""
    for path in files:
        target = articles / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return {
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
        "formats": dict(sorted(Counter(path.suffix[1:] for path in files).items())),
    }


def parse_documents(articles: Path, out: Path) -> int:
    """Every article's Whoosh document, pickled for parts 2 and 3."""
    documents = []
    for entry in scan_folders((articles,)).files:
        for article in load_file(entry.path, entry.file_id).articles:
            documents.append(article_document(article, entry.file_id))
    with open(out, "wb") as stream:
        pickle.dump(documents, stream, protocol=pickle.HIGHEST_PROTOCOL)
    return len(documents)


def _medians(runs: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: stats([run[key] for run in runs]).median for key in keys}


BUILD_MODES = {"workers (one per core)": False, "one process": True}
"""Part 1, by label: whether the build is kept to one process."""


def _build_runs(articles: Path, repeats: int) -> dict[str, list[dict[str, Any]]]:
    """Full builds of `articles`, each mode in turn, `repeats` rounds."""
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in BUILD_MODES}
    for number in range(repeats):
        for mode, one_process in BUILD_MODES.items():
            index = WORK / "cores-index"
            shutil.rmtree(index, ignore_errors=True)
            before = load_average()
            answer, child = _run(
                "build",
                articles=str(articles),
                index=str(index),
                one_process=one_process,
            )
            run = {
                **answer,
                "wall": child.wall,
                "cpu": child.tree_cpu,
                "peak_tree_rss": child.peak_tree_rss,
                "articles_per_s": answer["articles"] / answer["seconds"],
                "load": before,
            }
            runs[mode].append(run)
            say(
                f"  {mode} #{number + 1}: {_ms(run['seconds'])}, CPU "
                f"{_ms(run['cpu'])} (parent {_ms(run['parent_cpu'])}), "
                f"{run['articles_per_s']:,.0f} articles/s, peak RSS "
                f"{run['peak_tree_rss'] / MB:,.0f} MB, {run['segments']} segments; "
                f"load {before}"
            )
    return runs


def bench_cores(folders: list[tuple[Path, int]], repeats: int) -> dict[str, Any]:
    """Part 1 on each folder of `folders` (with its file count)."""
    say(f"1. one core or two: full builds, {repeats} of each, interleaved")
    load = load_average()
    sizes: list[dict[str, Any]] = []
    for articles, files in folders:
        say(f"  {files:,} files:")
        runs = _build_runs(articles, repeats)
        summary = {
            mode: _medians(
                mode_runs,
                (
                    "seconds",
                    "cpu",
                    "parent_cpu",
                    "articles_per_s",
                    "peak_tree_rss",
                    "index_bytes",
                    "segments",
                ),
            )
            | {"articles": mode_runs[0]["articles"], "runs": len(mode_runs)}
            for mode, mode_runs in runs.items()
        }
        sizes.append({"files": files, "summary": summary, "runs": runs})
    say("")
    rows = []
    for size in sizes:
        summary = size["summary"]
        workers, one = summary["workers (one per core)"], summary["one process"]
        for mode, figure in summary.items():
            rows.append(
                [
                    f"{size['files']:,} files, {mode}",
                    _ms(figure["seconds"]),
                    _ms(figure["cpu"]),
                    f"{figure['articles_per_s']:,.0f}",
                    f"{figure['peak_tree_rss'] / MB:,.0f} MB",
                ]
            )
        rows.append(
            [
                "  two cores vs one",
                f"{one['seconds'] / workers['seconds']:.2f}× faster",
                f"{workers['cpu'] / one['cpu']:.2f}× the CPU",
                "",
                f"{workers['peak_tree_rss'] / one['peak_tree_rss']:.2f}× the RSS",
            ]
        )
    _table(["", "wall", "CPU", "articles/s", "peak RSS"], rows)
    return {"load": load, "sizes": sizes}


def bench_whoosh_writer(documents: Path, count: int, repeats: int) -> dict[str, Any]:
    say(f"2. Whoosh's writers on {count:,} parsed documents, {repeats} of each")
    load = load_average()
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in WRITERS}
    for number in range(repeats):
        for label, options in WRITERS.items():
            index = WORK / "writer-index"
            shutil.rmtree(index, ignore_errors=True)
            before = load_average()
            answer, child = _run(
                "write", documents=str(documents), index=str(index), **options
            )
            run = {
                **answer,
                "docs_per_s": answer["documents"] / answer["seconds"],
                "peak_tree_rss": child.peak_tree_rss,
                "load": before,
            }
            runs[label].append(run)
            say(
                f"  {label} #{number + 1}: {_ms(run['seconds'])}, CPU "
                f"{_ms(run['cpu'])}, {run['docs_per_s']:,.0f} docs/s, "
                f"{run['segments']} segments; load {before}"
            )
    summary = {
        label: _medians(
            label_runs,
            ("seconds", "cpu", "docs_per_s", "segments", "index_bytes"),
        )
        | {"runs": len(label_runs)}
        for label, label_runs in runs.items()
    }
    one = summary["ix.writer()"]
    say("")
    _table(
        ["", "wall", "CPU", "docs/s", "vs ix.writer()"],
        [
            [
                label,
                _ms(figure["seconds"]),
                _ms(figure["cpu"]),
                f"{figure['docs_per_s']:,.0f}",
                f"{one['seconds'] / figure['seconds']:.2f}× faster",
            ]
            for label, figure in summary.items()
        ],
    )
    return {"load": load, "documents": count, "summary": summary, "runs": runs}


def bench_schemas(documents: Path, count: int, repeats: int) -> dict[str, Any]:
    say(
        f"3. schema choices on {count:,} parsed documents, one writer process, "
        f"{repeats} of each, interleaved"
    )
    load = load_average()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
    for number in range(repeats):
        for name, variant in SCHEMAS.items():
            index = WORK / "schemas" / name
            shutil.rmtree(index, ignore_errors=True)
            before = load_average()
            built, _ = _run(
                "write",
                documents=str(documents),
                index=str(index),
                schema=variant.schema,
                compound=variant.compound,
            )
            opened, _ = _run("open", index=str(index), query=QUERIES[0])
            runs[name].append(
                {
                    **built,
                    "open_rss": opened["gain"],
                    "open_rss_file": opened["file_gain"],
                    "load": before,
                }
            )
            say(
                f"  {variant.label} #{number + 1}: {_ms(built['seconds'])}, CPU "
                f"{_ms(built['cpu'])}, index {built['index_bytes'] / MB:,.1f} MB; "
                f"opening + one search adds {opened['gain'] / MB:,.1f} MB RSS "
                f"({opened['file_gain'] / MB:,.1f} MB of files); load {before}"
            )
    variants = {
        name: _medians(
            runs[name],
            ("seconds", "cpu", "index_bytes", "segments", "open_rss", "open_rss_file"),
        )
        | {**variant._asdict(), "index": str(WORK / "schemas" / name)}
        for name, variant in SCHEMAS.items()
    }
    shipped = variants["shipped"]
    say("")
    _table(
        ["", "CPU", "vs shipped", "index", "vs shipped", "open + search RSS"],
        [
            [
                figure["label"],
                _ms(figure["cpu"]),
                f"{figure['cpu'] / shipped['cpu']:.2f}×",
                f"{figure['index_bytes'] / MB:,.1f} MB",
                f"{figure['index_bytes'] / shipped['index_bytes']:.2f}×",
                f"+{figure['open_rss'] / MB:,.1f} MB "
                f"({figure['open_rss_file'] / MB:,.1f} MB of files)",
            ]
            for figure in variants.values()
        ],
    )
    return {"load": load, "documents": count, "variants": variants, "runs": runs}


def bench_stored_body(schemas: dict[str, Any], repeats: int) -> dict[str, Any]:
    say(f"4. stored body or read back: {len(QUERIES)} queries × {repeats} passes")
    load = load_average()
    variants = schemas["variants"]
    pages, _ = _run(
        "pages",
        stored=variants["shipped"]["index"],
        bare=variants["bare"]["index"],
        repeats=repeats,
    )
    _table(
        ["page of 20 hits", "median", "p95", "CPU median"],
        [
            [
                label,
                _ms(pages[key]["median"]),
                _ms(pages[key]["p95"]),
                _ms(pages[f"{key}_cpu"]["median"]) if f"{key}_cpu" in pages else "",
            ]
            for key, label in (
                ("stored", "search, snippets from the stored body"),
                ("bare", "search, body not stored"),
                ("read_back", "reading the 20 articles back"),
                ("both", "search + read back"),
            )
        ],
    )
    each = ", ".join(
        f"{fmt} {_ms(figure['median'])}"
        for fmt, figure in pages["read_back_article"].items()
    )
    say(f"  one article read back, median by format: {each}")
    return {
        "load": load,
        "queries": list(QUERIES),
        "repeats": repeats,
        **pages,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--files", type=int, default=DEFAULT_FILES, help="files of the corpus to use"
    )
    parser.add_argument(
        "--builds", type=int, default=3, help="full builds of each kind (part 1)"
    )
    parser.add_argument(
        "--writes", type=int, default=2, help="writes of each kind (parts 2 and 3)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    started = time.monotonic()
    corpus_dir = default_corpus_dir(CORPUS_SIZE)
    corpus = ensure_corpus(CORPUS_SIZE, corpus_dir).as_json()
    if WORK.exists():
        shutil.rmtree(WORK)
    files = pick_files(corpus_dir, args.files)
    articles = WORK / "articles"
    subset = copy_files(corpus_dir, files, articles)
    # A quarter of the files as well: what workers cost and save depends on
    # how much there is to share.
    few = files[::SMALL_SHARE]
    copy_files(corpus_dir, few, WORK / "articles-few")
    documents = WORK / "documents.pickle"
    subset["articles"] = parse_documents(articles, documents)
    say(
        f"{subset['files']:,} of the corpus's {corpus['files']:,} files: "
        f"{subset['articles']:,} articles, {subset['bytes'] / MB:,.1f} MB\n"
    )
    results: dict[str, Any] = {
        "machine": machine(),
        "commit": git_commit(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus": {key: corpus[key] for key in ("articles", "files", "seed")},
        "subset": subset,
        "settings": {"builds": args.builds, "writes": args.writes},
        "load_start": load_average(),
    }
    results["cores"] = bench_cores(
        [(WORK / "articles-few", len(few)), (articles, len(files))], args.builds
    )
    results["whoosh_writer"] = bench_whoosh_writer(
        documents, subset["articles"], args.writes
    )
    results["schemas"] = bench_schemas(documents, subset["articles"], args.writes)
    results["stored_body"] = bench_stored_body(results["schemas"], PAGE_REPEATS)
    results["load_end"] = load_average()
    results["seconds"] = time.monotonic() - started

    CHOICES.parent.mkdir(parents=True, exist_ok=True)
    CHOICES.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_report(DOC)
    if not args.keep:
        shutil.rmtree(WORK)
    say(f"done in {results['seconds'] / 60:.1f} minutes; {CHOICES}; report: {DOC}")
    return 0


def child_main(name: str, arguments: str) -> int:
    answer = CHILDREN[name](**json.loads(arguments))
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    # Worker processes re-import this module: the guard keeps them from
    # running it.
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2], sys.argv[3]))
    sys.exit(main())
