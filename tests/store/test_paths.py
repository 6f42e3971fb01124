"""One rule shows a post-mortem's file: relative to the working folder when below it."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.store.display_paths import display_path, listed_path, working_folder


def test_a_file_below_the_working_folder_shows_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(str(tmp_path / "pm" / "2020-01-01-x.md")) == "pm/2020-01-01-x.md"


def test_a_file_beside_it_with_the_same_prefix_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    outside = str(tmp_path / "docs-old" / "x.md")
    assert display_path(outside) == outside


def test_at_the_root_every_file_is_below(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    assert working_folder() == "/"
    assert display_path("/srv/pm/x.md") == "srv/pm/x.md"


def test_the_shown_path_is_the_listed_one() -> None:
    folder = working_folder()
    for path in (f"{folder}a.md", "/elsewhere/b.md", f"{folder}sub/c.md"):
        assert display_path(path) == listed_path(path, folder)
