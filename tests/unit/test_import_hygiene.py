"""The headless core never imports Textual, and only whoosh3 provides `whoosh`."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys


def modules_after_import(code: str) -> list[str]:
    """Run `code` in a fresh interpreter and list the modules it left loaded."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    run = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    loaded: list[str] = json.loads(run.stdout.splitlines()[-1])
    return loaded


def textual_modules(modules: list[str]) -> list[str]:
    return [
        name for name in modules if name == "textual" or name.startswith("textual.")
    ]


def test_headless_core_does_not_import_textual() -> None:
    modules = modules_after_import(
        "import index, index.store, index.search, index.loaders, index.collapse"
    )
    assert "index.search" in modules
    assert textual_modules(modules) == []


def test_loading_and_collapsing_an_article_does_not_import_textual() -> None:
    code = """
import tempfile
from pathlib import Path
from index.collapse import collapse
from index.loaders import load_file
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "note.md"
    path.write_text("---\\ntitle: Quiet day\\n---\\n\\nNothing happened.\\n")
    article = load_file(path).articles[0]
    collapse(article.paragraphs, article.title)
"""
    assert textual_modules(modules_after_import(code)) == []


def test_cli_module_imports_without_textual() -> None:
    modules = modules_after_import("import tui.cli")
    assert "tui.cli" in modules
    assert textual_modules(modules) == []


def test_only_whoosh3_provides_the_whoosh_package() -> None:
    providers = importlib.metadata.packages_distributions().get("whoosh", [])
    assert sorted({name.lower() for name in providers}) == ["whoosh3"]


def test_the_app_imports_no_index_module_before_its_first_paint() -> None:
    # Whoosh, the index and the loaders are imported by the worker that opens
    # the index, after the first frame: importing them first took ~0.15 s.
    modules = modules_after_import(
        "import tui.cli, tui.app\ntui.cli.make_app  # what `newsdesk` imports"
    )
    assert "tui.app" in modules
    heavy = ("whoosh", "index.search", "index.store", "index.loaders", "rapidfuzz")
    assert [name for name in modules if name.startswith(heavy)] == []
