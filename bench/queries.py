"""The fixed query set, drawn from the corpus's own vocabulary.

Words come from the index's word list (`words.txt`, what completion and
correction use) with the document frequency of their stem in the body, so a
rare term really is rare in this corpus. Multi-word queries and phrases are cut
from the stored text of sampled articles, so they find something, as a
person's queries mostly do. Everything is chosen by a seeded generator from
sorted lists: the same index gives the same queries.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import STOP_WORDS

from index.analysis import FusedStemmingAnalyzer
from index.store import read_meta, read_words

__all__ = ["KINDS", "BenchQuery", "QuerySet", "make_queries"]

KINDS = (
    "rare term",
    "mid term",
    "common term",
    "two terms",
    "three terms",
    "phrase",
    "prefix as you type",
    "fuzzy",
    "field + date range",
)
PER_KIND = 8
_WORD = re.compile(r"^[a-z]{4,14}$")
_TOKEN = re.compile(r"[A-Za-z]+")
_PUNCTUATION = ".,;:!?\"'()[]"
_STOP = frozenset(STOP_WORDS) | {
    "said",
    "says",
    "also",
    "would",
    "could",
    "been",
    "were",
    "their",
    "there",
    "they",
    "which",
    "about",
    "where",
    "what",
    "other",
    "only",
    "than",
    "them",
    "some",
    "into",
}


@dataclass(frozen=True)
class BenchQuery:
    """One query, as newsdesk gets it and as the baselines get it."""

    kind: str
    text: str
    """What is typed into newsdesk."""
    complete: bool = False
    """Searched with `complete_last_word=True` (the app's as-you-type mode)."""
    words: tuple[str, ...] = ()
    """Whole lowercase words the query requires (for tantivy)."""
    phrase: bool = False
    prefix: str = ""
    """The partly typed last word (prefix kind)."""
    fuzzy: str = ""
    """The misspelt word (fuzzy kind)."""
    date_from: int = 0
    date_to: int = 0
    """Years, inclusive (field + date range kind)."""
    rg: str = ""
    """What `rg -il` searches for instead: a fixed string."""


@dataclass
class QuerySet:
    queries: list[BenchQuery]
    articles: int
    vocabulary: int

    def of_kind(self, kind: str) -> list[BenchQuery]:
        return [query for query in self.queries if query.kind == kind]


def _ok(word: str) -> bool:
    return bool(_WORD.match(word)) and word not in _STOP


def _paragraph_tokens(body: str, rng: random.Random) -> list[str] | None:
    paragraphs = [p for p in body.split("\n\n") if len(p.split()) >= 12]
    return rng.choice(paragraphs).split() if paragraphs else None


def _typo(word: str, rng: random.Random) -> str:
    """The word with one letter after the first two dropped."""
    position = rng.randrange(2, len(word) - 1)
    return word[:position] + word[position + 1 :]


def _documents(
    searcher: Any, rng: random.Random, count: int
) -> Iterator[dict[str, Any]]:
    """A sample of the articles, chosen by id: document numbers depend on
    which worker process indexed which file, ids do not."""
    ids = [term.decode("utf-8") for term in searcher.lexicon("id")]
    for article_id in rng.sample(ids, min(count, len(ids))):
        fields = searcher.document(id=article_id)
        if fields is not None:
            yield fields


def make_queries(index_dir: Path, seed: int, per_kind: int = PER_KIND) -> QuerySet:
    """The query set for the index in `index_dir` (a newsdesk index folder).

    `per_kind` queries of each kind; the prefix kind types `per_kind // 2`
    words, each letter by letter."""
    meta = read_meta(index_dir)
    if meta is None:
        raise SystemExit(f"no index in {index_dir}")
    ix = whoosh_index.open_dir(str(index_dir / meta.generation))
    rng = random.Random(seed)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        articles = reader.doc_count()
        analyzer = FusedStemmingAnalyzer()
        frequency: dict[str, int] = {}
        title_words: set[str] = set()
        for word in read_words(index_dir / meta.generation):
            stems = [token.text for token in analyzer(word)] if _ok(word) else []
            if stems:
                frequency[word] = reader.doc_frequency("body", stems[0])
                if reader.doc_frequency("title", stems[0]):
                    title_words.add(word)
        documents = list(_documents(searcher, rng, 4000))
    ix.close()

    def usable(word: str) -> bool:
        share = frequency.get(word, 0) / max(1, articles)
        return frequency.get(word, 0) >= 2 and share <= 0.3

    by_band: dict[str, list[str]] = {"rare term": [], "mid term": [], "common term": []}
    rare_max = max(3, articles // 5000)
    for word in sorted(frequency):
        df = frequency[word]
        share = df / max(1, articles)
        if 2 <= df <= rare_max:
            by_band["rare term"].append(word)
        elif 0.003 <= share <= 0.01 and df >= 4:
            by_band["mid term"].append(word)
        elif 0.05 <= share <= 0.3:
            by_band["common term"].append(word)
    queries: list[BenchQuery] = []
    for kind, words in by_band.items():
        for word in rng.sample(words, min(per_kind, len(words))):
            queries.append(BenchQuery(kind, word, words=(word,), rg=word))

    # Several words from one paragraph of a sampled article.
    for kind, size in (("two terms", 2), ("three terms", 3)):
        made = 0
        for document in documents:
            if made == per_kind:
                break
            tokens = _paragraph_tokens(document.get("body", ""), rng)
            if tokens is None:
                continue
            plain = (raw.strip(_PUNCTUATION).lower() for raw in tokens)
            words = list(
                dict.fromkeys(word for word in plain if word.isalpha() and usable(word))
            )
            if len(words) < size:
                continue
            picked = sorted(rng.sample(range(len(words)), size))
            chosen = tuple(words[i] for i in picked)
            queries.append(
                BenchQuery(kind, " ".join(chosen), words=chosen, rg=chosen[0])
            )
            made += 1

    # Phrases: two or three consecutive plain words from a sampled paragraph.
    made = 0
    for document in documents:
        if made == per_kind:
            break
        tokens = _paragraph_tokens(document.get("body", ""), rng)
        if tokens is None:
            continue
        windows = []
        for size in (3, 2):
            for start in range(len(tokens) - size + 1):
                window = tokens[start : start + size]
                if all(w.isalpha() and usable(w.lower()) for w in window):
                    windows.append(tuple(w.lower() for w in window))
            if windows:
                break
        if not windows:
            continue
        chosen = rng.choice(windows)
        phrase = " ".join(chosen)
        queries.append(
            BenchQuery("phrase", f'"{phrase}"', words=chosen, phrase=True, rg=phrase)
        )
        made += 1

    # As you type: every prefix of a few words, as the app searches them; the
    # last typed after a first whole word.
    long_words = [
        word for word in by_band["mid term"] + by_band["common term"] if len(word) >= 7
    ]
    typed = rng.sample(long_words, min(max(1, per_kind // 2), len(long_words)))
    for number, word in enumerate(typed):
        lead = ""
        if number == len(typed) - 1 and by_band["common term"]:
            lead = rng.choice(by_band["common term"]) + " "
        for end in range(1, len(word) + 1):
            queries.append(
                BenchQuery(
                    "prefix as you type",
                    lead + word[:end],
                    complete=True,
                    words=tuple(lead.split()),
                    prefix=word[:end],
                    rg=word[:end] if not lead else lead.strip(),
                )
            )

    # Fuzzy: a misspelt mid or common word.
    fuzzy_words = [
        w for w in by_band["mid term"] + by_band["common term"] if len(w) >= 6
    ]
    for word in rng.sample(fuzzy_words, min(per_kind, len(fuzzy_words))):
        typo = _typo(word, rng)
        queries.append(BenchQuery("fuzzy", f"{typo}~", fuzzy=typo, rg=word))

    # A title word and a few years around a dated article's date.
    made = 0
    for document in documents:
        if made == per_kind:
            break
        when = document.get("when") or ""
        words = [
            token.lower()
            for token in _TOKEN.findall(document.get("title", ""))
            if _ok(token.lower()) and token.lower() in title_words
        ]
        if not when or not words:
            continue
        year = datetime.fromisoformat(when).year
        first, last = year - rng.randint(0, 2), year + rng.randint(0, 2)
        word = rng.choice(words)
        queries.append(
            BenchQuery(
                "field + date range",
                f"title:{word} date:[{first} to {last}]",
                words=(word,),
                date_from=first,
                date_to=last,
                rg=word,
            )
        )
        made += 1
    # A phrase or a pair can come up twice: each counts once. Typed prefixes
    # stay as typed, word after word.
    seen: set[tuple[str, str]] = set()
    unique = []
    for query in queries:
        key = (query.kind, query.text)
        if key not in seen or query.kind == "prefix as you type":
            seen.add(key)
            unique.append(query)
    return QuerySet(unique, articles, len(frequency))
