"""`docs/benchmarks.md` from the figures `bench/run.py` saved, one run per size,
and those of `bench/index_choices.py`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from queries import KINDS

__all__ = ["floors", "render", "render_choices"]

FLOOR_SIZE = 100_000
MB = 1_048_576


def _ms(seconds: float | None) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "–"
    if seconds >= 10:
        return f"{seconds:,.1f} s"
    if seconds >= 1:
        return f"{seconds * 1000:,.0f} ms"
    return f"{seconds * 1000:,.1f} ms"


def _times(ratio: float | None) -> str:
    if ratio is None or math.isnan(ratio) or math.isinf(ratio):
        return "–"
    if ratio < 1:
        return f"{ratio:.2f}×"
    return f"{ratio:,.1f}×" if ratio < 100 else f"{ratio:,.0f}×"


def _mb(size: float) -> str:
    return f"{size / MB:,.0f} MB"


def _mb1(size: float) -> str:
    return f"{size / MB:,.1f} MB"


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = [_row(header), _row(["---"] * len(header))]
    lines.extend(_row(row) for row in rows)
    return [*lines, ""]


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b:
        return None
    return a / b


def floors(run: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(floor, target, measured, verdict) for one run."""
    out: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool | None, factor: float | None = None) -> str:
        if ok is None:
            return "not measured"
        if ok:
            return "met"
        return f"missed ({_times(factor)} off)" if factor else "missed"

    kinds = run["queries"]["kinds"]
    worst = max(kinds.items(), key=lambda item: item[1]["newsdesk"]["p95"])
    p95 = worst[1]["newsdesk"]["p95"]
    out.append(
        (
            "search p95, every kind, snippets included",
            "≤ 50 ms",
            f"worst: {worst[0]}, {_ms(p95)}",
            verdict(p95 <= 0.05, p95 / 0.05),
        )
    )
    rg = [
        (kind, _ratio(f["rg"]["median"], f["newsdesk"]["median"]))
        for kind, f in kinds.items()
        if "rg" in f
    ]
    if rg:
        kind, ratio = min(rg, key=lambda item: item[1] or 0.0)
        out.append(
            (
                "search median vs `rg -il`",
                "≥ 10× faster",
                f"worst: {kind}, {_times(ratio)} faster",
                verdict((ratio or 0) >= 10, 10 / (ratio or 1)),
            )
        )
    tantivy = [
        (kind, _ratio(f["newsdesk"]["median"], f["tantivy"]["median"]))
        for kind, f in kinds.items()
        if "tantivy" in f
    ]
    if tantivy:
        kind, ratio = max(tantivy, key=lambda item: item[1] or 0.0)
        out.append(
            (
                "search median vs tantivy",
                "within 10×",
                f"worst: {kind}, {_times(ratio)} slower",
                verdict((ratio or 0) <= 10, (ratio or 0) / 10),
            )
        )
    app = run.get("app")
    if app:
        key = app["keystroke"]["p95"]
        out.append(
            (
                "keystroke to results painted, p95",
                "≤ 100 ms",
                _ms(key),
                verdict(key <= 0.1, key / 0.1),
            )
        )
        launch = app["process_first_frame"]["median"]
        out.append(
            (
                "launch to first paint (process start)",
                "≤ 500 ms",
                _ms(launch),
                verdict(launch <= 0.5, launch / 0.5),
            )
        )
        big = f"{run['reader']['big']['paragraphs']:,} paragraphs"
        for name, limit in (("typical", 0.02), ("big", 0.3)):
            value = app[f"reader_{name}"]["median"]
            label = "typical article" if name == "typical" else big
            out.append(
                (
                    f"reader open in the app, {label}",
                    f"≤ {_ms(limit)}",
                    _ms(value),
                    verdict(value <= limit, value / limit),
                )
            )
        out.append(
            (
                "app RSS while searching",
                "≤ 300 MB",
                _mb(app["peak_rss"]) + " peak",
                verdict(app["peak_rss"] <= 300 * MB, app["peak_rss"] / (300 * MB)),
            )
        )
    build = run["build"]
    rate = build["articles_per_s"]
    out.append(
        (
            "build rate",
            "≥ 400 articles/s",
            f"{rate:,.0f} articles/s",
            verdict(rate >= 400, 400 / rate),
        )
    )
    noop = run["incremental"]["noop"]["median"]
    out.append(
        (
            "incremental, nothing changed",
            "≤ 2 s",
            _ms(noop),
            verdict(noop <= 2, noop / 2),
        )
    )
    changed = run["incremental"]["changed"]["seconds"]
    out.append(
        (
            "incremental, 1 % changed",
            "≤ 15 s",
            _ms(changed),
            verdict(changed <= 15, changed / 15),
        )
    )
    # Sampling can miss the writer's own peak; take whichever is higher.
    peak = max(build["peak_tree_rss"], build["writer_max_rss"])
    out.append(
        (
            "build peak RSS (all processes)",
            "≤ 1 GB",
            _mb(peak),
            verdict(peak <= 1024 * MB, peak / (1024 * MB)),
        )
    )
    return out


def _section(run: dict[str, Any]) -> list[str]:
    size = run["size"]
    corpus = run["corpus"]
    lines = [f"## {size:,} articles" + (" (smoke)" if run.get("smoke") else ""), ""]
    lines.append(
        f"Run {run['date']} on commit {run['commit']}, {run['seconds'] / 60:.0f} "
        f"minutes; load average {run['load_start']} at the start, "
        f"{run['load_end']} at the end."
    )
    lines.append("")
    formats = ", ".join(f"{n:,} {fmt}" for fmt, n in corpus["formats"].items())
    repeats = sum(corpus["repeats"].values())
    repeat_kinds = ", ".join(
        f"{n} {kind}" for kind, n in sorted(corpus["repeats"].items())
    )
    lines.append(
        f"Corpus: {corpus['articles']:,} articles in {corpus['files']:,} files "
        f"({corpus['bytes'] / MB:,.1f} MB; {formats}); {repeats:,} articles "
        f"({repeats / corpus['articles']:.1%}) given repeated paragraphs "
        f"({repeat_kinds}); "
        f"seed {corpus['seed']}, sha256 `{corpus['sha256'][:16]}…`."
    )
    lines.append("")

    # Floors
    lines.append("### Floors")
    lines.append("")
    if size != FLOOR_SIZE:
        lines.append(
            f"The issue's floors are for {FLOOR_SIZE:,} articles; at {size:,} "
            "they only show the direction."
        )
        lines.append("")
    lines.extend(_table(["floor", "target", "measured", "verdict"], floors(run)))

    # Build
    build = run["build"]
    tantivy = run.get("tantivy")
    lines.append("### Build")
    lines.append("")
    lines.append(
        f"A full build in a fresh process (`update_index(rebuild=True)`); load "
        f"average {build['load']} before. Peak RSS sums the writer and its parsing "
        "processes, sampled every 0.1 s from /proc. tantivy indexes the same "
        "documents (newsdesk's collapsed text) already in memory; parsing them "
        "with newsdesk's loaders on every core is given apart."
    )
    lines.append("")
    rows: list[list[object]] = [
        ["wall time", _ms(build["seconds"]), "", ""],
        ["articles/s", f"{build['articles_per_s']:,.0f}", "", ""],
        ["MB/s", f"{build['mb_per_s']:,.2f}", "", ""],
        [
            "CPU time (all processes)",
            _ms(build["cpu"]),
            "",
            "",
        ],
        ["  of which the writer process", _ms(build["writer_cpu"]), "", ""],
        ["articles per CPU second", f"{build['articles_per_cpu_s']:,.0f}", "", ""],
        ["peak RSS (all processes)", _mb(build["peak_tree_rss"]), "", ""],
        ["peak RSS (writer process)", _mb(build["writer_max_rss"]), "", ""],
        ["index size", _mb(build["index_bytes"]), "", ""],
    ]
    if tantivy:
        rows[0][2] = _ms(tantivy["build_seconds"])
        rows[0][3] = (
            _times(_ratio(build["seconds"], tantivy["build_seconds"])) + " slower"
        )
        rows[1][2] = f"{tantivy['articles_per_s']:,.0f}"
        rows[1][3] = (
            _times(_ratio(tantivy["articles_per_s"], build["articles_per_s"]))
            + " slower"
        )
        rows[3][2] = _ms(tantivy["build_cpu"])
        rows[8][2] = _mb(tantivy["index_bytes"])
        rows.append(
            [
                "parsing alone (newsdesk loaders, all cores)",
                "",
                _ms(tantivy["parse_seconds"]),
                "",
            ]
        )
        rows.append(
            [
                "parsing + indexing",
                _ms(build["seconds"]),
                _ms(tantivy["parse_seconds"] + tantivy["build_seconds"]),
                _times(
                    _ratio(
                        build["seconds"],
                        tantivy["parse_seconds"] + tantivy["build_seconds"],
                    )
                )
                + " slower",
            ]
        )
    lines.extend(_table(["", "newsdesk", "tantivy", "newsdesk vs tantivy"], rows))

    incremental = run["incremental"]
    changed = incremental["changed"]
    lines.append("### Incremental update")
    lines.append("")
    lines.extend(
        _table(
            ["", "median", "p95", "CPU", "peak RSS"],
            [
                [
                    f"nothing changed ({run['settings']['noop_repeats']} runs)",
                    _ms(incremental["noop"]["median"]),
                    _ms(incremental["noop"]["p95"]),
                    _ms(incremental["noop_cpu"]),
                    _mb(incremental["noop_peak_rss"]),
                ],
                [
                    f"1 % changed: {changed['files_changed']:,} files, "
                    f"{incremental['changed_articles']:,} articles (1 run)",
                    _ms(changed["seconds"]),
                    "",
                    _ms(changed["cpu"]),
                    _mb(changed["peak_tree_rss"]),
                ],
            ],
        )
    )

    # Search
    queries = run["queries"]
    lines.append("### Search")
    lines.append("")
    lines.append(
        f"`ArticleIndex.search(text, limit=20)` returning the total and the first "
        f"page with snippets; prefix queries with `complete_last_word=True`. One "
        f"warm-up pass, then {run['settings']['repeats']} timed passes over the "
        f"query set; median and p95 over every query × pass of a kind. CPU is the "
        f"median process CPU time, which other processes on the machine disturb "
        f"less. rg is `rg -il -F WORD` over the same files (for several words, the "
        f"first; for fuzzy, the word spelt right); tantivy runs the equivalent query "
        f'with the same page and body and title snippets. "< 3 hits" is the '
        f"share of searches that found fewer than 3 articles, for which newsdesk "
        f"also looks for a spelling correction. Load average "
        f"{queries['load']} before."
    )
    lines.append("")
    rows = []
    for kind in KINDS:
        figure = queries["kinds"].get(kind)
        if figure is None:
            continue
        own = figure["newsdesk"]
        rg = figure.get("rg")
        native = figure.get("tantivy")
        rows.append(
            [
                kind,
                len(figure["queries"]),
                _ms(own["median"]),
                _ms(own["p95"]),
                _ms(own["cpu"]),
                f"{own['hits']:,.0f}",
                f"{own.get('few_hits', 0):.0%}",
                _ms(rg["median"]) if rg else "–",
                _times(_ratio(rg["median"], own["median"])) if rg else "–",
                _ms(native["median"]) if native else "–",
                _ms(native["p95"]) if native else "–",
                _times(_ratio(own["median"], native["median"])) if native else "–",
            ]
        )
    lines.extend(
        _table(
            [
                "kind",
                "queries",
                "median",
                "p95",
                "CPU median",
                "hits (median)",
                "< 3 hits",
                "rg -il median",
                "faster than rg",
                "tantivy median",
                "tantivy p95",
                "slower than tantivy",
            ],
            rows,
        )
    )
    typing = queries["kinds"].get("prefix as you type", {})
    app_page = typing.get("newsdesk_app_page")
    opened = queries["open_first_query"]
    lines.append(
        f"Open the index and run a first query with snippets (3 times): median "
        f"{_ms(opened['median'])}, max {_ms(opened['p95'])}."
        + (
            f" Prefix as you type with the app's page of "
            f"{queries.get('app_page', 50)} hits: median "
            f"{_ms(app_page['median'])}, p95 {_ms(app_page['p95'])}."
            if app_page
            else ""
        )
    )
    lines.append("")
    lines.append("<details><summary>The queries</summary>")
    lines.append("")
    for kind in KINDS:
        figure = queries["kinds"].get(kind)
        if figure:
            shown = ", ".join(f"`{text}`" for text in figure["queries"])
            lines.append(f"- {kind}: {shown}")
    lines.append("")
    lines.append("</details>")
    lines.append("")

    # Reader
    reader = run["reader"]
    lines.append("### Reader")
    lines.append("")
    lines.append(
        "`load_file` + `collapse`, in process. The typical article is the "
        "`.txt` file of median size; the long one is made of distinct real "
        "paragraphs plus 5 % copies of recent ones."
    )
    lines.append("")
    rows = []
    for name, label in (("typical", "typical article"), ("big", "long article")):
        figure = reader[name]
        rows.append(
            [
                f"{label} ({figure['paragraphs']:,} paragraphs, "
                f"{figure['bytes'] / 1024:,.0f} KB, {figure['collapsed']} collapsed)",
                figure["n"],
                _ms(figure["median"]),
                _ms(figure["p95"]),
                _ms(figure["cpu"]),
            ]
        )
    lines.extend(_table(["article", "runs", "median", "p95", "CPU median"], rows))

    # App
    app = run.get("app")
    if app:
        lines.append("### App")
        lines.append("")
        lines.append(
            "Measured with `App.run_test(size=(120, 36))` and Pilot in fresh "
            f"processes ({app['runs']} runs), on the index built above; the "
            f"launch figures are the median of {app.get('launches', app['runs'])} "
            "launches (those runs and more that stop at the first results), with "
            "newsdesk's modules compiled to bytecode as `pip install` leaves them. "
            "A frame "
            "counts as painted once Textual's compositor has rendered it and "
            "turned it into the bytes a terminal would get (the app's `_display`, "
            "with `render_segments`); only the write to a real terminal is "
            "missing. Keystroke: `pilot.press(letter)` until the frame showing "
            "the results for the text typed so far, each letter waiting for its "
            "results (a typist who pauses), so each letter is searched at once. "
            "Burst: a whole word typed at once, last key to its results; it "
            "includes the "
            f"{app.get('search_delay', 0.05) * 1000:.0f} ms "
            "`SEARCH_DELAY` the app waits for a burst to pause. Reader: "
            "`ResultsList.Chosen` posted until the frame showing the article "
            "(moving the cursor adds the 30 ms `ARTICLE_DELAY`). "
            f"Typed: {', '.join(f'`{word}`' for word in app['words'])}. Load "
            f"average {app['load']} before."
        )
        lines.append("")
        rows = [
            [
                "launch: process start to first frame",
                _ms(app["process_first_frame"]["median"]),
                _ms(app["process_first_frame"]["p95"]),
            ],
            [
                "launch: process start to first results painted",
                _ms(app["process_first_results"]["median"]),
                _ms(app["process_first_results"]["p95"]),
            ],
            [
                "launch: `make_app()` to first frame (imports done)",
                _ms(app["launch_first_frame"]["median"]),
                _ms(app["launch_first_frame"]["p95"]),
            ],
            [
                "launch: `make_app()` to first results painted",
                _ms(app["launch_first_results"]["median"]),
                _ms(app["launch_first_results"]["p95"]),
            ],
            ["  imports (newsdesk, Textual)", _ms(app["imports"]), ""],
            [
                "  process CPU at the first frame",
                _ms(app["first_frame_cpu"]) if "first_frame_cpu" in app else "",
                "",
            ],
            [
                f"keystroke to results painted ({app['keystrokes']} keys)",
                _ms(app["keystroke"]["median"]),
                _ms(app["keystroke"]["p95"]),
            ],
            [
                "  of which the search (worker thread, wall)",
                _ms(app["keystroke_search"]["median"]),
                _ms(app["keystroke_search"]["p95"]),
            ],
            [
                "  of which the search (worker thread, CPU)",
                _ms(app["keystroke_search_cpu"]),
                "",
            ],
            [
                "burst typing: last key to results painted",
                _ms(app["burst"]["median"]),
                _ms(app["burst"]["p95"]),
            ],
            [
                "reader open, typical article",
                _ms(app["reader_typical"]["median"]),
                _ms(app["reader_typical"]["p95"]),
            ],
            [
                f"reader open, long article "
                f"({run['reader']['big']['paragraphs']:,} paragraphs)",
                _ms(app["reader_big"]["median"]),
                _ms(app["reader_big"]["p95"]),
            ],
            ["RSS after searching and reading", _mb(app["rss"]), ""],
            ["peak RSS", _mb(app["peak_rss"]), ""],
        ]
        at_once = app.get("reader_typical_at_once")
        if at_once:
            # Runs before this figure was measured lack it.
            rows.append(
                [
                    "typical article, chosen the moment the long one is painted",
                    _ms(at_once["median"]),
                    _ms(at_once["p95"]),
                ]
            )
        lines.extend(_table(["", "median", "p95"], rows))
        slow = ", ".join(
            f"`{k['text']}` {_ms(k['latency'])} (search {_ms(k['search'])})"
            for k in app["slowest_keystrokes"]
        )
        lines.append(f"Slowest keystrokes: {slow}.")
        lines.append("")
    return lines


def render(runs: Sequence[dict[str, Any]]) -> str:
    """The whole report, newest size last."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `python bench/run.py --size N` (see `bench/run.py` for what "
        "each figure measures); do not edit by hand. The corpus is recombined "
        "from the real articles in `../shared/corpora` by `bench/make_corpus.py` "
        "and is never committed. Every figure is a median over repeated runs, "
        "with the p95 where it matters; ratios compare medians taken in the same "
        "run on the same files.",
        "",
        "The machine is shared with other work (see the load averages: 2 cores, "
        "a load above 2 means other processes took CPU time from these runs), "
        "so wall times are noisy and inflated; CPU times are given beside them "
        "as the steadier figure.",
        "",
        "## Machine",
        "",
    ]
    header = ["", *[f"{run['size']:,} articles" for run in runs]]
    keys: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
        ("CPU", lambda r: r["machine"]["cpu"]),
        ("cores", lambda r: r["machine"]["cores"]),
        ("memory", lambda r: r["machine"]["memory"]),
        ("OS", lambda r: r["machine"]["os"]),
        ("Python", lambda r: r["machine"]["python"]),
        ("commit", lambda r: r["commit"]),
        ("date", lambda r: r["date"]),
        ("load average (start, end)", lambda r: f"{r['load_start']}; {r['load_end']}"),
    ]
    lines.extend(
        _table(header, [[name, *[get(r) for r in runs]] for name, get in keys])
    )
    for run in runs:
        lines.extend(_section(run))
    return "\n".join(lines).rstrip() + "\n"


def render_choices(data: dict[str, Any] | None) -> str:
    """The section "Index design choices" from `bench/index_choices.py`'s
    figures ("" before its first run)."""
    if data is None:
        return ""
    subset = data["subset"]
    formats = ", ".join(f"{n:,} {fmt}" for fmt, n in subset["formats"].items())
    settings = data["settings"]
    lines = [
        "",
        "## Index design choices",
        "",
        "Written by `python bench/index_choices.py` (see its docstring for what "
        "each figure measures): what issue #3 asks to decide by measurement. "
        f"Run {data['date']} on commit {data['commit']}, "
        f"{data['seconds'] / 60:.0f} minutes, on the machine above "
        f"({data['machine']['cpu']}, {data['machine']['cores']} cores, Python "
        f"{data['machine']['python']}); load average {data['load_start']} at the "
        f"start, {data['load_end']} at the end.",
        "",
        f"The files: {subset['files']:,} of the {data['corpus']['files']:,} files "
        f"of the {data['corpus']['articles']:,}-article corpus (every k-th file, "
        f"so every format and folder: {formats}), {subset['articles']:,} "
        f"articles, {subset['bytes'] / MB:,.1f} MB, in a scratch copy. Every "
        "build and every measure of memory runs in a fresh process; builds of "
        f"each kind are interleaved ({settings['builds']} of each in the first "
        f"part, {settings['writes']} in the next two) and the figures are their "
        "medians. CPU times are given beside wall times: on this shared machine "
        "they vary less, though still by a fifth or so between identical runs, "
        "so differences smaller than that are not told apart here.",
        "",
    ]
    lines.extend(_cores_section(data["cores"]))
    lines.extend(_writer_section(data["whoosh_writer"]))
    lines.extend(_schema_section(data["schemas"]))
    lines.extend(_stored_section(data["stored_body"], data["schemas"]))
    return "\n".join(lines).rstrip() + "\n"


def _cores_section(cores: dict[str, Any]) -> list[str]:
    lines = [
        "### One core or two",
        "",
        "A full build, `update_index(rebuild=True)` into an empty index folder. "
        "As shipped, one worker process per core reads, parses and writes its "
        "share of the files into a segment of its own, and the parent commits "
        'the segments together. "One process" is the same build with '
        "`index.store._PARALLEL_FROM` set out of reach (a switch for the "
        "benchmark only): the path that folders under 64 files take, and any "
        "build whose workers cannot start. CPU time is that of every process "
        "in the tree and peak RSS their sum, sampled every 0.1 s from /proc. "
        f"Load average {cores['load']} before.",
        "",
    ]
    rows: list[list[object]] = []
    for size in cores["sizes"]:
        summary = size["summary"]
        workers = summary["workers (one per core)"]
        one = summary["one process"]
        label = f"{size['files']:,} files, {workers['articles']:,} articles"
        for mode, figure in summary.items():
            rows.append(
                [
                    label if mode == "workers (one per core)" else "",
                    mode,
                    _ms(figure["seconds"]),
                    f"{figure['articles_per_s']:,.0f}",
                    _ms(figure["cpu"]),
                    _ms(figure["parent_cpu"]),
                    _mb(figure["peak_tree_rss"]),
                    f"{figure['segments']:.0f}",
                ]
            )
        rows.append(
            [
                "",
                "**two cores vs one**",
                _faster(one["seconds"], workers["seconds"]),
                _x(_ratio(workers["articles_per_s"], one["articles_per_s"])),
                _x(_ratio(workers["cpu"], one["cpu"])) + " the CPU",
                "",
                _x(_ratio(workers["peak_tree_rss"], one["peak_tree_rss"])) + " the RSS",
                "",
            ]
        )
    lines.extend(
        _table(
            [
                "files",
                "build",
                "wall",
                "articles/s",
                "CPU (all processes)",
                "CPU of the parent",
                "peak RSS (all processes)",
                "segments",
            ],
            rows,
        )
    )
    each = "; ".join(
        f"{size['files']:,} files, {mode}: "
        + ", ".join(f"{_ms(run['seconds'])} ({run['load'].split()[0]})" for run in runs)
        for size in cores["sizes"]
        for mode, runs in size["runs"].items()
    )
    lines.append(f"Every build, wall time (load average before): {each}.")
    lines.append("")
    verdicts = []
    for size in cores["sizes"]:
        workers = size["summary"]["workers (one per core)"]
        one = size["summary"]["one process"]
        verdicts.append(
            f"on {size['files']:,} files two cores built "
            f"{_faster(one['seconds'], workers['seconds'])} for "
            f"{_x(_ratio(workers['cpu'], one['cpu']))} the CPU time and "
            f"{_x(_ratio(workers['peak_tree_rss'], one['peak_tree_rss']))} "
            "the memory"
        )
    lines.append(
        "**Chosen: one worker process per core, for 64 files or more.** Parsing "
        "and writing are CPU-bound Python, so a second process is the only way "
        f"a build uses the second core: {'; '.join(verdicts)}. Not twice as "
        "fast: the workers together spent more CPU time than one process on "
        "the same files, and other work on the machine took part of the second "
        "core (see the load averages). Each worker holds its own Whoosh "
        "posting pool, hence the memory; a first build of more than 600 files "
        "commits its first 300 early, so that searching can start, which makes "
        "two segments per worker. The threshold of 64 files itself is not "
        "measured here."
    )
    lines.append("")
    return lines


def _x(ratio: float | None) -> str:
    """A ratio close to 1, to two decimals."""
    return "–" if ratio is None else f"{ratio:.2f}×"


def _faster(one: float, other: float) -> str:
    """`one` seconds against `other`, as "N× faster" or "N× slower"."""
    ratio = _ratio(one, other) or 1.0
    return f"{_x(ratio)} faster" if ratio >= 1 else f"{_x(1 / ratio)} slower"


def _writer_section(writer: dict[str, Any]) -> list[str]:
    lines = [
        "### Whoosh's multiprocessing writer",
        "",
        f"The same {writer['documents']:,} articles, parsed beforehand with "
        "newsdesk's loaders and `article_document` (parsing not timed), written "
        "into a new index with the shipped schema and `compound=False` by each "
        "of Whoosh's writers, in a fresh process. Wall and CPU time run from "
        "the writer's creation to the end of `commit()`; CPU includes the "
        "writer's sub-processes. With `procs=2` every document still goes "
        "through the parent, which pickles them in batches of 100 into job "
        "files for two sub-writers; with `procs=2` alone "
        "(`multisegment=False`) the parent then merges their postings into one "
        "segment. Load average "
        f"{writer['load']} before.",
        "",
    ]
    summary = writer["summary"]
    one = summary["ix.writer()"]
    rows = [
        [
            f"`{label}`",
            _ms(figure["seconds"]),
            f"{figure['docs_per_s']:,.0f}",
            _ms(figure["cpu"]),
            f"{figure['segments']:.0f}",
            _mb1(figure["index_bytes"]),
            _faster(one["seconds"], figure["seconds"]),
            _x(_ratio(figure["cpu"], one["cpu"])),
        ]
        for label, figure in summary.items()
    ]
    lines.extend(
        _table(
            [
                "writer",
                "wall",
                "docs/s",
                "CPU",
                "segments",
                "index size",
                "vs `ix.writer()`",
                "CPU vs `ix.writer()`",
            ],
            rows,
        )
    )
    split = summary["ix.writer(procs=2, multisegment=True)"]
    merged = summary["ix.writer(procs=2)"]
    lines.append(
        "**Not used.** On documents already parsed, `procs=2, multisegment=True` "
        f"wrote {_faster(one['seconds'], split['seconds'])} than one writer, for "
        f"{_x(_ratio(split['cpu'], one['cpu']))} the CPU time; merged into "
        "one segment (`procs=2` alone) it was "
        f"{_faster(one['seconds'], merged['seconds'])}, the parent merging "
        "every posting alone. Either way the parsing stays in one process and "
        "every document is pickled through a file. newsdesk's "
        "workers do what `multisegment=True` does, one segment per worker "
        "committed by the parent, but each also reads and parses its own "
        "files, so no document crosses a process boundary."
    )
    lines.append("")
    return lines


def _schema_section(schemas: dict[str, Any]) -> list[str]:
    lines = [
        "### What the index holds: spelling, compound files",
        "",
        f"One writer process on the same {schemas['documents']:,} parsed "
        "articles. **shipped** is `make_schema()`: newsdesk's fused stemming "
        "analyzer, bodies stored, no `spelling=True`, `compound=False`. **stock "
        "StemmingAnalyzer** has title and body as `TEXT(analyzer="
        "StemmingAnalyzer(), stored=True)`, the same tokens from Whoosh's "
        "chained analyzer; **spelling=True** is that with `spelling=True` on "
        "both, which indexes every word a second time, unstemmed, in "
        "`spell_title` and `spell_body`. **compound=True** is the shipped "
        "schema written as Whoosh writes by default, each segment's files in "
        "one. **body not stored** keeps the body out of the stored fields. The "
        "RSS is what a fresh process gains by opening the index with "
        "`ArticleIndex` and running one search with snippets (VmRSS after "
        f"minus before). Load average {schemas['load']} before.",
        "",
    ]
    variants = schemas["variants"]
    shipped = variants["shipped"]
    rows = [
        [
            figure["label"],
            _ms(figure["seconds"]),
            _ms(figure["cpu"]),
            _x(_ratio(figure["cpu"], shipped["cpu"])),
            _mb1(figure["index_bytes"]),
            _x(_ratio(figure["index_bytes"], shipped["index_bytes"])),
            f"+{_mb1(figure['open_rss'])} ({_mb1(figure['open_rss_file'])} of files)",
        ]
        for figure in variants.values()
    ]
    lines.extend(
        _table(
            [
                "index",
                "build wall",
                "build CPU",
                "CPU vs shipped",
                "index size",
                "size vs shipped",
                "open + one search, RSS",
            ],
            rows,
        )
    )
    stock, spelling = variants["stock"], variants["spelling"]
    compound = variants["compound"]
    larger = _ratio(spelling["index_bytes"], stock["index_bytes"])
    lines.append(
        "**No `spelling=True`.** With the same analyzer it cost "
        f"{_x(_ratio(spelling['cpu'], stock['cpu']))} the build CPU time and "
        f"made the index {_x(larger)} as large; completion and correction "
        "read the word list `words.txt` instead. (Whoosh's own chained analyzer cost "
        f"{_x(_ratio(stock['cpu'], shipped['cpu']))} the CPU time of the "
        "fused one, for the same tokens.) **`compound=False`.** Compound files "
        f"took no less room ({_mb1(compound['index_bytes'])} against "
        f"{_mb1(shipped['index_bytes'])}) and the build CPU time was within the "
        "noise, but Whoosh maps a compound segment's whole file, and opening "
        "the index and one search touched all of it: a process that opens the "
        f"index and searches once grows by {_mb1(compound['open_rss'])} "
        f"({_mb1(compound['open_rss_file'])} of it the mapped file) against "
        f"{_mb1(shipped['open_rss'])}. Separate files are read as needed."
    )
    lines.append("")
    return lines


def _stored_section(stored: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    queries = ", ".join(f"`{query}`" for query in stored["queries"])
    lines = [
        "### Stored body or read back from the file",
        "",
        f"The first page of 20 hits for each of {len(stored['queries'])} common "
        f"queries ({queries}), one warm-up pass then {stored['repeats']} passes, "
        "in one fresh process. **Stored**: `ArticleIndex.search(text, "
        "limit=20)` on the shipped index, snippets cut from the stored body. "
        "**Read back**: the same search on the index without the body, then "
        "each of the 20 articles read from its file as the app's reader does "
        "(`split_record_id`, `load_file(path, file_id, record)`, `collapse`). "
        "Cutting the snippets from that text is not counted, so read back is "
        "timed low. The files are in the page cache (the warm-up pass read "
        f"them). Every page was full ({stored['hits_per_page']} hits or more). "
        f"Load average {stored['load']} before.",
        "",
    ]
    rows = [
        [
            label,
            _ms(stored[key]["median"]),
            _ms(stored[key]["p95"]),
            _ms(stored[f"{key}_cpu"]["median"]),
        ]
        for key, label in (
            ("stored", "stored: search, snippets from the stored body"),
            ("bare", "read back: search (body not stored)"),
            ("read_back", "read back: the 20 articles from their files"),
            ("both", "read back: search + articles"),
        )
    ]
    lines.extend(_table(["page of 20 hits", "median", "p95", "CPU median"], rows))
    each = ", ".join(
        f"{fmt} {_ms(figure['median'])}"
        for fmt, figure in stored["read_back_article"].items()
    )
    variants = schemas["variants"]
    shipped, bare = variants["shipped"], variants["bare"]
    lines.append(
        f"One article read back, median by format: {each} (a record of a JSONL "
        "feed decodes the whole file)."
    )
    lines.append("")
    lines.append(
        "**The body is stored.** It makes the index "
        f"{_x(_ratio(shipped['index_bytes'], bare['index_bytes']))} as large "
        f"({_mb1(shipped['index_bytes'])} against {_mb1(bare['index_bytes'])}), "
        "and in return a page of 20 hits with snippets takes "
        f"{_ms(stored['stored']['median'])} (p95 {_ms(stored['stored']['p95'])}) "
        f"instead of {_ms(stored['both']['median'])} (p95 "
        f"{_ms(stored['both']['p95'])}) before any snippet is cut, with every "
        "file already in the page cache. Everything else a result shows is "
        "stored too. Only the reader goes back to the file, for the one "
        "article opened, to show it as the file holds it now."
    )
    lines.append("")
    return lines
