"""Loader fuzzing: no file makes `load_file` raise anything but `ArticleError`.

One bad file must never stop an index build, and a build stops on any
exception the loaders do not turn into `ArticleError` (a Markdown front
matter with `date: 2023-02-30` once did). Hypothesis writes files of every
format from the parts real dumps are made of, taken apart: front matter with
YAML tags no value fits, impossible dates and 5,000-digit numbers; JSON
records with every type in every field; HTML with odd charsets, entities,
deep nesting and broken JSON-LD; text in any bytes. Each file must give
articles that make index documents, or an `ArticleError` of one line.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.article import ArticleError
from index.loaders import load_file
from index.store import article_document

from .counts import count

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FIELDS = (
    "title",
    "headline",
    "date",
    "published",
    "datePublished",
    "pubDate",
    "author",
    "byline",
    "source",
    "url",
    "text",
    "body",
    "content",
    "articleBody",
    "items",
    "articles",
)
PROSE = "The council met on Tuesday to discuss the harbour budget and the ferry."
ODD_TEXT = (
    "2023-02-30",
    "2023-13-01T25:61:00",
    "0000-00-00",
    "2020-01-01T00:00:00+99:00",
    "Mon, 32 Jan 2020 25:61:00 GMT",
    "1e400",
    "NaN",
    "yesterday",
    "17000000000000",
    "\x1b[31mred\x07",
    "9" * 5000,
)
YAML_VALUES = (
    "!!bool maybe",
    "!!timestamp soon",
    "!!int x",
    "!!float y",
    "!!binary ???",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!pairs [a]",
    "!!python/name:os.system",
    "&a [*a]",
    "*undefined",
    "2023-02-30",
    "2020-01-01 10:00:00 +25:00",
    "0x" + "f" * 40,
    "9" * 5000,
    ".nan",
    "[" * 60 + "]" * 60,
    '"bad \\uD800"',
    "? complex",
    "!custom tag",
)
HTML_PARTS = (
    '<meta charset="bogus-encoding">',
    '<meta charset="utf-7">',
    '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">',
    '<meta property="article:published_time" content="2023-02-30T99:00">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished":',
    '<script type="application/ld+json">{"datePublished": 1e400, "author": [[]]}'
    "</script>",
    "<div>" * 400 + "deep",
    "<table><tr><td>" * 60 + "cell",
    "&#99999999; &#x110000; &#0; &#xD800; &bogus;",
    "<time datetime='2023-13-45'>then</time>",
    "<svg><foreignObject><p>text in a drawing</p></foreignObject></svg>",
    "<p>\x00\x1b[2J cleared</p>",
    "<!-- unclosed comment",
    f"<p>{PROSE} {PROSE}</p>",
    f"<h1>{PROSE}</h1>",
)

text = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=40), st.just(PROSE))
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
    ),
    max_leaves=12,
)
records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="newsdesk-loader-fuzz-") as name:
        yield Path(name)


def loads_or_says_why(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    count("loader inputs fuzzed")
    try:
        loaded = load_file(path, name)
    except ArticleError as error:
        assert str(error) and "\n" not in str(error)
        return
    for article in loaded.articles:
        article_document(article, name, "1:1")


def as_json(value: object) -> str:
    # Python's own limit on the digits of an int written as text: a long
    # number reaches the file as the raw digits a dump would hold.
    return json.dumps(value).replace('"' + "9" * 5000 + '"', "9" * 5000)


@settings(FUZZ, max_examples=300)
@given(
    front=st.lists(
        st.tuples(st.sampled_from(FIELDS), st.sampled_from(YAML_VALUES) | text),
        max_size=6,
    ),
    heading=st.booleans(),
)
def test_markdown_with_any_front_matter(
    folder: Path, front: list[tuple[str, str]], heading: bool
) -> None:
    lines = [f"{key}: {value}" for key, value in front]
    body = ("# A heading\n\n" if heading else "") + PROSE
    data = "---\n" + "\n".join(lines) + f"\n---\n\n{body}\n"
    loads_or_says_why(folder, "fuzz.md", data.encode("utf-8", "surrogatepass"))


@settings(FUZZ, max_examples=300)
@given(value=st.one_of(records, st.lists(records | json_values, max_size=5)))
def test_json_of_any_shape(folder: Path, value: object) -> None:
    loads_or_says_why(folder, "fuzz.json", as_json(value).encode())


@settings(FUZZ, max_examples=200)
@given(lines=st.lists(records | json_values, max_size=6))
def test_jsonl_of_any_lines(folder: Path, lines: list[object]) -> None:
    data = "\n".join(as_json(line) for line in lines) + "\n"
    loads_or_says_why(folder, "fuzz.jsonl", data.encode())


@settings(FUZZ, max_examples=40)
@given(parts=st.lists(st.sampled_from(HTML_PARTS), max_size=8))
def test_html_of_any_parts(folder: Path, parts: list[str]) -> None:
    data = "<html><head>" + "".join(parts[:3]) + "</head><body>" + "".join(parts[3:])
    loads_or_says_why(folder, "fuzz.html", data.encode("utf-8", "surrogatepass"))


@settings(FUZZ, max_examples=200)
@given(data=st.binary(max_size=400))
def test_text_of_any_bytes(folder: Path, data: bytes) -> None:
    loads_or_says_why(folder, "fuzz.txt", data)
