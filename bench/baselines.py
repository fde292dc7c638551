"""The references every newsdesk figure is compared with, on the same files.

* ripgrep: `rg -il WORD DIR`, the tool a user reaches for instead; it reads
  every file each time, so its time hardly depends on the word.
* tantivy: the Rust engine's Python bindings, as the native reference. It
  indexes the very documents newsdesk indexes (the collapsed text that
  `index.store.article_document` makes), parsed by the same loaders in a
  process pool like newsdesk's; indexing time and parsing time are reported
  apart. Each search returns the total and the first page with a body and
  a title snippet, as newsdesk's search does.

Tantivy here does not stem (its `default` tokenizer: split and lowercase), so
that prefix and fuzzy queries compare like with like; newsdesk stems. Its
snippet generator cannot see the terms a prefix or fuzzy query expands to, so
for those two kinds it returns snippets without highlights.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

try:
    import tantivy
except ImportError:  # the `bench` extra is not installed: rg only
    tantivy = None  # type: ignore[assignment, unused-ignore]
from queries import BenchQuery

from index.article import ArticleError
from index.discover import scan_folders
from index.loaders import load_file
from index.store import article_document

__all__ = [
    "TantivyBaseline",
    "load_documents",
    "rg_available",
    "rg_seconds",
    "tantivy_available",
]

_HEAP = 256 * 1024 * 1024
"""The same memory budget newsdesk gives its Whoosh writer (`limitmb=256`)."""
_SNIPPET_CHARS = 220
_BATCH = 64


def tantivy_available() -> bool:
    return tantivy is not None


def rg_available() -> bool:
    return shutil.which("rg") is not None


def rg_seconds(word: str, folder: Path) -> float:
    """Wall time of `rg -il -F WORD FOLDER`."""
    started = time.perf_counter()
    subprocess.run(
        ["rg", "-il", "-F", "--", word, str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def _load_batch(batch: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    documents = []
    for path, file_id in batch:
        try:
            loaded = load_file(Path(path), file_id)
        except ArticleError:
            continue
        for article in loaded.articles:
            document = article_document(article, file_id)
            documents.append(
                {
                    "id": document["id"],
                    "title": document["title"],
                    "body": document["body"],
                    "source": document["source"],
                    "date": document.get("date"),
                }
            )
    return documents


def load_documents(folder: Path) -> list[dict[str, Any]]:
    """Every article in `folder` as newsdesk indexes it, parsed on every core."""
    scan = scan_folders([folder])
    work = [(str(entry.path), entry.file_id) for entry in scan.files]
    batches = [work[i : i + _BATCH] for i in range(0, len(work), _BATCH)]
    context = multiprocessing.get_context("forkserver")
    with context.Pool(os.cpu_count() or 1) as pool:
        return [doc for docs in pool.imap(_load_batch, batches) for doc in docs]


@dataclass
class TantivyHit:
    id: str
    title: str
    title_spans: list[tuple[int, int]]
    snippet: str
    spans: list[tuple[int, int]]


class TantivyBaseline:
    """A tantivy index of the same documents, searched like newsdesk."""

    def __init__(self, folder: Path) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="default")
        builder.add_text_field("body", stored=True, tokenizer_name="default")
        builder.add_text_field("source", stored=True, tokenizer_name="default")
        builder.add_date_field("date", stored=True, indexed=True, fast=True)
        self.schema = builder.build()
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        self.folder = folder
        self.index = tantivy.Index(self.schema, path=str(folder))

    def build(self, documents: Sequence[dict[str, Any]]) -> float:
        """Index the documents and commit; returns the seconds it took."""
        started = time.perf_counter()
        writer = self.index.writer(_HEAP, 0)
        for document in documents:
            fields: dict[str, Any] = {
                "id": document["id"],
                "title": document["title"],
                "body": document["body"],
                "source": document["source"],
            }
            if document.get("date") is not None:
                fields["date"] = document["date"].replace(tzinfo=timezone.utc)
            writer.add_document(tantivy.Document(**fields))
        writer.commit()
        writer.wait_merging_threads()
        seconds = time.perf_counter() - started
        self.index.reload()
        self.searcher = self.index.searcher()
        return seconds

    def _either_field(self, make: Any) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, make("title")),
                (tantivy.Occur.Should, make("body")),
            ]
        )

    def query(self, query: BenchQuery) -> tantivy.Query:
        """The tantivy query equivalent to a benchmark query."""
        schema, index = self.schema, self.index
        if query.kind == "fuzzy":
            return self._either_field(
                lambda field: tantivy.Query.fuzzy_term_query(
                    schema, field, query.fuzzy, distance=1
                )
            )
        if query.kind == "field + date range":
            return tantivy.Query.boolean_query(
                [
                    (
                        tantivy.Occur.Must,
                        index.parse_query(f"title:{query.words[0]}", ["title"]),
                    ),
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.range_query(
                            schema,
                            "date",
                            tantivy.FieldType.Date,
                            datetime(query.date_from, 1, 1, tzinfo=timezone.utc),
                            datetime(query.date_to + 1, 1, 1, tzinfo=timezone.utc),
                            include_upper=False,
                        ),
                    ),
                ]
            )
        if query.kind == "prefix as you type":
            last = self._either_field(
                lambda field: tantivy.Query.fuzzy_term_query(
                    schema, field, query.prefix, distance=0, prefix=True
                )
            )
            if not query.words:
                return last
            lead = index.parse_query(
                " ".join(query.words), ["title", "body"], conjunction_by_default=True
            )
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, lead), (tantivy.Occur.Must, last)]
            )
        text = f'"{" ".join(query.words)}"' if query.phrase else " ".join(query.words)
        return index.parse_query(text, ["title", "body"], conjunction_by_default=True)

    def search(self, query: BenchQuery, limit: int) -> tuple[int, list[TantivyHit]]:
        """Total and the first page, with body and title snippets."""
        parsed = self.query(query)
        searcher = self.searcher
        result = searcher.search(parsed, limit, count=True)
        body = tantivy.SnippetGenerator.create(searcher, parsed, self.schema, "body")
        body.set_max_num_chars(_SNIPPET_CHARS)
        title = tantivy.SnippetGenerator.create(searcher, parsed, self.schema, "title")
        title.set_max_num_chars(1000)
        hits = []
        for _score, address in result.hits:
            document = searcher.doc(address)
            snippet = body.snippet_from_doc(document)
            title_snippet = title.snippet_from_doc(document)
            # Like newsdesk: no matched words to show, the start of the text.
            fragment = (
                snippet.fragment() or str(document.get_first("body"))[:_SNIPPET_CHARS]
            )
            hits.append(
                TantivyHit(
                    str(document.get_first("id")),
                    str(document.get_first("title")),
                    [(r.start, r.end) for r in title_snippet.highlighted()],
                    fragment,
                    [(r.start, r.end) for r in snippet.highlighted()],
                )
            )
        # The stub misses `count`, which `search(count=True)` fills in.
        return int(getattr(result, "count", 0) or 0), hits
