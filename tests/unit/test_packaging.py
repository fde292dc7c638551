"""The installed newsdesk holds every package and the sample articles.

The README's first command installs with `pip install .` (not editable), so a
package missing from pyproject.toml would only fail on a user's machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]


def _declared_packages() -> set[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["tool"]["setuptools"]["packages"])


def test_every_code_package_is_declared_for_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("index", "tui")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert found <= _declared_packages()


def test_the_sample_articles_and_stylesheet_ship_with_the_app() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = data["tool"]["setuptools"]
    assert setuptools["package-dir"]["tui.sample_articles"] == "sample_articles"
    assert "*.tcss" in setuptools["package-data"]["tui"]
    assert (REPO / "tui" / "newsdesk.tcss").is_file()
