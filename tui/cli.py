"""The `newsdesk` command: the app by default, and `show`, `index`, `search`, `stats`.

Textual is imported only when the app is launched, so the subcommands start
fast; the index's modules (Whoosh) only by the commands that use them, so the
app paints before it has imported them. Every error a user can cause is one
line on stderr and an exit status: 1 nothing matched, 2 bad input or
arguments, 3 the index is busy.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from index.locations import ConfigError, Locations, resolve_locations
from index.text import safe_name

if TYPE_CHECKING:
    from index.article import Article
    from index.collapse import ReaderView
    from index.search import ArticleIndex, Hit
    from index.store import Progress, UpdateSummary

    from .app import NewsdeskApp

__all__ = ["build_parser", "default_articles_folder", "main", "make_app"]

EXIT_NO_MATCH = 1
EXIT_USAGE = 2
EXIT_BUSY = 3

_SHOWN_SKIPPED = 5


def printable(text: str) -> str:
    """A file name or message made safe for one terminal line."""
    return safe_name(text)


def default_articles_folder() -> Path:
    """The sample articles shipped with newsdesk, from a checkout or a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample_articles", here.parent / "sample_articles"):
        if candidate.is_dir():
            return candidate
    return here / "sample_articles"


class _Style:
    """ANSI styling for a terminal; nothing when output is piped."""

    def __init__(self, stream: TextIO) -> None:
        self.enabled = stream.isatty() and "NO_COLOR" not in os.environ

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def spans(self, text: str, spans: Sequence[tuple[int, int]], code: str) -> str:
        if not self.enabled or not spans:
            return text
        out, last = [], 0
        for start, end in sorted(spans):
            if start < last:
                continue
            out.append(text[last:start])
            out.append(self(text[start:end], code))
            last = end
        out.append(text[last:])
        return "".join(out)


def _fail(message: str, status: int = EXIT_USAGE) -> int:
    print(f"newsdesk: {printable(message)}", file=sys.stderr)
    return status


def _common_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--articles",
        action="append",
        type=Path,
        metavar="DIR",
        default=default,
        help="articles folder (repeatable); default: NEWSDESK_ARTICLES, "
        "config.toml, then the sample articles",
    )
    parser.add_argument(
        "--index",
        type=Path,
        metavar="DIR",
        default=default,
        help="index folder; default: NEWSDESK_INDEX or the user data dir",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="A terminal news browser. With no command, opens the app.",
    )
    _common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    show = commands.add_parser("show", help="print one article as the reader shows it")
    show.add_argument("file", metavar="FILE", help="an article file, or FILE#N")
    show.add_argument("--all", action="store_true", help="show collapsed copies too")
    show.add_argument("--json", action="store_true", help="print JSON")

    index = commands.add_parser("index", help="update the index (incremental)")
    _common_options(index, suppress=True)
    index.add_argument("--rebuild", action="store_true", help="build a new index")
    index.add_argument("--wait", action="store_true", help="wait for another writer")
    index.add_argument("--verbose", action="store_true", help="list all skipped files")
    index.add_argument("--quiet", action="store_true", help="print only errors")
    index.add_argument("--json", action="store_true", help="print the summary as JSON")

    search = commands.add_parser("search", help="search the index")
    _common_options(search, suppress=True)
    search.add_argument("query", metavar="QUERY", help="Whoosh query, AND by default")
    search.add_argument("--limit", type=int, default=20, help="hits to show (20)")
    search.add_argument(
        "--sort", choices=("relevance", "newest", "oldest"), default="relevance"
    )
    search.add_argument("--json", action="store_true", help="print JSON")

    stats = commands.add_parser("stats", help="describe the index")
    _common_options(stats, suppress=True)
    stats.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _locations(args: argparse.Namespace) -> Locations:
    return resolve_locations(
        default_articles_folder(), folders=args.articles or (), index_dir=args.index
    )


# --- show ---------------------------------------------------------------------


def _show_json(article: Article, view: ReaderView) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "source": article.source,
        "url": article.url,
        "author": article.author,
        "format": article.format,
        "paragraphs": list(view.paragraphs),
        "collapsed": [
            {"at": run.at, "count": run.count, "paragraphs": list(run.paragraphs)}
            for run in view.runs
        ],
    }


def _print_article(article: Article, view: ReaderView, show_all: bool) -> None:
    from index.collapse import marker_text

    style = _Style(sys.stdout)
    width = min(shutil.get_terminal_size((88, 24)).columns, 100)

    def fill(text: str) -> str:
        # Wrapped for a person at a terminal; whole lines for other programs.
        return textwrap.fill(text, width) if sys.stdout.isatty() else text

    print(style(article.title, "1"))
    facts = [
        article.date.strftime("%Y-%m-%d %H:%M %Z").strip() if article.date else None,
        article.source,
        article.author,
        article.url,
    ]
    print(
        style(" · ".join(fact for fact in facts if fact) or printable(article.id), "2")
    )
    for index in range(len(view.paragraphs) + 1):
        for run in view.runs_at(index):
            print()
            if show_all:
                for copy in run.paragraphs:
                    print(style(fill(f"(copy) {copy}"), "2"))
            else:
                print(style(marker_text(run.count), "2"))
        if index < len(view.paragraphs):
            print()
            print(fill(view.paragraphs[index]))


def _show(args: argparse.Namespace) -> int:
    from index.article import ArticleError
    from index.collapse import collapse
    from index.loaders import article_format, load_file, split_record_id

    target, record = split_record_id(args.file)
    path = Path(target)
    if not path.exists() and Path(args.file).exists():
        path, record = Path(args.file), None
    try:
        loaded = load_file(path, safe_name(path.name), record)
    except ArticleError as error:
        return _fail(f"{args.file}: {error}")
    articles = loaded.articles
    if args.json:
        items = [_show_json(a, collapse(a.paragraphs, a.title)) for a in articles]
        # A JSONL file gives a list however many records it has; a JSON file
        # a list when it holds several articles; one article an object.
        whole_collection = record is None and (
            article_format(path) == "jsonl" or len(items) > 1
        )
        payload = items if whole_collection else items[0]
        print(json.dumps(payload, ensure_ascii=False))
    else:
        for number, article in enumerate(articles):
            if number:
                print("\n" + "─" * 40 + "\n")
            _print_article(
                article, collapse(article.paragraphs, article.title), args.all
            )
    for problem in loaded.problems:
        print(f"newsdesk: skipped {printable(str(problem))}", file=sys.stderr)
    return 0


# --- index --------------------------------------------------------------------


class _ProgressReport:
    """A progress bar on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_line = 0.0
        self.drawn = False

    def __call__(self, progress: Progress) -> None:
        if progress.phase == "writing":
            # Every file is read; the last third of a large build is spent
            # writing segments, and a full bar alone looked stuck.
            if self.tty:
                self.stream.write(f"\r{'█' * 24} writing the index…\x1b[K")
                self.stream.flush()
                self.drawn = True
            else:
                print("writing the index …", file=self.stream, flush=True)
            return
        if progress.phase != "indexing" or not progress.total:
            return
        rate = progress.articles / progress.elapsed if progress.elapsed > 0 else 0.0
        share = progress.done / progress.total
        left = progress.elapsed / share - progress.elapsed if share > 0 else 0.0
        eta = time.strftime("%M:%S", time.gmtime(left)) if share > 0 else "--:--"
        figures = (
            f"{progress.done:,}/{progress.total:,} files · {rate:,.0f} articles/s · "
            f"ETA {eta}"
        )
        if self.tty:
            bar = "█" * int(share * 24) + "░" * (24 - int(share * 24))
            self.stream.write(f"\r{bar} {figures}\x1b[K")
            self.stream.flush()
            self.drawn = True
        elif time.monotonic() - self.last_line > 2 or progress.done == progress.total:
            self.last_line = time.monotonic()
            print(f"indexing {figures}", file=self.stream, flush=True)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def run_update(
    locations: Locations,
    rebuild: bool = False,
    wait: bool = False,
    quiet: bool = False,
) -> UpdateSummary:
    """Update the index with progress on stderr (unless quiet)."""
    from index.store import update_index

    report = None if quiet else _ProgressReport(sys.stderr)
    try:
        summary = update_index(locations, rebuild=rebuild, wait=wait, progress=report)
    finally:
        if report is not None:
            report.finish()
    if summary.notice and not quiet:
        print(f"newsdesk: {printable(summary.notice)}", file=sys.stderr)
    return summary


def _index(args: argparse.Namespace) -> int:
    locations = _locations(args)
    try:
        summary = run_update(
            locations, args.rebuild, args.wait, quiet=args.quiet or args.json
        )
    except KeyboardInterrupt:
        return _fail("interrupted: the previous index is unchanged", 130)
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False))
        return 0
    if args.quiet:
        return 0
    noun = "article" if summary.articles == 1 else "articles"
    print(f"{summary.line()} · {summary.articles:,} {noun} in {summary.seconds:.1f} s")
    shown = summary.skipped if args.verbose else summary.skipped[:_SHOWN_SKIPPED]
    for problem in shown:
        print(f"  skipped {printable(problem.where)}: {printable(problem.reason)}")
    if len(shown) < len(summary.skipped):
        print(f"  … and {len(summary.skipped) - len(shown)} more (--verbose lists all)")
    return 0


# --- search -------------------------------------------------------------------


def open_index(locations: Locations, quiet: bool = False) -> ArticleIndex:
    """Open the index, building or rebuilding it first when needed."""
    from index.search import ArticleIndex, IndexMissingError, IndexOutdatedError
    from index.store import IndexUnusableError

    try:
        return ArticleIndex(locations.index_dir)
    except (IndexMissingError, IndexOutdatedError):
        run_update(locations, quiet=quiet)
        return ArticleIndex(locations.index_dir)
    except IndexUnusableError as error:
        if not quiet:
            print(f"newsdesk: {printable(str(error))}; rebuilding", file=sys.stderr)
        run_update(locations, rebuild=True, quiet=quiet)
        return ArticleIndex(locations.index_dir)


def _print_hit(hit: Hit, style: _Style) -> None:
    date = hit.date.strftime("%Y-%m-%d") if hit.date else ""
    facts = " · ".join(fact for fact in (date, hit.source, printable(hit.id)) if fact)
    print(
        style.spans(hit.title, hit.title_spans, "1;33") if style.enabled else hit.title
    )
    print(style(facts, "2"))
    print("  " + style.spans(hit.snippet.text, hit.snippet.spans, "1;33"))
    print()


def _search(args: argparse.Namespace) -> int:
    from index.store import IndexUnusableError

    if args.limit < 0:
        return _fail("--limit must be 0 or more")
    locations = _locations(args)
    ix = open_index(locations, quiet=args.json)
    try:
        result = ix.search(args.query, limit=args.limit, sort=args.sort)
    except IndexUnusableError as error:
        print(f"newsdesk: {printable(str(error))}; rebuilding", file=sys.stderr)
        ix.close()
        run_update(locations, rebuild=True, quiet=args.json)
        ix = open_index(locations, quiet=args.json)
        result = ix.search(args.query, limit=args.limit, sort=args.sort)
    if result.error:
        return _fail(result.error)
    if args.json:
        payload: dict[str, Any] = {
            "query": result.query,
            "sort": result.sort,
            "total": result.total,
            "hits": [hit.as_json() for hit in result.hits],
            "correction": None,
        }
        if result.correction:
            payload["correction"] = {
                "query": result.correction.query,
                "total": result.correction.total,
                "hits": [hit.as_json() for hit in result.correction.hits],
            }
        print(json.dumps(payload, ensure_ascii=False))
        return 0 if result.total or result.correction else EXIT_NO_MATCH
    style = _Style(sys.stdout)
    total, hits = result.total, result.hits
    if result.correction and not result.total:
        print(
            style(
                f'showing results for "{printable(result.correction.query)}" '
                f'(no match for "{printable(result.query)}")',
                "2",
            )
        )
        total, hits = result.correction.total, result.correction.hits
    elif result.correction:
        print(style(f'did you mean "{printable(result.correction.query)}"?', "2"))
    if not total:
        print(f'no articles match "{printable(args.query)}"', file=sys.stderr)
        return EXIT_NO_MATCH
    noun = "result" if total == 1 else "results"
    print(style(f"{total:,} {noun} · {result.sort}", "2"))
    print()
    for hit in hits:
        _print_hit(hit, style)
    return 0


# --- stats --------------------------------------------------------------------


def _stats(args: argparse.Namespace) -> int:
    from index.store import read_meta

    locations = _locations(args)
    ix = open_index(locations, quiet=args.json)
    meta = read_meta(locations.index_dir)
    size = sum(
        path.stat().st_size for path in locations.index_dir.rglob("*") if path.is_file()
    )
    from index.store import skipped_files

    skipped = skipped_files(locations.index_dir)
    facts: dict[str, Any] = {
        "articles": ix.article_count,
        "distinct_terms": ix.distinct_terms(),
        "index_bytes": size,
        "index_dir": str(locations.index_dir),
        "articles_folders": [str(folder) for folder in locations.folders],
        "built_at": meta.built_at if meta else None,
        "build_seconds": meta.build_seconds if meta else None,
        "skipped": [{"file": p.where, "reason": p.reason} for p in skipped],
    }
    if args.json:
        print(json.dumps(facts, ensure_ascii=False))
        return 0
    print(f"articles         {facts['articles']:,}")
    print(f"distinct terms   {facts['distinct_terms']:,}")
    print(f"index size       {size / 1_048_576:,.1f} MB  ({locations.index_dir})")
    for folder in locations.folders:
        print(f"articles folder  {printable(str(folder))}")
    print(f"last build       {facts['built_at']} in {facts['build_seconds']} s")
    print(f"skipped files    {len(skipped)}")
    for problem in skipped[:_SHOWN_SKIPPED]:
        print(f"  {printable(problem.where)}: {printable(problem.reason)}")
    return 0


# --- app ----------------------------------------------------------------------


def make_app(locations: Locations) -> NewsdeskApp:
    """The app for these locations; tests build theirs the same way."""
    from .app import NewsdeskApp

    return NewsdeskApp(locations)


def _run_command(
    command: Callable[[argparse.Namespace], int], args: argparse.Namespace
) -> int:
    """Run a command, turning a busy or unusable index into one line."""
    from index.store import IndexBusyError, IndexUnusableError

    try:
        return command(args)
    except IndexBusyError as error:
        return _fail(f"{error}; try again when it is done, or use --wait", EXIT_BUSY)
    except IndexUnusableError as error:
        return _fail(str(error))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {"show": _show, "index": _index, "search": _search, "stats": _stats}
    try:
        if args.command in commands:
            status = _run_command(commands[args.command], args)
            # A reader that closed the pipe early shows here, not in the
            # flush at exit, which only prints "Exception ignored".
            sys.stdout.flush()
            return status
        # Off until the first frame is painted (the app turns it back on):
        # Textual's imports and the first layout set off about a hundred
        # collections, 20-30 ms in all, that find next to nothing.
        gc.disable()
        make_app(_locations(args)).run()
        return 0
    except ConfigError as error:
        return _fail(str(error))
    except BrokenPipeError:
        # Output piped into `head`, which has read enough: not an error.
        # Python flushes stdout again on exit, so the rest of the output
        # goes to /dev/null instead of raising there.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0
    except OSError as error:
        # A full disk or a read-only index folder: the old index is untouched.
        # (After BrokenPipeError, which is an OSError too.)
        reason = error.strerror or str(error)
        return _fail(
            f"cannot write the index: {reason}; the previous index is unchanged"
        )
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
