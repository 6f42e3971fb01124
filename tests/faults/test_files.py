"""Write-back under faults: a read-only file is left alone, and the report is never lost.

Before: write-back rewrote a post-mortem the user had made read-only (0444), and in a
read-only folder it died with PermissionError after the issues were filed, so the
table saying which issue each item got was never printed.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from followup.sync.writeback import Edit, WriteBackError, write_back
from tests.conftest import GH_PAGES, RunCli

DEBUGGING = "Investigate if debugging gh-pages could be improved."


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / GH_PAGES.name
    shutil.copy(GH_PAGES, path)
    return path


def test_a_read_only_file_is_not_rewritten(document: Path) -> None:
    before = document.read_bytes()
    document.chmod(0o444)
    with pytest.raises(WriteBackError, match="is read-only, so it was not changed"):
        write_back(document, [Edit(71, "octo/x#1")])
    assert document.read_bytes() == before
    assert stat.S_IMODE(document.stat().st_mode) == 0o444


def test_a_folder_that_refuses_the_new_file_changes_nothing(
    document: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = document.read_bytes()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    # What a read-only folder does to the temporary file (root is never refused).
    monkeypatch.setattr("tempfile.mkstemp", refuse)
    with pytest.raises(WriteBackError, match=r"cannot write it \(Permission denied\)"):
        write_back(document, [Edit(71, "octo/x#1")])
    assert document.read_bytes() == before
    assert [p.name for p in document.parent.iterdir()] == [document.name]


@pytest.mark.vcr
def test_filing_with_a_read_only_post_mortem_reports_each_item(
    run_cli: RunCli, document: Path, scratch_repo: str
) -> None:
    before = document.read_bytes()
    document.chmod(0o444)

    result = run_cli("file", str(document), "--repo", scratch_repo, "--write-back")

    assert result.exit_code == 0, result.output
    assert document.read_bytes() == before
    assert "2 created, 0 linked, 1 skipped, 0 failed." in result.stdout
    assert f"{document}: is read-only, so it was not changed; references not written:" in (
        result.output
    )
    assert f"({scratch_repo}#" in result.output
    assert "wrote 2 issue references" not in result.stdout


@pytest.mark.vcr
def test_a_read_only_folder_after_filing_does_not_lose_the_report(
    run_cli: RunCli, document: Path, scratch_repo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    if os.geteuid() != 0:
        document.parent.chmod(0o555)
    try:
        result = run_cli("file", str(document), "--repo", scratch_repo, "--write-back")
    finally:
        document.parent.chmod(0o755)

    assert result.exit_code == 0, result.output
    assert "unexpected" not in result.output
    # The per-item table is there: each item and the issue it got.
    assert "2 created, 0 linked, 1 skipped, 0 failed." in result.stdout
    assert DEBUGGING in result.stdout and f"https://github.com/{scratch_repo}/issues/" in (
        result.stdout
    )
    assert "cannot write it (Permission denied), so it was not changed" in result.output
