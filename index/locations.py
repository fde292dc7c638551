"""Where the articles are and where their index lives.

Articles folders come from, in order of precedence: `--articles DIR`
(repeatable), `NEWSDESK_ARTICLES` (folders separated by the path separator),
`articles = [...]` in `config.toml` in the user config dir, and finally the
default folder the caller passes (the sample articles that ship with
newsdesk). The index goes in the user data dir, one per set of folders,
unless `--index DIR` or `NEWSDESK_INDEX` says otherwise.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = ["ConfigError", "Locations", "config_file", "resolve_locations"]

APP_NAME = "newsdesk"


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Locations:
    """The articles folders to read and the index folder to keep."""

    folders: tuple[Path, ...]
    index_dir: Path


def config_file() -> Path:
    """`config.toml` in the user config dir."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _configured_folders(path: Path) -> list[Path]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    # Imported only when there is a config file: the app's launch is timed.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    folders = data.get("articles", [])
    if isinstance(folders, str):
        folders = [folders]
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise ConfigError(f"{path}: `articles` must be a list of folder paths")
    return [Path(folder).expanduser() for folder in folders]


def _default_index_dir(folders: Sequence[Path]) -> Path:
    key = "\n".join(sorted(str(folder) for folder in folders))
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = re.sub(r"[^\w.-]+", "_", folders[0].name or "root")[:40]
    return Path(platformdirs.user_data_dir(APP_NAME)) / "indexes" / f"{name}-{digest}"


def resolve_locations(
    default_folder: Path,
    folders: Sequence[Path] = (),
    index_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Locations:
    """Decide the articles folders and the index folder (see module docstring).

    Folders that do not exist raise `ConfigError`; nothing is created here.
    """
    environ = os.environ if environ is None else environ
    chosen = list(folders)
    if not chosen and environ.get("NEWSDESK_ARTICLES"):
        chosen = [
            Path(part).expanduser()
            for part in environ["NEWSDESK_ARTICLES"].split(os.pathsep)
            if part
        ]
    if not chosen:
        chosen = _configured_folders(config_path or config_file())
    if not chosen:
        chosen = [default_folder]
    resolved: list[Path] = []
    for folder in chosen:
        folder = folder.expanduser().resolve()
        if not folder.is_dir():
            raise ConfigError(f"articles folder not found: {folder}")
        if folder not in resolved:
            resolved.append(folder)
    if index_dir is None and environ.get("NEWSDESK_INDEX"):
        index_dir = Path(environ["NEWSDESK_INDEX"])
    if index_dir is None:
        index_dir = _default_index_dir(resolved)
    return Locations(tuple(resolved), index_dir.expanduser().resolve())
