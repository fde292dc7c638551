"""`newsdesk show FILE`: one article as the reader shows it, on the terminal."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.cli import main

HEADLINE = "Night ferry to the islands cancelled for the winter"
LEAD = (
    "The operator of the night ferry to the outer islands said on Friday that "
    "the service would not run again until April, blaming the cost of fuel."
)
REPEATED = (
    "Islanders who rely on the crossing to reach the mainland hospital said "
    "the decision had been taken without asking anyone who lives there.",
    "The operator said the day sailings would carry on as normal, weather "
    "permitting, and that extra seats would be added at weekends.",
    "A spokesman for the island council said it would ask the transport "
    "minister to step in and fund the route for the rest of the year.",
)
CLOSING = "The last night sailing of the year leaves the harbour on Sunday."
MARKER = "··· 3 repeated paragraphs collapsed"


def seed_style(tmp_path: Path, name: str = "ferry.txt") -> Path:
    """An article in the seed layout: lead, headline twice, a block pasted twice."""
    lines = [LEAD, HEADLINE, "", HEADLINE, *REPEATED, *REPEATED, CLOSING]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def feed(tmp_path: Path) -> Path:
    records = [
        {"headline": "Ferry timetable changes", "body": LEAD, "publisher": "Isle Post"},
        {"headline": "Council asks minister for help", "body": REPEATED[2]},
        {"headline": "Last sailing on Sunday", "body": CLOSING},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def show(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["show", *args])
    out, err = capsys.readouterr()
    return status, out, err


def show_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    status, out, err = show(capsys, "--json", *args)
    assert status == 0, err
    return json.loads(out)


# --- text ---------------------------------------------------------------------


def test_show_prints_title_then_paragraphs_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = show(capsys, str(seed_style(tmp_path)))
    assert status == 0
    assert err == ""
    assert out.splitlines()[0] == HEADLINE
    flat = " ".join(out.split())
    assert flat.count(HEADLINE) == 1
    for paragraph in (LEAD, *REPEATED, CLOSING):
        assert flat.count(paragraph) == 1
    assert flat.index(LEAD) < flat.index(REPEATED[0]) < flat.index(CLOSING)


def test_show_marks_collapsed_copies_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = show(capsys, str(seed_style(tmp_path)))
    lines = out.splitlines()
    assert MARKER in lines
    assert "··· 1 repeated paragraph collapsed" in lines
    flat = " ".join(out.split())
    # The marker for the pasted block stands where the block was: before the end.
    assert flat.index(" ".join(REPEATED[2].split())) < flat.index(MARKER)
    assert flat.index(MARKER) < flat.index(CLOSING)


def test_show_all_prints_the_collapsed_copies_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = show(capsys, str(seed_style(tmp_path)), "--all")
    assert status == 0
    flat = " ".join(out.split())
    for paragraph in REPEATED:
        assert flat.count(paragraph) == 2
    assert MARKER not in out
    assert flat.count(HEADLINE) == 2


def test_show_output_has_no_escape_sequences_when_piped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = show(capsys, str(seed_style(tmp_path)))
    assert "\x1b" not in out


def test_show_prints_date_and_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ferry.md"
    path.write_text(
        f"---\ntitle: {HEADLINE}\ndate: 2024-10-04T09:30:00Z\n"
        f"source: Isle Post\n---\n\n{LEAD}\n"
    )
    _, out, _ = show(capsys, str(path))
    lines = out.splitlines()
    assert lines[0] == HEADLINE
    assert "2024-10-04" in lines[1]
    assert "Isle Post" in lines[1]


# --- JSON ---------------------------------------------------------------------


def test_show_json_has_exactly_the_documented_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = show_json(capsys, str(seed_style(tmp_path)))
    assert set(article) == {
        "id",
        "title",
        "date",
        "source",
        "url",
        "author",
        "format",
        "paragraphs",
        "collapsed",
    }
    assert article["id"] == "ferry.txt"
    assert article["title"] == HEADLINE
    assert article["format"] == "txt"
    assert article["date"] is None
    assert article["paragraphs"] == [LEAD, *REPEATED, CLOSING]


def test_show_json_collapsed_items_say_where_how_many_and_what(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = show_json(capsys, str(seed_style(tmp_path)))
    assert article["collapsed"] == [
        {"at": 1, "count": 1, "paragraphs": [HEADLINE]},
        {"at": 4, "count": 3, "paragraphs": list(REPEATED)},
    ]
    for item in article["collapsed"]:
        assert set(item) == {"at", "count", "paragraphs"}


def test_show_json_date_is_iso_with_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ferry.json"
    path.write_text(
        json.dumps({"title": HEADLINE, "text": LEAD, "date": "2024-10-04T09:30:00Z"})
    )
    article = show_json(capsys, str(path))
    assert article["date"] == "2024-10-04T09:30:00+00:00"
    assert article["id"] == "ferry.json#1"


# --- collections ---------------------------------------------------------------


def test_show_collection_prints_every_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = show(capsys, str(feed(tmp_path)))
    assert status == 0
    for title in (
        "Ferry timetable changes",
        "Council asks minister for help",
        "Last sailing on Sunday",
    ):
        assert title in out.splitlines()


def test_show_collection_json_is_a_list_of_every_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = show_json(capsys, str(feed(tmp_path)))
    assert [a["id"] for a in articles] == [
        "feed.jsonl#1",
        "feed.jsonl#2",
        "feed.jsonl#3",
    ]
    assert articles[0]["source"] == "Isle Post"


def test_show_file_hash_n_prints_one_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = feed(tmp_path)
    status, out, _ = show(capsys, f"{path}#2")
    assert status == 0
    assert "Council asks minister for help" in out
    assert "Ferry timetable changes" not in out
    assert "Last sailing on Sunday" not in out
    article = show_json(capsys, f"{path}#3")
    assert article["id"] == "feed.jsonl#3"
    assert article["title"] == "Last sailing on Sunday"


def test_show_collection_with_a_broken_line_reports_it_and_shows_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = feed(tmp_path)
    path.write_text(path.read_text() + '{"headline": "Cut off\n')
    status, out, err = show(capsys, str(path))
    assert status == 0
    assert "Last sailing on Sunday" in out
    assert "feed.jsonl#4" in err
    assert len(err.splitlines()) == 1


def test_file_name_containing_a_hash_is_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = seed_style(tmp_path, "issue#2.txt")
    status, out, _ = show(capsys, str(path))
    assert status == 0
    assert out.splitlines()[0] == HEADLINE


# --- errors ----------------------------------------------------------------------


def assert_one_line_error(status: int, out: str, err: str, *words: str) -> None:
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("newsdesk: ")
    assert "Traceback" not in err
    for word in words:
        assert word in err


def test_missing_file_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = show(capsys, str(tmp_path / "gone.txt"))
    assert_one_line_error(status, out, err, "gone.txt", "no such file")


def test_unknown_format_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ferry.rtf"
    path.write_text(f"{HEADLINE}\n\n{LEAD}\n")
    status, out, err = show(capsys, str(path))
    assert_one_line_error(status, out, err, "ferry.rtf", "unknown format")


def test_binary_file_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ferry.txt"
    path.write_bytes(gzip.compress(os.urandom(4096)))
    status, out, err = show(capsys, str(path))
    assert_one_line_error(status, out, err, "ferry.txt")


def test_record_past_the_end_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = show(capsys, f"{feed(tmp_path)}#9")
    assert_one_line_error(status, out, err, "no record 9")


def test_folder_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "archive.txt"
    folder.mkdir()
    status, out, err = show(capsys, str(folder))
    assert_one_line_error(status, out, err, "folder")


def test_error_message_cannot_carry_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = show(capsys, str(tmp_path / "\x1b]52;c;aGk=\x07.txt"))
    assert_one_line_error(status, out, err)
    assert "\x1b" not in err
    assert "\x07" not in err


def test_show_in_a_real_process_errors_without_traceback(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tui.cli", "show", str(tmp_path / "gone.md")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


def test_show_in_a_real_process_prints_the_marker(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tui.cli", "show", str(seed_style(tmp_path))],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert run.returncode == 0, run.stderr
    assert MARKER in run.stdout.splitlines()
