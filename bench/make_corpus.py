"""A deterministic benchmark corpus recombined from the real news corpora.

`make_corpus(n, out)` writes `n` articles made of runs of consecutive
paragraphs taken from the real articles in `../shared/corpora` (BBC `.txt`,
syndicated `.jsonl`, Reuters `.md`), so the vocabulary, paragraph lengths and
phrase statistics are those of real news:

* formats: 80 % `.txt` in the BBC layout (headline, blank line, paragraphs),
  12 % `.md` with YAML front matter (`title`, `date`, `source`), 8 % records
  in `.jsonl` feeds of `RECORDS_PER_FEED` records shaped like the syndicated
  dump (`id`, `publisher`, `scrape_time`, `text` whose first paragraph is the
  headline);
* each article's paragraph count is drawn from the real articles of the
  format's source (BBC lengths for `.txt`, Reuters for `.md`, syndicated for
  `.jsonl`);
* `REPEAT_SHARE` of the articles repeat something the way scrapers do: a block
  of paragraphs pasted twice, the headline again as the first paragraph, or a
  near copy of a paragraph with one word changed;
* dated formats spread their dates uniformly over 2000 to 2024.

Every article has its own random generator seeded from `(seed, number)`, so
the same seed gives a byte-identical corpus. The text belongs to its
publishers: write corpora outside the repository (the default is
`/tmp/newsdesk-bench/corpus-N`) and never commit them.

Usage::

    python bench/make_corpus.py 10000 [--out DIR] [--seed N] [--corpora DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "CORPORA",
    "DEFAULT_SEED",
    "CorpusInfo",
    "Donors",
    "default_corpus_dir",
    "ensure_corpus",
    "long_article",
    "make_corpus",
    "read_donors",
]

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_SEED = 20240501
MANIFEST = ".newsdesk-bench.json"
"""Written last, so its presence means the corpus is complete. A dot file:
newsdesk's scanner skips it."""
GENERATOR_VERSION = 1
"""Bump when the output for a given seed changes, so old corpora are remade."""

FORMAT_SHARES = {"md": 0.12, "jsonl": 0.08}
"""The rest is `.txt`."""
RECORDS_PER_FEED = 100
FILES_PER_FOLDER = 1000
REPEAT_SHARE = 0.05
DONOR_WEIGHTS = {"bbc": 0.45, "reuters": 0.35, "syndicated": 0.20}
"""Where the paragraphs of any article come from."""
LENGTH_SOURCE = {"txt": "bbc", "md": "reuters", "jsonl": "syndicated"}
"""Whose paragraph counts each format imitates."""
RUN_PARAGRAPHS = (2, 6)
"""Consecutive paragraphs taken from one donor article at a time."""
DATE_FROM = datetime(2000, 1, 1, tzinfo=timezone.utc)
DATE_TO = datetime(2025, 1, 1, tzinfo=timezone.utc)
_NEAR_COPY_MIN_CHARS = 80


def default_corpus_dir(articles: int, seed: int = DEFAULT_SEED) -> Path:
    suffix = "" if seed == DEFAULT_SEED else f"-seed{seed}"
    return Path("/tmp/newsdesk-bench") / f"corpus-{articles}{suffix}"


@dataclass(frozen=True)
class Donor:
    """A real article: its headline and body paragraphs."""

    title: str
    paragraphs: tuple[str, ...]


@dataclass
class Donors:
    """The real articles, by corpus, and what they say about lengths."""

    articles: dict[str, list[Donor]]
    publishers: list[str]

    def lengths(self, source: str) -> list[int]:
        return [len(donor.paragraphs) for donor in self.articles[source]]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _blocks(text: str) -> list[str]:
    """Paragraphs separated by blank lines, whitespace squashed."""
    text = text.replace("\r\n", "\n")
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


def _read_bbc(folder: Path) -> list[Donor]:
    donors = []
    for path in sorted(folder.glob("*/*.txt")):
        lines = _decode(path.read_bytes()).replace("\r\n", "\n").split("\n", 1)
        title = " ".join(lines[0].split())
        body = _blocks(lines[1]) if len(lines) > 1 else []
        if title and body:
            donors.append(Donor(title, tuple(body)))
    return donors


def _read_syndicated(path: Path) -> tuple[list[Donor], list[str]]:
    donors, publishers = [], set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        blocks = _blocks(str(record.get("text", "")))
        if len(blocks) >= 2:
            donors.append(Donor(blocks[0], tuple(blocks[1:])))
        if record.get("publisher"):
            publishers.add(str(record["publisher"]))
    return donors, sorted(publishers)


def _read_reuters(folder: Path) -> list[Donor]:
    donors = []
    for path in sorted(folder.glob("*.md")):
        text = _decode(path.read_bytes())
        title, body = "", text
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            if end != -1:
                for line in text[4:end].split("\n"):
                    if line.startswith("title:"):
                        value = line[len("title:") :].strip()
                        title = json.loads(value) if value.startswith('"') else value
                body = text[end + 5 :]
        paragraphs = _blocks(body)
        if title and paragraphs:
            donors.append(Donor(" ".join(str(title).split()), tuple(paragraphs)))
    return donors


def read_donors(corpora: Path = CORPORA) -> Donors:
    """Read the real corpora, in a stable order."""
    if not corpora.is_dir():
        raise SystemExit(f"make_corpus: the real corpora are not at {corpora}")
    syndicated, publishers = _read_syndicated(corpora / "syndicated.jsonl")
    return Donors(
        {
            "bbc": _read_bbc(corpora / "bbc"),
            "reuters": _read_reuters(corpora / "reuters"),
            "syndicated": syndicated,
        },
        [*publishers, "Reuters", "BBC News"],
    )


@dataclass
class _Article:
    title: str
    paragraphs: list[str]
    repeat: str | None = None
    date: datetime | None = None
    source: str = ""


def _headline(title: str, donor_source: str) -> str:
    # Reuters headlines are in capitals; outside its own format a headline
    # reads as one.
    if donor_source == "reuters" and title.isupper():
        lowered = title.lower()
        return lowered[:1].upper() + lowered[1:]
    return title


def _add_repeat(rng: random.Random, article: _Article) -> None:
    """Repeat something the way scrapers do."""
    paragraphs = article.paragraphs
    long_ones = [
        index
        for index, paragraph in enumerate(paragraphs)
        if len(paragraph) >= _NEAR_COPY_MIN_CHARS and len(paragraph.split()) >= 12
    ]
    kind = rng.choice(("block", "block", "headline", "near"))
    if kind == "near" and long_ones:
        index = rng.choice(long_ones)
        words = paragraphs[index].split()
        position = rng.randrange(1, len(words) - 1)
        words[position] = rng.choice(("also", "then", "still", "now", "later"))
        paragraphs.insert(rng.randint(index + 1, len(paragraphs)), " ".join(words))
        article.repeat = "near"
    elif kind == "headline":
        paragraphs.insert(0, article.title)
        article.repeat = "headline"
    else:
        size = min(len(paragraphs), rng.randint(1, 3))
        start = rng.randrange(len(paragraphs) - size + 1)
        block = paragraphs[start : start + size]
        paragraphs[start + size : start + size] = block
        article.repeat = "block"


def _article(donors: Donors, fmt: str, seed: int, number: int) -> _Article:
    rng = random.Random(f"{seed}:{number}")
    length = rng.choice(donors.lengths(LENGTH_SOURCE[fmt]))
    sources = list(DONOR_WEIGHTS)
    weights = [DONOR_WEIGHTS[source] for source in sources]
    paragraphs: list[str] = []
    seen: set[str] = set()
    title = ""
    attempts = 0
    while len(paragraphs) < length and attempts < 4 * length + 8:
        attempts += 1
        source = rng.choices(sources, weights)[0]
        donor = rng.choice(donors.articles[source])
        if not title:
            title = _headline(donor.title, source)
        run = rng.randint(*RUN_PARAGRAPHS)
        start = rng.randrange(len(donor.paragraphs))
        for paragraph in donor.paragraphs[start : start + run]:
            if paragraph not in seen and len(paragraphs) < length:
                seen.add(paragraph)
                paragraphs.append(paragraph)
    article = _Article(title, paragraphs)
    if rng.random() < REPEAT_SHARE:
        _add_repeat(rng, article)
    span = (DATE_TO - DATE_FROM).total_seconds()
    article.date = DATE_FROM + timedelta(seconds=int(rng.random() * span))
    article.source = rng.choice(donors.publishers)
    return article


def _txt(article: _Article) -> str:
    return article.title + "\n\n" + "\n\n".join(article.paragraphs) + "\n"


def _md(article: _Article) -> str:
    assert article.date is not None
    front = [
        "---",
        f"title: {json.dumps(article.title.upper(), ensure_ascii=False)}",
        f"date: {article.date.strftime('%Y-%m-%dT%H:%M:%S')}",
        f"source: {json.dumps(article.source, ensure_ascii=False)}",
        "---",
    ]
    return "\n".join(front) + "\n" + "\n\n".join(article.paragraphs) + "\n"


def _jsonl_record(article: _Article, record_id: str) -> str:
    assert article.date is not None
    record = {
        "id": record_id,
        "publisher": article.source,
        "scrape_time": article.date.isoformat(),
        "text": "\n\n".join([article.title, *article.paragraphs]),
    }
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


@dataclass
class CorpusInfo:
    """What a corpus holds; stored in its manifest."""

    articles: int
    seed: int
    files: int = 0
    bytes: int = 0
    formats: dict[str, int] = field(default_factory=dict)
    repeats: dict[str, int] = field(default_factory=dict)
    sha256: str = ""
    """Of every file's relative path and bytes, in order: equal means identical."""
    version: int = GENERATOR_VERSION

    def as_json(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "seed": self.seed,
            "files": self.files,
            "bytes": self.bytes,
            "formats": self.formats,
            "repeats": self.repeats,
            "sha256": self.sha256,
            "version": self.version,
        }


def _counts(articles: int) -> dict[str, int]:
    md = round(articles * FORMAT_SHARES["md"])
    jsonl = round(articles * FORMAT_SHARES["jsonl"])
    return {"txt": articles - md - jsonl, "md": md, "jsonl": jsonl}


def make_corpus(
    articles: int,
    out: Path,
    seed: int = DEFAULT_SEED,
    donors: Donors | None = None,
    log: bool = False,
) -> CorpusInfo:
    """Write a corpus of `articles` articles into the empty or absent `out`."""
    donors = donors or read_donors()
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"make_corpus: {out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    counts = _counts(articles)
    info = CorpusInfo(articles, seed, formats=dict(counts))
    digest = hashlib.sha256()

    def write(relative: str, text: str) -> None:
        data = text.encode("utf-8")
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest.update(relative.encode() + b"\0" + data + b"\0")
        info.files += 1
        info.bytes += len(data)

    def made(article: _Article) -> _Article:
        if article.repeat:
            info.repeats[article.repeat] = info.repeats.get(article.repeat, 0) + 1
        return article

    number = 0
    for fmt, writer in (("txt", _txt), ("md", _md)):
        for index in range(counts[fmt]):
            article = made(_article(donors, fmt, seed, number))
            number += 1
            folder = f"{fmt}/{index // FILES_PER_FOLDER:03d}"
            write(f"{folder}/{fmt}-{index:06d}.{fmt}", writer(article))
            if log and number % 10_000 == 0:
                print(f"make_corpus: {number:,} articles", file=sys.stderr)
    for feed, first in enumerate(range(0, counts["jsonl"], RECORDS_PER_FEED)):
        lines = []
        for index in range(first, min(counts["jsonl"], first + RECORDS_PER_FEED)):
            article = made(_article(donors, "jsonl", seed, number))
            number += 1
            lines.append(_jsonl_record(article, f"wire-{index:06d}"))
        write(f"feeds/feed-{feed:04d}.jsonl", "\n".join(lines) + "\n")
    info.sha256 = digest.hexdigest()
    (out / MANIFEST).write_text(
        json.dumps(info.as_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return info


def _read_info(out: Path) -> CorpusInfo | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return CorpusInfo(
            int(data["articles"]),
            int(data["seed"]),
            int(data["files"]),
            int(data["bytes"]),
            dict(data["formats"]),
            dict(data["repeats"]),
            str(data["sha256"]),
            int(data["version"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ensure_corpus(
    articles: int, out: Path, seed: int = DEFAULT_SEED, log: bool = True
) -> CorpusInfo:
    """The corpus in `out`, made first when missing, partial or of other settings."""
    info = _read_info(out)
    if info and (info.articles, info.seed, info.version) == (
        articles,
        seed,
        GENERATOR_VERSION,
    ):
        return info
    if out.exists():
        # Only a corpus (or a partial one) is removed, never anything else.
        names = {child.name for child in out.iterdir()}
        if not names <= {"txt", "md", "feeds", MANIFEST}:
            raise SystemExit(
                f"make_corpus: {out} holds something else; not overwriting it"
            )
        shutil.rmtree(out)
    if log:
        print(f"make_corpus: writing {articles:,} articles to {out}", file=sys.stderr)
    return make_corpus(articles, out, seed, log=log)


def long_article(
    path: Path,
    paragraphs: int,
    seed: int = DEFAULT_SEED,
    donors: Donors | None = None,
) -> int:
    """Write one `.txt` article of `paragraphs` paragraphs, 5 % of them copies
    of one of the 50 paragraphs before.

    Returns how many of them are copies."""
    donors = donors or read_donors()
    rng = random.Random(f"{seed}:long:{paragraphs}")
    # Distinct paragraphs, so that the copies are the ones put in on purpose
    # (and the few near copies the real corpora hold).
    pool = sorted(
        {
            p
            for source in ("bbc", "reuters")
            for d in donors.articles[source]
            for p in d.paragraphs
        }
    )
    fresh = iter(rng.sample(pool, paragraphs))
    body: list[str] = []
    copies = 0
    while len(body) < paragraphs:
        if body and rng.random() < REPEAT_SHARE:
            body.append(rng.choice(body[-50:]))
            copies += 1
        else:
            body.append(next(fresh))
    title = rng.choice(donors.articles["bbc"]).title
    path.write_text(title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    return copies


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=int, help="how many articles")
    parser.add_argument("--out", type=Path, help="folder (default /tmp/...)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--force", action="store_true", help="remake even when present")
    args = parser.parse_args(argv)
    out = args.out or default_corpus_dir(args.articles, args.seed)
    if args.force and out.exists():
        (out / MANIFEST).unlink(missing_ok=True)
    if args.corpora != CORPORA:
        out.mkdir(parents=True, exist_ok=True)
        info = make_corpus(
            args.articles, out, args.seed, read_donors(args.corpora), log=True
        )
    else:
        info = ensure_corpus(args.articles, out, args.seed)
    print(json.dumps(info.as_json(), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
