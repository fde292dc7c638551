"""Realism tests on the real corpora in `../shared` (skipped when it is absent).

The corpora are read at test time; none of their text is copied here.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from index.article import Article, ArticleError
from index.collapse import TITLE, collapse, normalise
from index.loaders import LoadedFile, load_file


def shared_folder() -> Path:
    configured = os.environ.get("NEWSDESK_SHARED")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared"


SHARED = shared_folder()
SEED = SHARED / "seed" / "000_5b75a54f566719e0.txt"
CORPORA = SHARED / "corpora"
BBC_TOPICS = ("business", "entertainment", "politics", "sport", "tech")

pytestmark = [
    pytest.mark.realism,
    pytest.mark.skipif(
        not (SHARED / "corpora").is_dir(), reason=f"no shared corpora at {SHARED}"
    ),
]

# Measured with this extractor (trafilatura via index.loaders): 0.792 over all
# 152 pages that have a text/ file, 0.917 over the 131 whose text/ file is the
# article (the rest are empty or an upper-case note such as "MISSED LAST
# PARAGRAPH", which no extractor can match).
HTML_F1_FLOOR = 0.77
HTML_F1_FLOOR_REAL_REFERENCES = 0.89


# --- the seed -------------------------------------------------------------------


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def test_seed_title_is_the_repeated_headline() -> None:
    article = load_file(SEED).articles[0]
    assert (
        article.title == "Starmer's Coalition Faces Uphill Battle Amid Ongoing Tensions"
    )
    assert article.title == seed_lines()[1].strip() == seed_lines()[3].strip()


def test_seed_reader_shows_six_distinct_paragraphs_line_1_first() -> None:
    article = load_file(SEED).articles[0]
    view = collapse(article.paragraphs, article.title)
    lines = [line.strip() for line in seed_lines()]
    assert len(view.paragraphs) == 6
    assert view.paragraphs[0] == lines[0]
    assert list(view.paragraphs[1:]) == lines[4:9]
    assert len({normalise(p) for p in view.paragraphs}) == 6


def test_seed_collapses_the_repeated_headline_and_three_paragraphs() -> None:
    article = load_file(SEED).articles[0]
    view = collapse(article.paragraphs, article.title)
    lines = [line.strip() for line in seed_lines()]
    headline_run, block_run = view.runs
    assert headline_run.at == 1
    assert headline_run.paragraphs == (article.title,)
    assert headline_run.copy_of == (TITLE,)
    assert block_run.at == 6
    assert block_run.count == 3
    assert list(block_run.paragraphs) == lines[9:12]
    assert block_run.copy_of == (3, 4, 5)
    assert [view.paragraphs[i] for i in block_run.copy_of] == lines[6:9]


# --- BBC ------------------------------------------------------------------------


def bbc_files() -> Iterator[Path]:
    for topic in BBC_TOPICS:
        yield from sorted((CORPORA / "bbc" / topic).glob("*.txt"))


def first_line(path: Path) -> str:
    raw = path.read_bytes().split(b"\n", 1)[0]
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        line = raw.decode("latin-1")
    return " ".join(line.split())


def test_all_bbc_articles_load_with_the_first_line_as_title() -> None:
    loaded: list[Article] = []
    wrong_titles: list[str] = []
    for path in bbc_files():
        file_id = path.relative_to(CORPORA / "bbc").as_posix()
        article = load_file(path, file_id).articles[0]
        loaded.append(article)
        if article.title != first_line(path):
            wrong_titles.append(file_id)
        assert article.paragraphs, file_id
    assert len(loaded) == 2225
    assert wrong_titles == []
    assert len({article.id for article in loaded}) == 2225


def test_latin1_bbc_article_keeps_its_pound_signs() -> None:
    article = load_file(CORPORA / "bbc" / "sport" / "199.txt").articles[0]
    text = " ".join((article.title, *article.paragraphs))
    assert "£" in text
    assert "\ufffd" not in text


# --- syndicated JSONL -------------------------------------------------------------


@pytest.fixture(scope="module")
def syndicated() -> LoadedFile:
    return load_file(CORPORA / "syndicated.jsonl")


def test_all_syndicated_records_load_with_source_and_date(
    syndicated: LoadedFile,
) -> None:
    loaded = syndicated
    assert loaded.problems == ()
    assert len(loaded.articles) == 680
    assert [a.id for a in loaded.articles] == [
        f"syndicated.jsonl#{n}" for n in range(1, 681)
    ]
    for article in loaded.articles:
        assert article.source, article.id
        assert article.date is not None, article.id
        assert article.date.tzinfo is not None, article.id
        assert article.title, article.id


def test_syndicated_reader_views_show_no_paragraph_twice(
    syndicated: LoadedFile,
) -> None:
    collapsed_articles = 0
    for article in syndicated.articles:
        view = collapse(article.paragraphs, article.title)
        shown = [normalise(p) for p in view.paragraphs]
        assert len(shown) == len(set(shown)), article.id
        assert normalise(article.title) not in shown, article.id
        collapsed_articles += bool(view.runs)
    # The corpus notes 107 articles that repeat a paragraph of 40+ characters.
    assert collapsed_articles >= 107


# --- HTML main text -----------------------------------------------------------------


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def token_f1(extracted: str, reference: str) -> float:
    got, want = tokens(extracted), tokens(reference)
    if not got and not want:
        return 1.0
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def reference_for(html: Path) -> Path | None:
    """`text/NAME.txt` for `html/NAME.html`; a few pages drop an `_article`."""
    for stem in (html.stem, html.stem.replace("_article", "")):
        candidate = html.parent.parent / "text" / f"{stem}.txt"
        if candidate.exists():
            return candidate
    return None


def is_real_reference(text: str) -> bool:
    """False for an empty file or an upper-case note about what was missed."""
    return bool(text.strip()) and not (text.isascii() and text == text.upper())


def extract_page(html: Path) -> tuple[str, str | None]:
    """The page's text as the reader shows it, or None with the load error."""
    try:
        article = load_file(html).articles[0]
    except ArticleError:
        return html.name, None
    view = collapse(article.paragraphs, article.title)
    return html.name, "\n\n".join(view.paragraphs)


@pytest.fixture(scope="module")
def html_extractions() -> dict[str, str | None]:
    pages = sorted((CORPORA / "html_pages" / "html").glob("*.html"))
    # Two processes: trafilatura is CPU-bound and the page set takes ~30 s alone.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        return dict(pool.map(extract_page, pages, chunksize=4))


def test_every_html_page_loads_or_fails_with_a_reason(
    html_extractions: dict[str, str | None],
) -> None:
    assert len(html_extractions) == 157
    loaded = [name for name, text in html_extractions.items() if text]
    assert len(loaded) >= 150


def test_html_main_text_reaches_the_measured_token_f1(
    html_extractions: dict[str, str | None],
) -> None:
    scores: list[float] = []
    real_scores: list[float] = []
    for name, extracted in sorted(html_extractions.items()):
        reference_path = reference_for(CORPORA / "html_pages" / "html" / name)
        if reference_path is None:
            continue
        reference = reference_path.read_text(encoding="utf-8")
        score = token_f1(extracted or "", reference)
        scores.append(score)
        if is_real_reference(reference):
            real_scores.append(score)
    mean = sum(scores) / len(scores)
    real_mean = sum(real_scores) / len(real_scores)
    print(
        f"\nHTML token F1: {mean:.3f} mean over {len(scores)} pages; "
        f"{real_mean:.3f} over the {len(real_scores)} with a real reference text"
    )
    assert len(scores) == 152
    assert mean >= HTML_F1_FLOOR
    assert real_mean >= HTML_F1_FLOOR_REAL_REFERENCES
