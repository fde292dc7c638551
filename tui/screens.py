"""Modal screens: the key help and the rebuild confirmation."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

KEYS: tuple[tuple[str, str], ...] = (
    ("/", "focus the search"),
    ("Escape", "back to the results; in the results, clear the search"),
    ("Enter", "search: go to the results · results: read · reader: expand a marker"),
    ("j / k, ↓ / ↑", "move in the results, scroll the reader"),
    ("g / G", "first / last result, top / bottom of the article"),
    ("PageUp / PageDown", "a page up / down"),
    ("Tab / Shift+Tab", "next / previous pane"),
    ("s", "sort: relevance, newest, oldest"),
    ("d", "show or collapse repeated paragraphs"),
    ("n / N", "next / previous match in the article"),
    ("o", "open the article's url in the browser (or the file in $PAGER)"),
    ("y", "copy the url or path to the clipboard"),
    ("r", "update the index (new, changed and removed files)"),
    ("R", "rebuild the index from scratch"),
    ("Ctrl+P", "command palette: every action, and themes"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    """Every key, in one place."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        table = Text()
        width = max(len(key) for key, _ in KEYS) + 2
        for key, meaning in KEYS:
            table.append(key.ljust(width), style="bold")
            table.append(meaning + "\n")
        with Vertical(id="help"):
            yield Static(Text("newsdesk keys", style="bold"), id="help-title")
            with VerticalScroll():
                yield Static(table)
            yield Static(Text("Escape or ? to close", style="dim"), id="help-footer")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


class ConfirmRebuild(ModalScreen[bool]):
    """Ask before rebuilding: it rereads every file."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "Cancel"),
        Binding("y", "answer(True)", "Rebuild"),
    ]

    def compose(self) -> ComposeResult:
        with Grid(id="confirm"):
            yield Static(
                Text(
                    "Rebuild the index from scratch? Every file is read again; "
                    "the current index stays searchable until the new one is ready."
                ),
                id="confirm-question",
            )
            yield Button("Rebuild", variant="warning", id="rebuild")
            yield Button("Cancel", variant="primary", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "rebuild")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
