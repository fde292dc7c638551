"""Benchmark HTML main-text extractors on the shared ``html_pages`` corpus.

Each saved page ``html/NAME.html`` is paired with its expected article text
``text/NAME.txt``. Every installed candidate extractor is run on every paired
page, in its own child process, so that its import time and peak memory are
measured cleanly. The script prints one markdown table:

* token-level F1 per page: lowercase, tokens are ``\\w+`` matches, compared as
  multisets; precision = overlap / extracted tokens, recall = overlap /
  expected tokens. A failure or an empty extraction scores 0.
* mean and median F1, mean precision and recall over the scored pages;
* the same F1 over "articles" only: about twenty expected texts are an
  annotator's all-capitals note ("FAILED, ...") rather than article text, and
  no extractor can score on them;
* median milliseconds per page and total seconds: wall clock, fastest of
  ``--repeat`` runs of each page, after one warm-up call;
* empty or failed extractions, median count of non-empty output lines per page
  (does the output separate paragraphs with newlines?), import time and peak
  resident memory of the worker.

Candidates that are not installed are skipped with a note. Pages whose
expected text is empty are not scored (F1 is undefined for them).

Usage::

    python bench/html_extractors.py [HTML_PAGES_DIR] [--only SUBSTRING ...]
                                    [--repeat N] [--per-page FILE.csv]

``HTML_PAGES_DIR`` defaults to ``../shared/corpora/html_pages`` relative to the
repository root. Nothing from the corpus is written anywhere except computed
numbers (and page names, with ``--per-page``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.metadata
import importlib.util
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Extractor = Callable[[str], str]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "html_pages"
TOKEN_RE = re.compile(r"\w+")
WORKER_TIMEOUT_S = 1800
NOTE_UPPERCASE_SHARE = 0.6
# Block-level tags after which a line break is inserted when a candidate
# returns an HTML fragment (readability) rather than text.
BLOCK_TAGS = frozenset(
    {
        *("p", "div", "li", "ul", "ol", "pre", "blockquote", "br", "hr"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt"),
        *("table", "tr", "td", "th", "figure", "figcaption"),
        *("article", "section", "header", "footer"),
    }
)


# --------------------------------------------------------------------------
# Candidates: each factory imports its library lazily (so that the worker can
# time the import) and returns a function from an HTML string to plain text.
# The libraries are optional and mostly untyped, so they are imported by name
# and used as ``Any``.
# --------------------------------------------------------------------------


def _load(module: str) -> Any:
    return importlib.import_module(module)


def _trafilatura(**options: Any) -> Callable[[], Extractor]:
    def factory() -> Extractor:
        trafilatura = _load("trafilatura")

        def run(html: str) -> str:
            return str(trafilatura.extract(html, **options) or "")

        return run

    return factory


def _trafilatura_bare(**options: Any) -> Callable[[], Extractor]:
    def factory() -> Extractor:
        trafilatura = _load("trafilatura")

        def run(html: str) -> str:
            document = trafilatura.bare_extraction(html, **options)
            return "" if document is None else str(document.text or "")

        return run

    return factory


def _html_fragment_to_text(fragment: str) -> str:
    """Turn an HTML fragment into text with one block element per line."""
    if not fragment.strip():
        return ""
    root = _load("lxml.html").fromstring(fragment)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    text: str = root.text_content()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _readability() -> Extractor:
    document_class = _load("readability").Document

    def run(html: str) -> str:
        summary = document_class(html).summary(html_partial=True)
        return _html_fragment_to_text(str(summary))

    return run


def _justext() -> Extractor:
    justext = _load("justext")
    stoplist = justext.get_stoplist("English")

    def run(html: str) -> str:
        paragraphs = justext.justext(html.encode("utf-8"), stoplist)
        return "\n".join(str(p.text) for p in paragraphs if not p.is_boilerplate)

    return run


def _resiliparse(**options: Any) -> Callable[[], Extractor]:
    def factory() -> Extractor:
        html2text = _load("resiliparse.extract.html2text")

        def run(html: str) -> str:
            return str(html2text.extract_plain_text(html, main_content=True, **options))

        return run

    return factory


def _goose3() -> Extractor:
    goose = _load("goose3").Goose({"enable_image_fetching": False})

    def run(html: str) -> str:
        return str(goose.extract(raw_html=html).cleaned_text or "")

    return run


def _newspaper4k() -> Extractor:
    newspaper = _load("newspaper")

    def run(html: str) -> str:
        # A placeholder URL: the HTML is given, nothing is downloaded.
        article = newspaper.Article("https://example.invalid/a", fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return str(article.text or "")

    return run


def _boilerpy3() -> Extractor:
    extractor = _load("boilerpy3.extractors").ArticleExtractor(raise_on_failure=False)

    def run(html: str) -> str:
        return str(extractor.get_content(html) or "")

    return run


def _html_text() -> Extractor:
    html_text = _load("html_text")

    def run(html: str) -> str:
        return str(html_text.extract_text(html))

    return run


@dataclass(frozen=True)
class Candidate:
    """One extractor configuration to benchmark."""

    name: str
    distribution: str  # PyPI distribution name, for the version
    module: str  # import name, to tell whether it is installed
    factory: Callable[[], Extractor]


NO_COMMENTS: dict[str, Any] = {"include_comments": False}
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("trafilatura (defaults)", "trafilatura", "trafilatura", _trafilatura()),
    Candidate(
        "trafilatura fast", "trafilatura", "trafilatura", _trafilatura(fast=True)
    ),
    Candidate(
        "trafilatura favor_precision",
        "trafilatura",
        "trafilatura",
        _trafilatura(favor_precision=True),
    ),
    Candidate(
        "trafilatura favor_recall",
        "trafilatura",
        "trafilatura",
        _trafilatura(favor_recall=True),
    ),
    Candidate(
        "trafilatura no comments",
        "trafilatura",
        "trafilatura",
        _trafilatura(**NO_COMMENTS),
    ),
    Candidate(
        "trafilatura no comments, no tables",
        "trafilatura",
        "trafilatura",
        _trafilatura(include_tables=False, **NO_COMMENTS),
    ),
    Candidate(
        "trafilatura no comments, precision",
        "trafilatura",
        "trafilatura",
        _trafilatura(favor_precision=True, **NO_COMMENTS),
    ),
    Candidate(
        "trafilatura no comments, recall",
        "trafilatura",
        "trafilatura",
        _trafilatura(favor_recall=True, **NO_COMMENTS),
    ),
    Candidate(
        "trafilatura no comments, fast",
        "trafilatura",
        "trafilatura",
        _trafilatura(fast=True, **NO_COMMENTS),
    ),
    Candidate(
        "trafilatura bare_extraction + metadata, no comments, recall",
        "trafilatura",
        "trafilatura",
        _trafilatura_bare(with_metadata=True, favor_recall=True, **NO_COMMENTS),
    ),
    Candidate("readability-lxml", "readability-lxml", "readability", _readability),
    Candidate("jusText (English stoplist)", "jusText", "justext", _justext),
    Candidate("resiliparse main_content", "resiliparse", "resiliparse", _resiliparse()),
    Candidate(
        "resiliparse main_content, no comments/alt",
        "resiliparse",
        "resiliparse",
        _resiliparse(comments=False, alt_texts=False),
    ),
    Candidate("goose3", "goose3", "goose3", _goose3),
    Candidate("newspaper4k", "newspaper4k", "newspaper", _newspaper4k),
    Candidate("boilerpy3 ArticleExtractor", "boilerpy3", "boilerpy3", _boilerpy3),
    Candidate("html-text (whole page)", "html-text", "html_text", _html_text),
)
CANDIDATES_BY_NAME = {candidate.name: candidate for candidate in CANDIDATES}


# --------------------------------------------------------------------------
# Corpus and metric
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A saved HTML page with the tokens of its expected text."""

    name: str
    html_path: Path
    text_path: Path
    expected: Counter[str]
    is_note: bool  # the expected text is an annotator's note, not article text


def is_annotator_note(text: str) -> bool:
    """Tell an all-capitals remark ("FAILED, ...") from real article text.

    About twenty expected texts in the corpus are such notes about what some
    extractor once missed; no extractor can reproduce them.
    """
    letters = [char for char in text if char.isalpha()]
    uppercase = sum(1 for char in letters if char.isupper())
    return bool(letters) and uppercase >= NOTE_UPPERCASE_SHARE * len(letters)


def pair_pages(corpus: Path) -> tuple[list[Page], list[str]]:
    """Pair ``html/*.html`` with ``text/*.txt``; return pages and notes.

    Some files differ only by an ``_article`` suffix on the HTML side
    (``japanese_article2.html`` goes with ``japanese2.txt``).
    """
    texts = {path.stem: path for path in (corpus / "text").glob("*.txt")}
    pages: list[Page] = []
    unpaired_html: list[str] = []
    for html_path in sorted((corpus / "html").glob("*.html")):
        stem = html_path.stem
        text_path = texts.get(stem) or texts.get(stem.replace("_article", ""))
        if text_path is None:
            unpaired_html.append(stem)
            continue
        expected = read_text(text_path)
        pages.append(
            Page(
                stem,
                html_path,
                text_path,
                token_counts(expected),
                is_annotator_note(expected),
            )
        )
    used = {page.text_path.stem for page in pages}
    unpaired_text = sorted(set(texts) - used)
    notes = []
    if unpaired_html:
        notes.append(f"HTML pages without expected text: {', '.join(unpaired_html)}")
    if unpaired_text:
        notes.append(f"expected texts without HTML: {', '.join(unpaired_text)}")
    return pages, notes


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def token_counts(text: str) -> Counter[str]:
    return Counter(TOKEN_RE.findall(text.lower()))


def score(extracted: str, expected: Counter[str]) -> tuple[float, float, float]:
    """Return (F1, precision, recall) of the extracted text's tokens."""
    got = token_counts(extracted)
    n_got, n_expected = sum(got.values()), sum(expected.values())
    if not n_got or not n_expected:
        return 0.0, 0.0, 0.0
    overlap = sum((got & expected).values())
    precision, recall = overlap / n_got, overlap / n_expected
    if not overlap:
        return 0.0, precision, recall
    return 2 * precision * recall / (precision + recall), precision, recall


def count_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


# --------------------------------------------------------------------------
# Worker: runs one candidate over the corpus and prints JSON
# --------------------------------------------------------------------------


def run_worker(name: str, corpus: Path, repeat: int) -> dict[str, Any]:
    """Run one candidate over every scored page; time each page ``repeat`` times."""
    pages = [page for page in pair_pages(corpus)[0] if page.expected]
    htmls = [read_text(page.html_path) for page in pages]

    start = time.perf_counter()
    extract = CANDIDATES_BY_NAME[name].factory()
    import_ms = (time.perf_counter() - start) * 1000
    with contextlib.suppress(Exception):  # a failing page is measured below
        extract(htmls[0])  # warm-up: lazy loading of models, stoplists, ...

    texts: list[str] = [""] * len(pages)
    errors: list[str] = [""] * len(pages)
    best_ms = [float("inf")] * len(pages)
    for round_number in range(repeat):
        for index, html in enumerate(htmls):
            start = time.perf_counter()
            try:
                text = extract(html)
            except Exception as exc:  # any failure scores 0
                text, error = "", f"{type(exc).__name__}: {exc}"[:200]
            else:
                error = ""
            best_ms[index] = min(best_ms[index], (time.perf_counter() - start) * 1000)
            if round_number == 0:
                texts[index], errors[index] = text, error

    rows: list[dict[str, Any]] = []
    for page, text, error, ms in zip(pages, texts, errors, best_ms, strict=True):
        f1, precision, recall = score(text, page.expected)
        rows.append(
            {
                "page": page.name,
                "note": page.is_note,
                "f1": f1,
                "precision": precision,
                "recall": recall,
                "ms": ms,
                "lines": count_lines(text),
                "empty": not text.strip(),
                "error": error,
            }
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"import_ms": import_ms, "peak_mib": peak_kib / 1024, "rows": rows}


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    candidate: Candidate
    version: str
    import_ms: float
    peak_mib: float
    rows: list[dict[str, Any]]

    def column(self, key: str, *, articles_only: bool = False) -> list[float]:
        return [
            float(row[key]) for row in self.rows if not (articles_only and row["note"])
        ]


def run_candidate(candidate: Candidate, corpus: Path, repeat: int) -> Result | str:
    """Run one candidate in a child process; return its result or a note."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        str(corpus),
        "--repeat",
        str(repeat),
        "--worker",
        candidate.name,
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"{candidate.name}: timed out after {WORKER_TIMEOUT_S} s"
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        return f"{candidate.name}: worker failed: {tail[0]}"
    data = json.loads(done.stdout.strip().splitlines()[-1])
    version = importlib.metadata.version(candidate.distribution)
    return Result(candidate, version, data["import_ms"], data["peak_mib"], data["rows"])


def markdown_table(results: list[Result]) -> str:
    header = (
        "| extractor | version | mean F1 | median F1 | mean P | mean R "
        "| median ms/page | total s | empty/failed | median lines/page "
        "| mean F1 articles | median F1 articles | import ms | peak RSS MiB |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for result in results:
        f1 = result.column("f1")
        ms = result.column("ms")
        articles = result.column("f1", articles_only=True)
        empty = sum(1 for row in result.rows if row["empty"])
        lines.append(
            f"| {result.candidate.name} | {result.version} "
            f"| {statistics.fmean(f1):.3f} | {statistics.median(f1):.3f} "
            f"| {statistics.fmean(result.column('precision')):.3f} "
            f"| {statistics.fmean(result.column('recall')):.3f} "
            f"| {statistics.median(ms):.1f} | {sum(ms) / 1000:.2f} "
            f"| {empty} | {statistics.median(result.column('lines')):.0f} "
            f"| {statistics.fmean(articles):.3f} | {statistics.median(articles):.3f} "
            f"| {result.import_ms:.0f} | {result.peak_mib:.0f} |"
        )
    return "\n".join(lines)


def write_per_page(results: list[Result], path: Path) -> None:
    fields = ["extractor", "page", "f1", "precision", "recall", "ms", "lines"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*fields, "error"])
        for result in results:
            for row in result.rows:
                writer.writerow(
                    [result.candidate.name, row["page"]]
                    + [
                        round(row[key], 4) if isinstance(row[key], float) else row[key]
                        for key in fields[2:]
                    ]
                    + [row["error"]]
                )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "corpus",
        nargs="?",
        type=Path,
        default=DEFAULT_CORPUS,
        help="html_pages folder holding html/ and text/ (default: %(default)s)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="SUBSTRING",
        help="run only candidates whose name contains SUBSTRING (repeatable)",
    )
    parser.add_argument(
        "--per-page", type=Path, help="also write per-page scores to this CSV"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time each page this many times and keep the fastest (default: 3)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus: Path = args.corpus.resolve()
    if args.worker:
        print(json.dumps(run_worker(args.worker, corpus, max(1, args.repeat))))
        return 0
    if not (corpus / "html").is_dir() or not (corpus / "text").is_dir():
        print(f"no html/ and text/ under {corpus}", file=sys.stderr)
        return 2

    pages, notes = pair_pages(corpus)
    empty = [page.name for page in pages if not page.expected]
    if empty:
        notes.append(f"not scored (expected text is empty): {', '.join(empty)}")
    scored = [page for page in pages if page.expected]
    annotator_notes = [page.name for page in scored if page.is_note]
    expected_lines = [
        count_lines(read_text(page.text_path)) for page in scored if not page.is_note
    ]

    results: list[Result] = []
    for candidate in CANDIDATES:
        if args.only and not any(part in candidate.name for part in args.only):
            continue
        if importlib.util.find_spec(candidate.module) is None:
            notes.append(
                f"skipped {candidate.name}: {candidate.distribution} is not installed"
            )
            continue
        print(f"running {candidate.name} ...", file=sys.stderr, flush=True)
        outcome = run_candidate(candidate, corpus, args.repeat)
        if isinstance(outcome, str):
            notes.append(outcome)
        else:
            results.append(outcome)

    print(
        f"{len(scored)} pages scored, from {corpus}; 'articles' columns leave out "
        f"the {len(annotator_notes)} whose expected text is an annotator's note "
        f"({', '.join(annotator_notes)}). Times: fastest of {args.repeat} runs.\n"
    )
    print(markdown_table(results))
    print(
        f"\nExpected article text: median {statistics.median(expected_lines):.0f} "
        "non-empty lines (paragraphs) per page."
    )
    for result in results:
        errors = Counter(
            row["error"].split(":")[0] for row in result.rows if row["error"]
        )
        if errors:
            summary = ", ".join(f"{kind} x{n}" for kind, n in errors.items())
            notes.append(f"{result.candidate.name} raised on some pages: {summary}")
    for note in notes:
        print(f"- {note}")
    if args.per_page:
        write_per_page(results, args.per_page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
