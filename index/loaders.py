"""Article files to `Article`s, one loader per format, chosen by suffix.

`load_file` is the one entry point. A file that cannot be loaded at all raises
`ArticleError` with a one-line reason; a collection file (JSON, JSONL) with a
few bad records loads the rest and reports each bad one as a `Problem`.
"""

from __future__ import annotations

import json
import logging
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .article import Article, ArticleError, Problem
from .fields import (
    AUTHOR_FIELDS,
    BODY_FIELDS,
    DATE_FIELDS,
    SOURCE_FIELDS,
    TITLE_FIELDS,
    URL_FIELDS,
    first_field,
    parse_date,
    text_value,
)
from .paragraphs import pick_title, readable_file_name, split_paragraphs
from .text import UndecodableError, clean_text, decode_bytes

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "COLLECTION_FORMATS",
    "MAX_FILE_BYTES",
    "SUFFIX_FORMATS",
    "LoadedFile",
    "article_format",
    "format_of_suffix",
    "load_file",
    "split_record_id",
]

SUFFIX_FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

MAX_FILE_BYTES = 128 * 1024 * 1024
"""Larger files are skipped: no article file is that long."""

MAX_ARTICLE_BYTES = 8 * 1024 * 1024
"""Of a one-article file, only this much is read."""

MAX_ARTICLE_CHARS = 2_000_000
"""One article's text is cut here (a long book is about this size): beyond
it, collapsing and indexing would hold many times the file in memory."""

_CUT_NOTE = "… (newsdesk shows the first {} characters of this article)"
_CONTROL_REFERENCE = re.compile(
    r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|127));"
)
"""HTML character references to control characters: lxml rejects them and
trafilatura then drops the whole page."""

_MAX_FRONT_MATTER_CHARS = 64 * 1024

# trafilatura and its helpers log warnings about pages; with no handler
# configured, Python would print them over the terminal (and the app).
for _logger in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_logger).addHandler(logging.NullHandler())


@dataclass(frozen=True)
class LoadedFile:
    """What one file gave: its articles and the records that failed."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...] = ()


def article_format(path: Path) -> str | None:
    """The format a file is loaded as, from its suffix; None when unknown."""
    return format_of_suffix(path.suffix)


def format_of_suffix(suffix: str) -> str | None:
    """The format a file suffix (`.TXT`, `.jsonl`) is loaded as; None when unknown."""
    return SUFFIX_FORMATS.get(suffix.lower())


def name_suffix(name: str) -> str:
    """A file name's suffix as `Path.suffix` gives it, without making a Path
    (a scan of 100,000 files spent a second in pathlib)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def split_record_id(target: str) -> tuple[str, int | None]:
    """`folder/feed.jsonl#3` → (`folder/feed.jsonl`, 3); no `#N` → (target, None)."""
    base, hash_mark, number = target.rpartition("#")
    if hash_mark and number.isdigit() and base:
        return base, int(number)
    return target, None


def _read(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, at most `limit` of them (cut after a line end)."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ArticleError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block forever, /dev/zero never end.
            raise ArticleError("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ArticleError(
                f"too large ({info.st_size // (1024 * 1024)} MB, limit "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB)"
            )
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            # Cut at a line end so no character is split: LF is one byte in
            # UTF-8 and the legacy encodings, and UTF-16 keeps even lengths.
            end = data.rfind(b"\n", 0, limit) + 1 or limit
            data = data[: end + (end % 2)]
        return data
    except FileNotFoundError as error:
        raise ArticleError("no such file") from error
    except IsADirectoryError as error:
        raise ArticleError("is a folder, not a file") from error
    except PermissionError as error:
        raise ArticleError("permission denied") from error
    except OSError as error:
        raise ArticleError(f"cannot read: {error.strerror or error}") from error


def _text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    try:
        return clean_text(decode_bytes(_read(path, limit)))
    except UndecodableError as error:
        raise ArticleError(str(error)) from error


def _referenced_character(match: re.Match[str]) -> str:
    number = match.group()[2:-1]
    return chr(int(number[1:], 16) if number[:1] in "xX" else int(number))


def _capped(text: str) -> str:
    """One article's text, cut at a paragraph break near `MAX_ARTICLE_CHARS`."""
    if len(text) <= MAX_ARTICLE_CHARS:
        return text
    end = text.rfind("\n", MAX_ARTICLE_CHARS // 2, MAX_ARTICLE_CHARS)
    end = end if end > 0 else MAX_ARTICLE_CHARS
    return text[:end] + "\n\n" + _CUT_NOTE.format(f"{end:,}")


def _titled_article(
    path: Path,
    article_id: str,
    fmt: str,
    paragraphs: list[str],
    title: str | None = None,
    **metadata: Any,
) -> Article:
    """Build an article, finding the title in the text when none was given."""
    body = tuple(paragraphs)
    if not title:
        titled = pick_title(paragraphs)
        title, body = titled.title, titled.paragraphs
    if not title and not body:
        raise ArticleError("empty: no text")
    return Article(
        id=article_id,
        title=title or readable_file_name(path),
        paragraphs=body,
        format=fmt,
        path=path,
        **metadata,
    )


def _load_txt(path: Path, article_id: str) -> LoadedFile:
    paragraphs = split_paragraphs(_capped(_text(path, MAX_ARTICLE_BYTES)))
    return LoadedFile((_titled_article(path, article_id, "txt", paragraphs),))


def _front_matter(text: str) -> tuple[Mapping[str, Any], str]:
    """Split YAML front matter from a Markdown text; invalid YAML is ignored."""
    if not text.startswith("---\n"):
        return {}, text
    end = -1
    for fence in ("\n---\n", "\n...\n", "\n---"):
        end = text.find(fence, 4, _MAX_FRONT_MATTER_CHARS)
        if end != -1 and (fence != "\n---" or text.endswith(fence)):
            body = text[end + len(fence) :]
            break
    else:
        return {}, text
    # Imported here: PyYAML's import is slow and only Markdown needs it.
    import yaml

    try:
        # The safe loader builds no objects; aliases are shared, so a "billion
        # laughs" document stays small, and we only read scalar fields. The
        # C parser, where PyYAML has one, took a sixth of the time.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        meta = yaml.load(text[4:end], Loader=loader)
    # Well-formed YAML can still hold what no value can be made of, and
    # PyYAML's constructors then raise what they happen to: ValueError (30
    # February, 5,000 digits), KeyError (`!!bool maybe`), AttributeError
    # (`!!timestamp soon`), RecursionError (deep nesting, pure-Python parser).
    # Any of them means the same as invalid YAML: no usable front matter.
    except Exception:
        return {}, body
    return (meta if isinstance(meta, Mapping) else {}), body


@cache
def _markdown_parser() -> MarkdownIt:
    """One CommonMark parser for every file: making one took half a
    millisecond, about as long as parsing a typical article."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark")
    # Each rule chain is compiled on first use, and a second thread could
    # see one half compiled (a reader and an update can both parse); compiled
    # here, before the cache shares the parser.
    for ruler in (
        parser.core.ruler,
        parser.block.ruler,
        parser.inline.ruler,
        parser.inline.ruler2,
    ):
        ruler.getRules("")
    return parser


def _markdown_blocks(body: str) -> tuple[str | None, list[str]]:
    """Markdown to (first top-level heading if it opens the text, paragraphs)."""
    tokens = _markdown_parser().parse(body)
    blocks: list[str] = []
    heading: str | None = None
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.children is not None:
            parts: list[str] = []
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            line = " ".join("".join(parts).split())
            if not line:
                continue
            opener = tokens[index - 1] if index else None
            if (
                not blocks
                and heading is None
                and opener is not None
                and opener.type == "heading_open"
                and opener.tag == "h1"
            ):
                heading = line
            else:
                blocks.append(line)
        elif token.type in ("fence", "code_block"):
            blocks.extend(split_paragraphs(token.content))
    return heading, blocks


def _load_md(path: Path, article_id: str) -> LoadedFile:
    meta, body = _front_matter(_capped(_text(path, MAX_ARTICLE_BYTES)))
    heading, paragraphs = _markdown_blocks(body)
    title = text_value(first_field(meta, TITLE_FIELDS)) or heading
    return LoadedFile(
        (
            _titled_article(
                path,
                article_id,
                "md",
                paragraphs,
                title,
                **_metadata(meta),
            ),
        )
    )


def _metadata(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "date": parse_date(first_field(record, DATE_FIELDS)),
        "source": text_value(first_field(record, SOURCE_FIELDS)),
        "url": text_value(first_field(record, URL_FIELDS)),
        "author": text_value(first_field(record, AUTHOR_FIELDS)),
    }


def _load_html(path: Path, article_id: str) -> LoadedFile:
    # Control characters written as references become characters, so that
    # clean_text removes them with any escape sequence they start.
    html = clean_text(
        _CONTROL_REFERENCE.sub(_referenced_character, _text(path, MAX_ARTICLE_BYTES))
    )
    if not html.strip():
        raise ArticleError("empty: no text")
    # Imported here: trafilatura takes about 0.3 s to import.
    from trafilatura import bare_extraction

    try:
        # Measured on real saved pages (README, Development): recall mode
        # without comments extracts best and fastest; htmldate's extensive
        # search can take seconds on one page for little gain.
        extracted = bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (RecursionError, ValueError, TypeError, AttributeError) as error:
        raise ArticleError(f"cannot extract the article: {error}") from error
    if extracted is None:
        raise ArticleError("no article text found in the page")
    document: dict[str, Any] = (
        extracted if isinstance(extracted, dict) else extracted.as_dict()
    )
    paragraphs = split_paragraphs(_capped(clean_text(document.get("text") or "")))
    metadata = {
        "date": parse_date(document.get("date")),
        "source": text_value(document.get("sitename") or document.get("hostname")),
        "url": text_value(document.get("url")),
        "author": text_value(document.get("author")),
    }
    title = text_value(document.get("title"))
    if not paragraphs and not title:
        raise ArticleError("no article text found in the page")
    return LoadedFile(
        (_titled_article(path, article_id, "html", paragraphs, title, **metadata),)
    )


def _record_article(
    record: Any, path: Path, article_id: str, fmt: str
) -> Article | Problem:
    if not isinstance(record, Mapping):
        return Problem(article_id, f"not an article: a JSON {type(record).__name__}")
    body = first_field(record, BODY_FIELDS)
    if isinstance(body, str):
        paragraphs = split_paragraphs(_capped(clean_text(body)))
    elif isinstance(body, list):
        paragraphs = [
            paragraph
            for item in body
            if isinstance(item, str)
            for paragraph in split_paragraphs(clean_text(item))
        ]
    else:
        paragraphs = []
    title = text_value(first_field(record, TITLE_FIELDS))
    if not title and paragraphs:
        # Scraped records often carry the headline as the first paragraph.
        title, paragraphs = paragraphs[0], paragraphs[1:]
    if not title:
        return Problem(article_id, "no title and no text")
    return Article(
        id=article_id,
        title=title,
        paragraphs=tuple(paragraphs),
        format=fmt,
        path=path,
        **_metadata(record),
    )


def _collection(
    results: list[Article | Problem], only: int | None, file_id: str
) -> LoadedFile:
    articles = tuple(item for item in results if isinstance(item, Article))
    problems = tuple(item for item in results if isinstance(item, Problem))
    if only is not None:
        wanted = f"{file_id}#{only}"
        picked = tuple(article for article in articles if article.id == wanted)
        if not picked:
            reasons = [p.reason for p in problems if p.where.startswith(wanted)]
            raise ArticleError(
                f"record {only}: {reasons[0]}" if reasons else f"no record {only}"
            )
        return LoadedFile(picked)
    if not articles and problems:
        raise ArticleError(f"no article loaded: {problems[0]}")
    if not articles:
        raise ArticleError("empty: no records")
    return LoadedFile(articles, problems)


def _json(text: str, say_line: bool) -> Any:
    """`json.loads(text)`, or `ArticleError` saying why it cannot be read
    (with the line number of a syntax error when `say_line`)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f" at line {error.lineno}" if say_line else ""
        raise ArticleError(f"invalid JSON{where}: {error.msg}") from error
    # What else it raises ValueError for: Python's limit on the digits of an
    # integer read from text (4,300 by default).
    except ValueError as error:
        raise ArticleError("invalid JSON: a number with too many digits") from error
    except RecursionError as error:
        raise ArticleError("invalid JSON: nested too deeply") from error


def _load_json(path: Path, file_id: str, only: int | None = None) -> LoadedFile:
    text = _text(path)
    if not text.strip():
        raise ArticleError("empty: no text")
    data = _json(text, say_line=True)
    if isinstance(data, Mapping):
        # {"articles": [...]}, JSON Feed's {"title", "items": [...]} and the
        # like: a mapping holding one list of records is a collection.
        lists = [
            value
            for value in data.values()
            if isinstance(value, list) and value and isinstance(value[0], Mapping)
        ]
        if len(lists) == 1:
            data = lists[0]
    if not isinstance(data, list):
        data = [data]
    results = [
        _record_article(record, path, f"{file_id}#{number}", "json")
        for number, record in enumerate(data, start=1)
    ]
    return _collection(results, only, file_id)


def _load_jsonl(path: Path, file_id: str, only: int | None = None) -> LoadedFile:
    results: list[Article | Problem] = []
    # N in `file#N` is the line number, so ids stay put when a broken line
    # above is fixed or a blank line is removed.
    for number, line in enumerate(_text(path).split("\n"), start=1):
        if not line.strip() or (only is not None and number != only):
            continue
        record_id = f"{file_id}#{number}"
        try:
            record = _json(line, say_line=False)
        except ArticleError as error:
            results.append(Problem(record_id, str(error)))
            continue
        results.append(_record_article(record, path, record_id, "jsonl"))
    return _collection(results, only, file_id)


_SINGLE_LOADERS: dict[str, Callable[[Path, str], LoadedFile]] = {
    "txt": _load_txt,
    "md": _load_md,
    "html": _load_html,
}
_COLLECTION_LOADERS: dict[str, Callable[[Path, str, int | None], LoadedFile]] = {
    "json": _load_json,
    "jsonl": _load_jsonl,
}
COLLECTION_FORMATS = frozenset(_COLLECTION_LOADERS)
"""Formats whose files hold records, each an article or a problem."""


def load_file(
    path: Path, file_id: str | None = None, record: int | None = None
) -> LoadedFile:
    """Load the articles in one file.

    `file_id` is the file's path relative to its articles folder (the file
    name when not given). `record` picks the N-th record of a collection file.
    Raises `ArticleError` when the file gives no article at all.
    """
    file_id = file_id or path.name
    fmt = article_format(path)
    if fmt is None:
        raise ArticleError(f"unknown format {path.suffix or '(no suffix)'!r}")
    if fmt in _COLLECTION_LOADERS:
        return _COLLECTION_LOADERS[fmt](path, file_id, record)
    if record is not None:
        raise ArticleError(f"not a collection file, so it has no record {record}")
    return _SINGLE_LOADERS[fmt](path, file_id)
