"""`newsdesk index`, `newsdesk search` and `newsdesk stats`, run as a user runs
them: a subprocess, with `--articles` and `--index` given and HOME and the XDG
folders pointed into `tmp_path`, checked by exit status, stdout and stderr.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from index.store import SCHEMA_VERSION

SUMMARY_LINE = re.compile(
    r"^\+(\d+) new, ~(\d+) changed, -(\d+) removed, (\d+) skipped"
    r" · (\d+) articles in \d+\.\d s$"
)

# name: (title, date, source, body)
ARTICLES: dict[str, tuple[str, str | None, str | None, str]] = {
    "budget.md": (
        "Coalition agrees budget",
        "2026-03-02T09:00:00Z",
        "Courier",
        "The coalition agreed a budget on Monday after long talks.",
    ),
    "vote.md": (
        "Coalition survives vote",
        "2026-03-20T09:00:00Z",
        "Valley Wire",
        "The coalition survived a confidence vote by seven votes.",
    ),
    "old.md": (
        "Coalition talks begin",
        "2025-11-20T09:00:00Z",
        "Courier",
        "Talks on a coalition began last year.",
    ),
    "note.md": (
        "A note on the coalition",
        None,
        None,
        "An undated note about the coalition.",
    ),
    "floods.md": (
        "Floods hit the valley",
        "2026-03-09T12:00:00Z",
        "Valley Wire",
        "Heavy rain caused floods across the valley.",
    ),
}
HIT_FIELDS = {
    "id",
    "title",
    "source",
    "date",
    "score",
    "snippet",
    "spans",
    "url",
    "path",
    "format",
}


def markdown(title: str, date: str | None, source: str | None, body: str) -> str:
    front = [f"title: {title}"]
    if date:
        front.append(f"date: {date}")
    if source:
        front.append(f"source: {source}")
    return "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n"


def write_articles(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, (title, date, source, body) in ARTICLES.items():
        (folder / name).write_text(markdown(title, date, source, body), "utf-8")


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {
        path.relative_to(folder).as_posix(): (
            path.lstat().st_mode,
            path.lstat().st_size,
            path.lstat().st_mtime_ns,
        )
        for path in [folder, *folder.rglob("*")]
    }


@dataclass
class Desk:
    """An articles folder, an index folder and a private HOME."""

    articles: Path
    index: Path
    home: Path

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("NEWSDESK_", "XDG_"))
            # Output buffered as a user's is (a closed pipe shows at the end).
            and key not in ("NO_COLOR", "PYTHONUNBUFFERED")
        }
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_STATE_HOME=str(self.home / ".local" / "state"),
        )
        return env

    def argv(self, command: str, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "tui.cli",
            command,
            "--articles",
            str(self.articles),
            "--index",
            str(self.index),
            *args,
        ]

    def run(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(command, *args),
            capture_output=True,
            text=True,
            cwd=self.home.parent,
            env=self.env(),
            timeout=120,
        )

    def search_json(self, *args: str) -> dict[str, Any]:
        result = self.run("search", "--json", *args)
        assert result.returncode in (0, 1), result.stderr
        payload: dict[str, Any] = json.loads(result.stdout)
        return payload


def make_desk(base: Path) -> Desk:
    desk = Desk(base / "articles", base / "ix", base / "home")
    write_articles(desk.articles)
    return desk


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One indexed desk for the read-only tests of this module."""
    desk = make_desk(tmp_path_factory.mktemp("cli"))
    assert desk.run("index", "--quiet").returncode == 0
    yield desk
    # No command wrote to the user's folders: they were all given explicitly.
    assert not desk.home.exists()


# --- index --------------------------------------------------------------------


def test_index_prints_a_one_line_summary(desk: Desk) -> None:
    first = desk.run("index")
    assert first.returncode == 0, first.stderr
    [line] = first.stdout.splitlines()
    match = SUMMARY_LINE.match(line)
    assert match, line
    assert match.groups() == ("5", "0", "0", "0", "5")
    assert line.startswith("+5 new, ~0 changed, -0 removed, 0 skipped · 5 articles")

    (desk.articles / "floods.md").unlink()
    again = desk.run("index")
    assert again.returncode == 0
    assert again.stdout.startswith("+0 new, ~0 changed, -1 removed, 0 skipped · 4 ")


def test_index_of_one_article_says_article(tmp_path: Path) -> None:
    desk = Desk(tmp_path / "articles", tmp_path / "ix", tmp_path / "home")
    desk.articles.mkdir()
    (desk.articles / "ferry.txt").write_text("Ferry returns\n\nIt is back.\n", "utf-8")

    result = desk.run("index")

    assert result.stdout.startswith(
        "+1 new, ~0 changed, -0 removed, 0 skipped · 1 article in "
    )


def test_index_json_prints_the_summary_as_json(desk: Desk) -> None:
    (desk.articles / "notes.pdf").write_bytes(b"%PDF")

    result = desk.run("index", "--json")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary = json.loads(result.stdout)
    assert set(summary) == {
        "new",
        "changed",
        "removed",
        "skipped",
        "articles",
        "seconds",
        "rebuilt",
        "notice",
    }
    assert summary["new"] == 5
    assert summary["changed"] == summary["removed"] == 0
    assert summary["articles"] == 5
    assert summary["rebuilt"] is True
    assert summary["notice"] is None
    assert summary["skipped"] == [
        {"file": "notes.pdf", "reason": "not an article format"}
    ]
    assert isinstance(summary["seconds"], float)


def test_index_quiet_prints_nothing(desk: Desk) -> None:
    result = desk.run("index", "--quiet")
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""
    assert (desk.index / "current.json").is_file()


def test_index_lists_the_first_skipped_files_and_verbose_all(desk: Desk) -> None:
    for number in range(7):
        (desk.articles / f"scan{number}.pdf").write_bytes(b"%PDF")

    short = desk.run("index").stdout.splitlines()
    full = desk.run("index", "--verbose").stdout.splitlines()

    assert short[0].startswith("+5 new, ~0 changed, -0 removed, 7 skipped")
    assert short[1:6] == [
        f"  skipped scan{n}.pdf: not an article format" for n in range(5)
    ]
    assert short[6:] == ["  … and 2 more (--verbose lists all)"]
    assert full[1:] == [
        f"  skipped scan{n}.pdf: not an article format" for n in range(7)
    ]


def test_index_rebuild_and_an_outdated_index(desk: Desk) -> None:
    assert desk.run("index", "--quiet").returncode == 0
    current = desk.index / "current.json"
    first = json.loads(current.read_text("utf-8"))

    rebuilt = desk.run("index", "--rebuild")
    second = json.loads(current.read_text("utf-8"))
    assert rebuilt.returncode == 0
    assert rebuilt.stdout.startswith("+5 new, ~0 changed, -0 removed, 0 skipped")
    assert second["generation"] != first["generation"]

    second["schema"] = 0
    current.write_text(json.dumps(second), "utf-8")
    outdated = desk.run("index")
    assert outdated.returncode == 0
    notices = [line for line in outdated.stderr.splitlines() if "outdated" in line]
    assert notices == [
        f"newsdesk: index format 0 is outdated (now {SCHEMA_VERSION}): rebuilding"
    ]
    assert outdated.stdout.startswith("+5 new")
    assert json.loads(current.read_text("utf-8"))["schema"] == SCHEMA_VERSION


def test_a_missing_articles_folder_is_one_line_and_status_2(tmp_path: Path) -> None:
    desk = Desk(tmp_path / "nowhere", tmp_path / "ix", tmp_path / "home")
    result = desk.run("index")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"newsdesk: articles folder not found: {desk.articles}"
    ]
    assert not desk.index.exists()


# --- search -------------------------------------------------------------------


def test_search_prints_ranked_results(built: Desk) -> None:
    result = built.run("search", "floods")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1 result · relevance"
    assert "Floods hit the valley" in lines
    assert "2026-03-09 · Valley Wire · floods.md" in lines
    assert "\x1b[" not in result.stdout  # plain when piped


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """A desk where "coalition" has 1,500 hits: far more output than a pipe
    holds (64 KiB on Linux)."""
    base = tmp_path_factory.mktemp("crowded")
    desk = Desk(base / "articles", base / "ix", base / "home")
    desk.articles.mkdir()
    records = (
        json.dumps(
            {
                "headline": f"Coalition talks, day {day}",
                "body": f"The coalition talked for the {day}th day about the "
                "budget, the floods and the harbour, and agreed nothing.",
            }
        )
        for day in range(1500)
    )
    (desk.articles / "wire.jsonl").write_text("\n".join(records), "utf-8")
    assert desk.run("index", "--quiet").returncode == 0
    return desk


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head(1)")
def test_search_piped_into_head_exits_quietly(crowded: Desk) -> None:
    # newsdesk search coalition --limit 2000 | head -1
    argv = crowded.argv("search", "coalition", "--limit", "2000")
    search = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=crowded.home.parent,
        env=crowded.env(),
    )
    assert search.stdout is not None
    head = subprocess.Popen(["head", "-1"], stdin=search.stdout, stdout=subprocess.PIPE)
    search.stdout.close()  # head holds the pipe's only reader
    first, _ = head.communicate(timeout=120)
    _, errors = search.communicate(timeout=120)
    assert first.decode() == "1,500 results · relevance\n"
    assert errors.decode() == ""  # no traceback, no "Exception ignored"
    assert search.returncode == 0
    # The whole output is far more than the pipe held when head left.
    whole = crowded.run("search", "coalition", "--limit", "2000")
    assert len(whole.stdout.encode()) > 3 * 65536


def test_search_into_a_pipe_closed_before_it_writes_exits_quietly(
    crowded: Desk,
) -> None:
    # newsdesk search coalition --limit 3 | true: a few hits, held in
    # stdout's buffer until the end, written into a pipe nobody reads.
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            crowded.argv("search", "coalition", "--limit", "3"),
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=crowded.home.parent,
            env=crowded.env(),
            timeout=120,
        )
    finally:
        os.close(write)
    assert result.stderr.decode() == ""
    assert result.returncode == 0


def test_search_exits_1_when_nothing_matched(built: Desk) -> None:
    plain = built.run("search", "zyzzyvaqx")
    assert plain.returncode == 1
    assert plain.stdout == ""
    assert plain.stderr.splitlines() == ['no articles match "zyzzyvaqx"']

    as_json = built.run("search", "--json", "zyzzyvaqx")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["total"] == 0


def test_search_exits_2_for_a_bad_query(built: Desk) -> None:
    for args in (["date:notadate"], ["--json", "date:notadate"]):
        result = built.run("search", *args)
        assert result.returncode == 2
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("newsdesk: cannot understand the query")
        assert "notadate" in line


def test_search_exits_2_for_bad_arguments(built: Desk) -> None:
    negative = built.run("search", "--limit", "-1", "coalition")
    assert negative.returncode == 2
    assert negative.stderr.splitlines() == ["newsdesk: --limit must be 0 or more"]
    assert built.run("search", "--sort", "sideways", "coalition").returncode == 2


def test_search_limit_zero_counts_only(built: Desk) -> None:
    result = built.run("search", "--json", "--limit", "0", "coalition")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["total"] == 4 and payload["hits"] == []


def test_search_json_hit_fields(built: Desk) -> None:
    payload = built.search_json("coalition budget")
    assert payload["query"] == "coalition budget"
    assert payload["sort"] == "relevance"
    assert payload["total"] == 1
    assert payload["correction"] is None
    [hit] = payload["hits"]
    assert set(hit) >= HIT_FIELDS
    assert hit["id"] == "budget.md"
    assert hit["title"] == "Coalition agrees budget"
    assert hit["source"] == "Courier"
    assert hit["date"].startswith("2026-03-02T09:00:00")
    assert hit["format"] == "md"
    assert Path(hit["path"]) == built.articles / "budget.md"
    assert isinstance(hit["score"], float) and hit["score"] > 0
    snippet = hit["snippet"]
    assert snippet == "The coalition agreed a budget on Monday after long talks."
    assert [snippet[a:b] for a, b in hit["spans"]] == ["coalition", "budget"]


def test_search_limit(built: Desk) -> None:
    payload = built.search_json("--limit", "2", "coalition")
    assert payload["total"] == 4
    assert len(payload["hits"]) == 2

    plain = built.run("search", "--limit", "1", "coalition")
    assert plain.stdout.splitlines()[0] == "4 results · relevance"
    snippets = [line for line in plain.stdout.splitlines() if line.startswith("  ")]
    assert len(snippets) == 1


def test_search_sort(built: Desk) -> None:
    newest = built.search_json("--sort", "newest", "coalition")
    oldest = built.search_json("--sort", "oldest", "coalition")
    assert newest["sort"] == "newest"
    assert [hit["id"] for hit in newest["hits"]] == [
        "vote.md",
        "budget.md",
        "old.md",
        "note.md",
    ]
    assert [hit["id"] for hit in oldest["hits"]] == [
        "old.md",
        "budget.md",
        "vote.md",
        "note.md",
    ]
    assert newest["hits"][-1]["date"] is None


def test_search_shows_a_correction(built: Desk) -> None:
    plain = built.run("search", "coaliton")
    assert plain.returncode == 0
    assert plain.stdout.splitlines()[0] == (
        'showing results for "coalition" (no match for "coaliton")'
    )
    assert "4 results · relevance" in plain.stdout

    payload = built.search_json("coaliton")
    assert payload["total"] == 0
    assert payload["correction"]["query"] == "coalition"
    assert payload["correction"]["total"] == 4


def test_a_correction_prints_no_control_character_of_the_query(built: Desk) -> None:
    """Found by the query fuzzer: the correction line echoed the query as
    typed, and a control character in it reached the terminal."""
    plain = built.run("search", "--", "coaliton \x1f")
    assert plain.returncode == 0
    assert plain.stdout.splitlines()[0] == (
        'showing results for "coalition ?" (no match for "coaliton ?")'
    )


def test_search_builds_a_missing_index_first(desk: Desk) -> None:
    assert not desk.index.exists()

    result = desk.run("search", "valley")

    assert result.returncode == 0, result.stderr
    assert (desk.index / "current.json").is_file()
    assert "Floods hit the valley" in result.stdout
    assert "indexing 5/5 files" in result.stderr  # progress, as plain lines

    quiet = desk.run("search", "--json", "valley")
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout)["total"] == 1


# --- stats --------------------------------------------------------------------


def test_stats_shows_articles_and_folders(built: Desk) -> None:
    result = built.run("stats")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "articles         5" in lines
    assert f"articles folder  {built.articles}" in lines
    assert "skipped files    0" in lines
    assert any(line.startswith("distinct terms   ") for line in lines)
    assert any(line.startswith("last build       ") for line in lines)

    facts = json.loads(built.run("stats", "--json").stdout)
    assert facts["articles"] == 5
    assert facts["articles_folders"] == [str(built.articles)]
    assert facts["index_dir"] == str(built.index)
    assert facts["index_bytes"] > 0
    assert facts["distinct_terms"] > 10
    assert facts["skipped"] == []
    assert facts["built_at"]


def test_stats_lists_skipped_files(desk: Desk) -> None:
    (desk.articles / "empty.txt").write_text("", "utf-8")
    desk.run("index", "--quiet")

    facts = json.loads(desk.run("stats", "--json").stdout)

    assert [entry["file"] for entry in facts["skipped"]] == ["empty.txt"]
    assert "skipped files    1" in desk.run("stats").stdout


def test_commands_never_write_to_the_articles_folder(desk: Desk) -> None:
    (desk.articles / "notes.pdf").write_bytes(b"%PDF")
    before = snapshot(desk.articles)

    for args in (
        ["index"],
        ["index", "--rebuild"],
        ["search", "coalition"],
        ["search", "coaliton"],
        ["stats"],
    ):
        assert desk.run(*args).returncode == 0, args

    assert snapshot(desk.articles) == before
    assert not desk.home.exists()
