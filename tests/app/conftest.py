"""Fixtures for the app's functional and snapshot tests.

Each test gets a folder of articles written here, a real Whoosh index built
from it on disk, and the app the CLI would build (`tui.cli.make_app`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.locations import Locations
from index.store import update_index
from tui.app import NewsdeskApp
from tui.cli import make_app

REPO = Path(__file__).resolve().parents[2]
SAMPLE_ARTICLES = REPO / "sample_articles"

_LEAD = (
    "The harbour board voted on Tuesday to sell its last tugboat, "
    "ending two centuries of towage in Saltmere."
)
_HEADLINE = "Saltmere Sells Its Last Tugboat"
_BLOCK = [
    "Board chair Ada Frisk said the tug cost more to insure than it earned "
    "in fees, and that the coalition government had refused to help with repairs.",
    "Harbour pilots warned that hired tugs could take two hours to arrive in "
    "a storm, and asked the board to reconsider before the winter season.",
    "The tug, the Marta Lind, will be offered to maritime museums first, "
    "then to private buyers.",
]
SEED_STYLE = "\n".join(
    [
        _LEAD,
        _HEADLINE,
        "",
        _HEADLINE,
        "The decision leaves the port dependent on tugs hired from Pellingham.",
        *_BLOCK,
        *_BLOCK,
    ]
)
"""Laid out like the seed article: lead, headline twice, a block pasted twice."""

MARKUP = (
    "Leak names [bold red]fake[/] [link=file:///etc/passwd]files[/link] "
    "[@click=app.quit]quit[/] $(rm -rf /)\n\n"
    "The coalition memo said [b]nothing[/b] and \x1b[31mred\x1b[0m "
    "\x1b]8;;http://evil.example\x07link\x1b]8;;\x07 and "
    "\x1b]52;c;ZXZpbA==\x07clipboard text survived.\n"
)


def write_articles(folder: Path) -> Path:
    """A small news folder: a coalition story told four ways, a seed-style
    article with copies, and one full of markup and escapes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tugboat.txt").write_text(SEED_STYLE, encoding="utf-8")
    (folder / "budget.md").write_text(
        "---\ntitle: Coalition agrees a budget at dawn\n"
        "date: 2026-03-14T06:00:00+00:00\nsource: Brennmouth Courier\n"
        "url: https://courier.example/budget\n---\n"
        "The coalition agreed a budget at dawn after talks through the night.\n\n"
        "The coalition will fund flood defences and cut fuel duty.\n",
        encoding="utf-8",
    )
    (folder / "vote.txt").write_text(
        "Coalition survives confidence vote\n\n"
        "The coalition survived by seven votes on Thursday.\n\n"
        "Opposition leaders said the coalition could not last the year.\n",
        encoding="utf-8",
    )
    (folder / "rovers.txt").write_text(
        "Rovers win the derby\n\nSaltmere Rovers beat Pellingham 2-1 at home.\n",
        encoding="utf-8",
    )
    (folder / "[bold]leak[-].txt").write_text(MARKUP, encoding="utf-8")
    return folder


@pytest.fixture
def locations(tmp_path: Path) -> Locations:
    """A written articles folder and its freshly built index."""
    located = Locations((write_articles(tmp_path / "articles"),), tmp_path / "ix")
    update_index(located)
    return located


@pytest.fixture
def app(locations: Locations) -> NewsdeskApp:
    return make_app(locations)
