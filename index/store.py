"""The Whoosh index on disk: schema, crash-safe builds and incremental updates.

Layout of an index folder::

    current.json        which generation is live, its schema and build facts
    writer.lock         held (fcntl) by the one process allowed to write
    gen-<stamp>/        a complete Whoosh index plus manifest.json

A rebuild writes a new generation beside the live one and switches
`current.json` (an atomic rename) only when it is complete, so a crash or
Ctrl-C leaves the previous generation live. An incremental update commits
into the live generation; Whoosh's own commit is atomic (the table of
contents is renamed into place), and the manifest that remembers each file's
size, mtime and hash is rewritten after it. Every update first deletes a
file's documents before adding them, so a manifest that lags behind a commit
never causes a duplicate; the records are then rebuilt from the documents,
which keep their file's size and mtime. The manifest's first line holds a
fingerprint of the files it describes, so an update that finds nothing
changed reads only that line.

Many files are indexed on every core: each worker process reads and parses
its share of the files and writes its own Whoosh segment, and the parent
commits those segments in one table of contents (what Whoosh's own
`procs=N, multisegment=True` writer does, without sending every document
through the parent). Beside each generation, `words.txt` lists the words the
articles contain and in how many articles each occurs, for completing and
correcting what a person types.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, NamedTuple

from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.writing import MERGE_SMALL

from .analysis import indexed_words, stemmed_text
from .article import Article, ArticleError, Problem
from .collapse import collapse
from .discover import FileEntry, Scan, scan_folders
from .loaders import COLLECTION_FORMATS, load_file
from .locations import Locations
from .postings import (
    add_document,
    finalize_segment,
    use_term_pool,
    write_missing_flat_postings,
)

__all__ = [
    "SCHEMA_VERSION",
    "IndexBusyError",
    "IndexMeta",
    "IndexUnusableError",
    "Progress",
    "SortKey",
    "UpdateSummary",
    "file_stamp",
    "make_schema",
    "prepare_workers",
    "read_meta",
    "read_words",
    "skipped_files",
    "update_index",
]

SCHEMA_VERSION = 3
"""Bump when the schema or what goes into a document changes: older indexes
are then rebuilt instead of being misread."""

_CURRENT = "current.json"
_LOCK = "writer.lock"
_MANIFEST = "manifest.json"
_WORDS = "words.txt"
_GENERATION_PREFIX = "gen-"
# Below this many files to read, worker processes cost more than they save.
_PARALLEL_FROM = 64
# How often a worker reports progress, in files.
_REPORT_EVERY = 16
# Each worker's in-memory postings (`TermPool`); beyond it they go to disk in
# runs, merged back when the segment is written.
_WORKER_POOL_MB = 128
_MAX_WORD_CHARS = 40
_DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_UNDATED_LAST = 2**62
# A first build publishes what it has after this many files or bytes
# (whichever comes first), so that searching can start early.
_EARLY_PUBLISH_FILES = 300
_EARLY_PUBLISH_BYTES = 1_000_000


class IndexUnusableError(Exception):
    """The index cannot be used; the message is one line for the user."""


class IndexBusyError(IndexUnusableError):
    """Another process is writing the index."""

    def __init__(self, pid: int | None) -> None:
        holder = f"process {pid}" if pid else "another process"
        super().__init__(f"the index is being updated by {holder}")
        self.pid = pid


class SortKey(NUMERIC):  # type: ignore[misc]
    """A number kept only in a column, to sort by.

    An indexed NUMERIC adds a term for every 4 bits of every value, 16 a
    document at 64 bits, each date its own: with `collapsed`, 40 % of a
    segment's terms and 18 % of its postings, never searched (dates are
    searched in `date`). Writing them was a fifth of a worker's time."""

    indexed = False


def make_schema() -> Schema:
    """One document per article. Bodies are stored for snippets.

    No `spelling=True`: it indexes every word a second time (a third more
    build time and index size, measured); `words.txt` serves completion and
    correction instead."""
    return Schema(
        id=ID(stored=True, unique=True),
        file=ID(stored=True),
        path=STORED(),
        title=stemmed_text(stored=True, field_boost=2.0),
        body=stemmed_text(stored=True),
        source=TEXT(analyzer=StandardAnalyzer(stoplist=None), stored=True),
        author=TEXT(analyzer=StandardAnalyzer(stoplist=None), stored=True),
        date=DATETIME(),
        # Two sort keys so that undated articles come last in either order.
        newest=SortKey(bits=64, sortable=True),
        oldest=SortKey(bits=64, sortable=True),
        when=STORED(),
        url=STORED(),
        format=ID(stored=True),
        collapsed=STORED(),
        # "size:mtime_ns" of the file when indexed: the reader says when a
        # file changed since.
        stamp=STORED(),
    )


@dataclass(frozen=True)
class IndexMeta:
    """What `current.json` says about the live generation."""

    schema: int
    generation: str
    folders: tuple[str, ...]
    built_at: str
    build_seconds: float

    @property
    def as_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "generation": self.generation,
            "folders": list(self.folders),
            "built_at": self.built_at,
            "build_seconds": self.build_seconds,
        }


def read_meta(index_dir: Path) -> IndexMeta | None:
    """The live generation's facts, or None when there is no usable index."""
    try:
        data = json.loads((index_dir / _CURRENT).read_text(encoding="utf-8"))
        return IndexMeta(
            schema=int(data["schema"]),
            generation=str(data["generation"]),
            folders=tuple(str(folder) for folder in data.get("folders", [])),
            built_at=str(data.get("built_at", "")),
            build_seconds=float(data.get("build_seconds", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` whole: a crash leaves the old file or the new."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def _write_json(path: Path, data: Any) -> None:
    _write_atomically(path, json.dumps(data, ensure_ascii=False))


@contextmanager
def writer_lock(index_dir: Path, wait: bool = False) -> Iterator[None]:
    """Hold the index's writer lock; `IndexBusyError` names the holder."""
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    stream: IO[str] = open(index_dir / _LOCK, "a+", encoding="utf-8")  # noqa: SIM115
    try:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(stream.fileno(), flags)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            stream.seek(0)
            holder = stream.read().strip()
            raise IndexBusyError(int(holder) if holder.isdigit() else None) from None
        stream.seek(0)
        stream.truncate()
        stream.write(str(os.getpid()))
        stream.flush()
        try:
            yield
        finally:
            stream.seek(0)
            stream.truncate()
            stream.flush()
    finally:
        stream.close()


@dataclass(frozen=True)
class Progress:
    """How far an update has got; sent often, so small."""

    phase: str
    """`scanning`, `indexing`, `writing` (every file read, worker processes
    still writing their segments: a third of a large build) or `committing`."""
    done: int
    total: int
    articles: int
    elapsed: float


@dataclass
class UpdateSummary:
    """What an update did, for the one-line summary and `--json`."""

    new: int = 0
    changed: int = 0
    removed: int = 0
    skipped: list[Problem] = field(default_factory=list)
    articles: int = 0
    """Articles in the index after the update."""
    seconds: float = 0.0
    rebuilt: bool = False
    notice: str | None = None
    """Why a rebuild happened when it was not asked for."""

    def line(self) -> str:
        return (
            f"+{self.new} new, ~{self.changed} changed, -{self.removed} removed, "
            f"{len(self.skipped)} skipped"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "changed": self.changed,
            "removed": self.removed,
            "skipped": [{"file": p.where, "reason": p.reason} for p in self.skipped],
            "articles": self.articles,
            "seconds": round(self.seconds, 3),
            "rebuilt": self.rebuilt,
            "notice": self.notice,
        }


class _FileRecord(NamedTuple):
    """What the manifest remembers of a file: enough to skip it next time.

    A named tuple: an update of 100,000 files makes one of each, and a frozen
    dataclass took five times as long to make."""

    size: int
    mtime_ns: int
    sha: str
    ids: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class _Loaded:
    """A file read for indexing."""

    entry: FileEntry
    sha: str
    documents: tuple[dict[str, Any], ...]
    problems: tuple[Problem, ...]
    ids: tuple[str, ...] = ()
    """The articles' ids (kept when the documents go into a segment)."""
    unchanged: bool = False


def article_document(article: Article, file_id: str, stamp: str = "") -> dict[str, Any]:
    """The Whoosh document for an article: its collapsed text, so copies do
    not inflate scores, plus what the results list shows."""
    view = collapse(article.paragraphs, article.title)
    document: dict[str, Any] = {
        "id": article.id,
        "file": file_id,
        "path": str(article.path),
        "title": article.title,
        "body": "\n\n".join(view.paragraphs),
        "source": article.source or "",
        "author": article.author or "",
        "url": article.url or "",
        "format": article.format,
        "collapsed": view.collapsed_count,
        "when": article.date.isoformat() if article.date else "",
        "stamp": stamp,
    }
    if article.date is None:
        document["newest"], document["oldest"] = 0, _UNDATED_LAST
    else:
        utc = article.date.astimezone(timezone.utc)
        document["date"] = utc.replace(tzinfo=None)
        document["newest"] = document["oldest"] = int(utc.timestamp())
    return document


def file_stamp(size: int, mtime_ns: int) -> str:
    """How a file's size and mtime are recorded in its documents."""
    return f"{size}:{mtime_ns}"


def _size_and_mtime(stamp: str) -> tuple[int, int] | None:
    """What `file_stamp` recorded; None when `stamp` is not one of its."""
    size, _colon, mtime = stamp.partition(":")
    return (int(size), int(mtime)) if size.isdigit() and mtime.isdigit() else None


def _load_for_index(entry: FileEntry, known_sha: str | None) -> _Loaded:
    try:
        data = entry.path.read_bytes()
    except OSError as error:
        reason = "no such file" if isinstance(error, FileNotFoundError) else None
        problem = Problem(entry.file_id, reason or f"cannot read: {error.strerror}")
        return _Loaded(entry, "", (), (problem,))
    sha = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    if sha == known_sha:
        return _Loaded(entry, sha, (), (), unchanged=True)
    try:
        loaded = load_file(entry.path, entry.file_id)
    except ArticleError as error:
        return _Loaded(entry, sha, (), (Problem(entry.file_id, str(error)),))
    stamp = file_stamp(entry.size, entry.mtime_ns)
    documents = tuple(
        article_document(article, entry.file_id, stamp) for article in loaded.articles
    )
    ids = tuple(article.id for article in loaded.articles)
    return _Loaded(entry, sha, documents, loaded.problems, ids)


def _pool_context() -> multiprocessing.context.BaseContext:
    # forkserver: forking a process that runs threads (the app) can deadlock.
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def prepare_workers() -> None:
    """Start the helper processes that parallel indexing needs, now.

    Call it before a TUI takes over stderr: multiprocessing hands the
    current stderr to its helper processes, and a captured stderr has no
    usable file descriptor.
    """
    context = _pool_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _document_words(document: dict[str, Any]) -> set[str]:
    """The words a person might type for this document, for `words.txt`."""
    # The words the analyzer just found: title and body are indexed first.
    words = {*indexed_words(document["title"]), *indexed_words(document["body"])}
    return {
        word
        for word in words
        if len(word) <= _MAX_WORD_CHARS and word.isalpha() and len(word) > 1
    }


def read_words(generation_dir: Path) -> Counter[str]:
    """How many articles of a generation contain each word (empty if unknown)."""
    try:
        text = (generation_dir / _WORDS).read_text(encoding="utf-8")
    except OSError:
        return Counter()
    fields = text.split()
    try:
        return Counter(dict(zip(fields[::2], map(int, fields[1::2]), strict=True)))
    except ValueError:
        return Counter()


def _write_words(generation_dir: Path, words: Counter[str]) -> None:
    text = "".join(f"{word} {words[word]}\n" for word in sorted(words))
    _write_atomically(generation_dir / _WORDS, text)


@dataclass(frozen=True)
class _Share:
    """What a worker process returns after indexing its share of the files."""

    loaded: tuple[_Loaded, ...]
    """Every file it read, without the documents (they are in `segment`)."""
    segment: Any
    """The Whoosh segment it wrote, or None when it added no documents."""
    words: Counter[str]


# Set in each worker process by `_start_worker`.
_worker_progress: Connection | None = None


def _start_worker(progress: Connection) -> None:
    global _worker_progress
    _worker_progress = progress


def _index_share(
    generation_dir: str,
    share: Sequence[tuple[FileEntry, str | None]],
    pool_mb: float = _WORKER_POOL_MB,
) -> _Share:
    """In a worker process: read and parse `share`, writing a new segment."""
    progress = _worker_progress
    assert progress is not None, "set by _start_worker"
    ix = whoosh_index.open_dir(generation_dir)
    # Unlocked, as in Whoosh's own multiprocessing writer: the parent holds
    # the lock and commits this segment.
    writer = ix.writer(_lk=False, limitmb=pool_mb, compound=False)
    use_term_pool(writer, pool_mb)
    kept: list[_Loaded] = []
    words: Counter[str] = Counter()
    files = articles = 0
    for number, (entry, sha) in enumerate(share, start=1):
        loaded = _load_for_index(entry, sha)
        for document in loaded.documents:
            add_document(writer, document)
            words.update(_document_words(document))
        kept.append(replace(loaded, documents=()))
        files += 1
        articles += len(loaded.documents)
        if number % _REPORT_EVERY == 0 or number == len(share):
            # Sent at once: a queue's feeder thread was starved for minutes
            # while the segment was written, and the progress bar stalled.
            progress.send((files, articles))
            files = articles = 0
    if any(loaded.ids for loaded in kept):
        segment = finalize_segment(writer)
    else:
        writer._close_segment()
        segment = None
    return _Share(tuple(kept), segment, words)


def _shares(
    work: Sequence[tuple[FileEntry, str | None]], count: int
) -> list[list[tuple[FileEntry, str | None]]]:
    """`work` split into `count` shares of about the same bytes, each in order."""
    shares: list[list[int]] = [[] for _ in range(count)]
    sizes = [0] * count
    for number in sorted(range(len(work)), key=lambda n: -work[n][0].size):
        smallest = sizes.index(min(sizes))
        shares[smallest].append(number)
        sizes[smallest] += work[number][0].size
    return [[work[number] for number in sorted(share)] for share in shares if share]


def _drain(progress: Connection, advance: Callable[[int, int], None]) -> None:
    while progress.poll():
        files, articles = progress.recv()
        advance(files, articles)


def _index_in_workers(
    generation_dir: Path,
    work: Sequence[tuple[FileEntry, str | None]],
    advance: Callable[[int, int], None],
) -> list[_Share] | None:
    """Index `work` with one worker process per core.

    Returns None when the workers cannot run (a script without a __main__
    guard, a captured stderr, a worker killed): the caller then indexes in
    this process. A full disk is raised, since that would fail here too."""
    context = _pool_context()
    # One pipe for every worker: each message is written whole (far below
    # PIPE_BUF), so messages from two workers never interleave.
    progress, sending = context.Pipe(duplex=False)
    shares = _shares(work, os.cpu_count() or 1)
    pool = ProcessPoolExecutor(
        max_workers=len(shares),
        mp_context=context,
        initializer=_start_worker,
        initargs=(sending,),
    )
    finished = False
    try:
        futures = [
            pool.submit(_index_share, str(generation_dir), share, _WORKER_POOL_MB)
            for share in shares
        ]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.1, return_when=FIRST_EXCEPTION)
            _drain(progress, advance)
            if any(future.done() and future.exception() for future in futures):
                break
        results = [future.result() for future in futures]
        finished = True
        return results
    except (BrokenProcessPool, OSError, ValueError) as error:
        if isinstance(error, OSError) and error.errno in _DISK_FULL:
            raise
        return None
    finally:
        if not finished:
            # Ctrl-C or a failure: stop the workers now, not after their
            # shares. The executor has no public way to do that before 3.14.
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=finished, cancel_futures=True)
        progress.close()
        sending.close()


@dataclass(frozen=True)
class _Manifest:
    """The first line of a generation's manifest: what an update that finds
    nothing changed needs, without decoding a record for every file."""

    toc: int
    """The Whoosh generation the records match (-1: none)."""
    not_articles: list[Problem]
    """What the last scan found that is not an article file."""
    problems: dict[str, tuple[Problem, ...]]
    """Why articles in these files could not be indexed, by file id."""
    listing: str | None
    """The `Scan.fingerprint` of the files the records describe (None when
    they did not match the scan exactly, say after a file vanished)."""

    @property
    def skipped(self) -> list[Problem]:
        """Everything the last update could not index, and why."""
        return _skipped(self.not_articles, self.problems.values())


_NO_MANIFEST = _Manifest(-1, [], {}, None)
# What reading a missing or damaged manifest raises: a damaged file can hold
# anything JSON can, say 1e999 (int() overflows) or lists nested past the
# recursion limit.
_DAMAGED_MANIFEST = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    OverflowError,
    RecursionError,
)


def _problems(listed: Any) -> tuple[Problem, ...]:
    return tuple(Problem(str(where), str(reason)) for where, reason in listed)


def _listed(problems: Iterable[Problem]) -> list[list[str]]:
    """`problems` as the manifest holds them (`_problems` reads them back)."""
    return [[problem.where, problem.reason] for problem in problems]


def _read_manifest(generation_dir: Path) -> _Manifest:
    """The manifest's first line; `_NO_MANIFEST` when it is missing or damaged."""
    try:
        with (generation_dir / _MANIFEST).open("rb") as stream:
            header = json.loads(stream.readline())
        return _Manifest(
            int(header["toc"]),
            list(_problems(header["not_articles"])),
            {
                str(file_id): _problems(listed)
                for file_id, listed in header["problems"].items()
            },
            header["listing"] if isinstance(header["listing"], str) else None,
        )
    except _DAMAGED_MANIFEST:
        return _NO_MANIFEST


def _read_records(
    generation_dir: Path, manifest: _Manifest
) -> dict[str, _FileRecord] | None:
    """The manifest's record of every file; None when it is missing or damaged."""
    try:
        with (generation_dir / _MANIFEST).open("rb") as stream:
            stream.readline()
            listed = json.loads(stream.read())
        return {
            file_id: _FileRecord(
                int(size),
                int(mtime),
                str(sha),
                tuple(ids),
                manifest.problems.get(file_id, ()),
            )
            for file_id, (size, mtime, sha, ids) in listed.items()
        }
    except _DAMAGED_MANIFEST:
        return None


def _write_manifest(
    generation_dir: Path,
    records: dict[str, _FileRecord],
    toc: int,
    scan: Scan,
    fingerprint: str,
) -> None:
    """Write the manifest: a first line of `_Manifest`, then the records.

    The scan's `fingerprint` is kept only when the records describe exactly
    the files it found, so that a matching fingerprint next time proves that
    nothing changed."""
    matches = len(records) == len(scan.files) and all(
        (record := records.get(entry.file_id)) is not None
        and record.size == entry.size
        and record.mtime_ns == entry.mtime_ns
        for entry in scan.files
    )
    header = {
        "toc": toc,
        "listing": fingerprint if matches else None,
        "not_articles": _listed(scan.skipped),
        "problems": {
            file_id: _listed(record.problems)
            for file_id, record in records.items()
            if record.problems
        },
    }
    listed = {
        file_id: [record.size, record.mtime_ns, record.sha, list(record.ids)]
        for file_id, record in records.items()
    }
    _write_atomically(
        generation_dir / _MANIFEST,
        json.dumps(header, ensure_ascii=False)
        + "\n"
        + json.dumps(listed, ensure_ascii=False),
    )


def skipped_files(index_dir: Path) -> list[Problem]:
    """Files the live index could not take, and why, as of its last update."""
    meta = read_meta(index_dir)
    if meta is None:
        return []
    return _read_manifest(index_dir / meta.generation).skipped


def _skipped(
    scan_skipped: Sequence[Problem], problems: Iterable[tuple[Problem, ...]]
) -> list[Problem]:
    """What a scan skipped, then why each file's records were skipped."""
    return list(scan_skipped) + [problem for some in problems for problem in some]


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _remove_stale_generations(index_dir: Path, keep: Iterable[str]) -> None:
    """Delete generations left by crashed builds, and superseded ones.

    The generation just replaced is kept until the next write, so a process
    still reading it is not pulled out from under."""
    kept = set(keep)
    for child in index_dir.iterdir():
        if child.name.startswith(_GENERATION_PREFIX) and child.name not in kept:
            shutil.rmtree(child, ignore_errors=True)


ProgressCallback = Callable[[Progress], None]


@dataclass
class _Tally:
    """Files read and articles added so far in one update, reported as progress."""

    started: float
    total: int
    callback: ProgressCallback | None
    done: int = 0
    added: int = 0
    _last_report: float = 0.0

    def advance(self, files: int, articles: int) -> None:
        self.done += files
        self.added += articles
        now = time.monotonic()
        if self.callback is not None and (
            now - self._last_report > 0.1 or self.done == self.total
        ):
            self._last_report = now
            self.report("indexing")

    def report(self, phase: str) -> None:
        if self.callback is not None:
            elapsed = time.monotonic() - self.started
            self.callback(Progress(phase, self.done, self.total, self.added, elapsed))


def _record(
    writer: Any,
    loaded: _Loaded,
    records: dict[str, _FileRecord],
    summary: UpdateSummary,
) -> None:
    """Remember a file read for indexing; drop its old documents if it changed."""
    entry = loaded.entry
    previous = records.get(entry.file_id)
    if loaded.unchanged and previous is not None:
        # Touched, not changed: remember the new mtime, keep the documents.
        records[entry.file_id] = previous._replace(
            size=entry.size, mtime_ns=entry.mtime_ns
        )
        return
    if previous is not None:
        writer.delete_by_term("file", entry.file_id)
    ids = loaded.ids
    records[entry.file_id] = _FileRecord(
        entry.size, entry.mtime_ns, loaded.sha, ids, loaded.problems
    )
    if previous is not None and (previous.ids or ids):
        summary.changed += 1
    elif ids:
        summary.new += 1


def _index_files(
    writer: Any,
    generation_dir: Path,
    work: Sequence[tuple[FileEntry, str | None]],
    records: dict[str, _FileRecord],
    summary: UpdateSummary,
    tally: _Tally,
    words: Counter[str],
) -> list[Any]:
    """Read and index `work`, updating `records`, `summary` and `words`.

    Documents go into `writer`, or into segments written by worker processes;
    those are returned for the commit."""
    shares = None
    done, added = tally.done, tally.added
    writing = False

    def advance(files: int, articles: int) -> None:
        nonlocal writing
        tally.advance(files, articles)
        if not writing and tally.done == done + len(work):
            writing = True
            tally.report("writing")

    if len(work) >= _PARALLEL_FROM and (os.cpu_count() or 1) >= 2:
        shares = _index_in_workers(generation_dir, work, advance)
    if shares is not None:
        for share in shares:
            for loaded in share.loaded:
                _record(writer, loaded, records, summary)
                added += len(loaded.ids)
            words.update(share.words)
        # Progress counted what the workers reported; the shares are the truth.
        if (tally.done, tally.added) != (done + len(work), added):
            tally.advance(done + len(work) - tally.done, added - tally.added)
        return [share.segment for share in shares if share.segment is not None]
    for entry, sha in work:
        loaded = _load_for_index(entry, sha)
        _record(writer, loaded, records, summary)
        for document in loaded.documents:
            writer.add_document(**document)
            words.update(_document_words(document))
        tally.advance(1, len(loaded.documents))
    return []


def _commit(whoosh_ix: Any, writer: Any, segments: list[Any]) -> None:
    """Commit `writer` together with segments written by worker processes,
    then give the segments Whoosh wrote itself their flat postings."""

    def merge_policy(writer: Any, existing: list[Any]) -> list[Any]:
        return list(MERGE_SMALL(writer, existing)) + segments

    writer.commit(mergetype=merge_policy if segments else MERGE_SMALL)
    write_missing_flat_postings(whoosh_ix)


def _early_files(work: Sequence[tuple[FileEntry, str | None]]) -> int:
    """How many files a first build indexes before publishing them.

    Counted in bytes too: one JSONL feed can hold hundreds of articles (the
    first 300 files of the 100,000-article benchmark took a minute)."""
    size = 0
    for count, (entry, _sha) in enumerate(work[:_EARLY_PUBLISH_FILES], start=1):
        size += entry.size
        if size >= _EARLY_PUBLISH_BYTES:
            return count
    return min(len(work), _EARLY_PUBLISH_FILES)


def _build(
    locations: Locations,
    progress: ProgressCallback | None,
    notice: str | None,
) -> UpdateSummary:
    """Build a complete new generation and make it live."""
    started = time.monotonic()
    index_dir = locations.index_dir
    previous = read_meta(index_dir)
    generation = f"{_GENERATION_PREFIX}{_stamp()}"
    generation_dir = index_dir / generation
    generation_dir.mkdir(parents=True)
    summary = UpdateSummary(rebuilt=True, notice=notice)
    published = False

    def publish() -> None:
        meta = IndexMeta(
            schema=SCHEMA_VERSION,
            generation=generation,
            folders=tuple(str(folder) for folder in locations.folders),
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            build_seconds=round(time.monotonic() - started, 3),
        )
        _write_json(index_dir / _CURRENT, meta.as_json)

    try:
        if progress is not None:
            progress(Progress("scanning", 0, 0, 0, 0.0))
        scan = scan_folders(locations.folders)
        records: dict[str, _FileRecord] = {}
        whoosh_ix = whoosh_index.create_in(str(generation_dir), make_schema())
        work = [(entry, None) for entry in scan.files]
        # With no index to fall back on, the first files are published early
        # so that searching can start while the rest is indexed.
        early = previous is None and len(work) > 2 * _EARLY_PUBLISH_FILES
        first = _early_files(work)
        chunks = [work[:first], work[first:]] if early else [work]
        tally = _Tally(started, len(work), progress)
        words: Counter[str] = Counter()
        for chunk in chunks:
            writer = whoosh_ix.writer(limitmb=_WORKER_POOL_MB, compound=False)
            try:
                segments = _index_files(
                    writer, generation_dir, chunk, records, summary, tally, words
                )
                tally.report("committing")
                _commit(whoosh_ix, writer, segments)
            except BaseException:
                _cancel(writer)
                raise
            if early and not published:
                _write_words(generation_dir, words)
                publish()
                published = True
        _write_words(generation_dir, words)
        _write_manifest(
            generation_dir,
            records,
            whoosh_ix.latest_generation(),
            scan,
            scan.fingerprint(),
        )
        summary.articles = whoosh_ix.doc_count()
        whoosh_ix.close()
        summary.seconds = time.monotonic() - started
        publish()
    except BaseException:
        # A generation published early is all there is: keep it, and let the
        # next update complete it.
        if not published:
            shutil.rmtree(generation_dir, ignore_errors=True)
        raise
    keep = [generation] + ([previous.generation] if previous else [])
    _remove_stale_generations(index_dir, keep)
    summary.skipped = _skipped(
        scan.skipped, (record.problems for record in records.values())
    )
    return summary


def _update(
    locations: Locations, meta: IndexMeta, progress: ProgressCallback | None
) -> UpdateSummary:
    """Index new and changed files into the live generation; drop removed ones."""
    started = time.monotonic()
    generation_dir = locations.index_dir / meta.generation
    whoosh_ix = whoosh_index.open_dir(str(generation_dir))
    manifest = _read_manifest(generation_dir)
    if progress is not None:
        progress(Progress("scanning", 0, 0, 0, 0.0))
    scan = scan_folders(locations.folders)
    summary = UpdateSummary()
    current = manifest.toc == whoosh_ix.latest_generation()
    fingerprint = scan.fingerprint()
    if (
        current
        and manifest.listing == fingerprint
        and manifest.not_articles == scan.skipped
    ):
        # Nothing changed: no file's record is needed (decoding them all was
        # half of such an update at 100,000 files).
        summary.articles = whoosh_ix.doc_count()
        whoosh_ix.close()
        summary.skipped = manifest.skipped
        summary.seconds = time.monotonic() - started
        return summary
    records = _read_records(generation_dir, manifest) if current else None
    if records is None:
        records = _records_from_index(whoosh_ix, manifest.problems if current else None)
    present = {entry.file_id for entry in scan.files}
    work: list[tuple[FileEntry, str | None]] = []
    for entry in scan.files:
        record = records.get(entry.file_id)
        if record is None:
            work.append((entry, None))
        elif (record.size, record.mtime_ns) != (entry.size, entry.mtime_ns):
            work.append((entry, record.sha))
    removed = [file_id for file_id in records if file_id not in present]
    if work or removed:
        writer = whoosh_ix.writer(limitmb=_WORKER_POOL_MB, compound=False)
        words: Counter[str] = Counter()
        try:
            for file_id in removed:
                writer.delete_by_term("file", file_id)
                if records.pop(file_id).ids:
                    summary.removed += 1
            tally = _Tally(started, len(work), progress)
            segments = _index_files(
                writer, generation_dir, work, records, summary, tally, words
            )
            tally.report("committing")
            _commit(whoosh_ix, writer, segments)
        except BaseException:
            _cancel(writer)
            raise
        # Counts only grow: removed and changed articles are not subtracted
        # (that would need their old words). They only rank completions and
        # corrections, and a rebuild counts afresh.
        if words:
            _write_words(generation_dir, read_words(generation_dir) + words)
        whoosh_ix = whoosh_index.open_dir(str(generation_dir))
    _write_manifest(
        generation_dir, records, whoosh_ix.latest_generation(), scan, fingerprint
    )
    summary.articles = whoosh_ix.doc_count()
    whoosh_ix.close()
    summary.skipped = _skipped(
        scan.skipped, (record.problems for record in records.values())
    )
    summary.seconds = time.monotonic() - started
    return summary


def _cancel(writer: Any) -> None:
    """Cancel a writer after a failure, keeping the failure the one reported.

    A failed commit has already closed the writer; cancelling it again would
    raise "This writer is closed" and hide why the commit failed."""
    with suppress(Exception):
        writer.cancel()


def _records_from_index(
    whoosh_ix: Any, problems: dict[str, tuple[Problem, ...]] | None
) -> dict[str, _FileRecord]:
    """Rebuild the manifest's records from the index when they are lost.

    Each document keeps its file's size and mtime (`stamp`), so files
    unchanged since they were indexed are not read again. What could not be
    indexed is not in the documents: `problems` (the manifest's first line,
    when it still matches the index) says it; without it, collection files
    are read again (their bad records sit beside good ones), as are files
    that gave no article (they are not in the index)."""
    ids_by_file: dict[str, list[str]] = {}
    stamps: dict[str, str] = {}
    formats: dict[str, str] = {}
    with whoosh_ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            file_id = fields["file"]
            ids_by_file.setdefault(file_id, []).append(fields["id"])
            stamps[file_id] = fields.get("stamp", "")
            formats[file_id] = fields.get("format", "")
    records = {}
    for file_id, ids in ids_by_file.items():
        known = _size_and_mtime(stamps[file_id])
        if problems is None and formats[file_id] in COLLECTION_FORMATS:
            known = None  # Which of its records were skipped is unknown.
        size, mtime = known or (-1, -1)
        records[file_id] = _FileRecord(
            size,
            mtime,
            "",
            tuple(ids),
            problems.get(file_id, ()) if problems is not None else (),
        )
    return records


def update_index(
    locations: Locations,
    rebuild: bool = False,
    wait: bool = False,
    progress: ProgressCallback | None = None,
) -> UpdateSummary:
    """Bring the index up to date with the articles folders.

    Incremental unless `rebuild` is set or the index is missing, of another
    schema, or unreadable; those cases build a new generation and say why in
    `UpdateSummary.notice`. Raises `IndexBusyError` when another process holds
    the writer lock (unless `wait`).
    """
    with writer_lock(locations.index_dir, wait=wait):
        meta = read_meta(locations.index_dir)
        if rebuild:
            return _build(locations, progress, None)
        if meta is None:
            unreadable = (locations.index_dir / _CURRENT).exists()
            notice = f"the index was unreadable ({_CURRENT}): rebuilding"
            return _build(locations, progress, notice if unreadable else None)
        if meta.schema != SCHEMA_VERSION:
            notice = (
                f"index format {meta.schema} is outdated (now {SCHEMA_VERSION}): "
                "rebuilding"
            )
            return _build(locations, progress, notice)
        try:
            return _update(locations, meta, progress)
        except OSError as error:
            if error.errno in _DISK_FULL:
                raise  # Rebuilding would fail the same way.
            notice = f"the index was unreadable ({error.strerror}): rebuilding"
            return _build(locations, progress, notice)
        # Damaged index files fail in many ways (struct, pickle, zlib, …).
        except Exception as error:
            notice = f"the index was unreadable ({type(error).__name__}): rebuilding"
            return _build(locations, progress, notice)
