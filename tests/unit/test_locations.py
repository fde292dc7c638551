"""Where the articles folders come from: config.toml, read only when it exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.locations import ConfigError, resolve_locations


def test_config_toml_names_the_articles_folders(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'articles = ["{news}"]\n', encoding="utf-8")
    located = resolve_locations(
        tmp_path / "default", environ={}, config_path=config, index_dir=tmp_path
    )
    assert located.folders == (news.resolve(),)


def test_no_config_file_means_the_default_folder(tmp_path: Path) -> None:
    default = tmp_path / "samples"
    default.mkdir()
    located = resolve_locations(
        default, environ={}, config_path=tmp_path / "none.toml", index_dir=tmp_path
    )
    assert located.folders == (default.resolve(),)


def test_a_config_file_that_is_not_toml_is_one_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("articles = [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        resolve_locations(tmp_path, environ={}, config_path=config)
