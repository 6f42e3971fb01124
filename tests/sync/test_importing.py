"""Importing files: all or nothing, and the cycle collector always comes back on."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from followup.postmortem.model import PostMortem
from followup.store import session_scope
from followup.store.queries import ItemFilter, list_items
from followup.sync import importing
from followup.sync.importing import ImportFailed, import_files
from tests.conftest import GH_PAGES


def test_the_collector_is_back_on_after_an_import(engine: Engine) -> None:
    report = import_files(engine, [GH_PAGES])
    assert [r.items for r in report.results] == [3]
    assert gc.isenabled()


def test_the_collector_is_back_on_after_a_failed_import(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed):
        import_files(engine, [GH_PAGES, tmp_path / "missing.md"])
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(engine: Engine) -> None:
    gc.disable()
    try:
        import_files(engine, [GH_PAGES])
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- unchanged files are not read again ---------------------------------------------------

DOC = """---
title: Queue outage
status: {status}
---
# Queue outage

## Action items

- Add an alert on queue depth. Owner: @dana
- Write a runbook. Owner: @{owner}
"""


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every file the reader parses."""
    from followup import postmortem

    seen: list[Path] = []
    real = postmortem.read

    def read(path: Path, **kwargs: Any) -> PostMortem:
        seen.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(postmortem, "read", read)
    return seen


def write(folder: Path, name: str, owner: str = "lee", status: str = "final") -> Path:
    path = folder / name
    path.write_text(DOC.format(owner=owner, status=status), encoding="utf-8")
    return path


def test_an_unchanged_file_is_not_parsed_again(
    engine: Engine, tmp_path: Path, parses: list[Path]
) -> None:
    path = write(tmp_path, "2026-01-02-queue.md", status="draft")
    first = import_files(engine, [path])
    parses.clear()

    again = import_files(engine, [path])

    assert parses == []
    [result] = again.results
    assert result.unchanged and result.items == 2
    assert (result.slug, result.status) == (first.results[0].slug, "draft")
    assert result.path == first.results[0].path


def test_a_changed_file_of_the_same_size_is_noticed(
    engine: Engine, tmp_path: Path, parses: list[Path]
) -> None:
    path = write(tmp_path, "2026-01-02-queue.md", owner="lee")
    import_files(engine, [path])
    parses.clear()
    write(tmp_path, "2026-01-02-queue.md", owner="kim")  # same length, same second

    [result] = import_files(engine, [path]).results

    assert parses == [path]
    assert (result.unchanged, result.updated) == (False, 1)
    with session_scope(engine) as session:
        owners = {i.owner for i in list_items(session, ItemFilter(), today=date(2026, 1, 1))}
    assert owners == {"dana", "kim"}


def test_another_default_repo_reads_the_file_again(
    engine: Engine, tmp_path: Path, parses: list[Path]
) -> None:
    path = write(tmp_path, "2026-01-02-queue.md")
    import_files(engine, [path], default_repo="octo/one")
    parses.clear()
    import_files(engine, [path], default_repo="octo/two")
    assert parses == [path]


def test_a_bulk_import_goes_in_batches_and_is_still_all_or_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 2)
    paths = [write(tmp_path, f"2026-01-0{n}-queue-{n}.md") for n in range(1, 6)]
    bad = tmp_path / "2026-01-09-broken.md"
    bad.write_bytes(b"\xff\xfe# UTF-16")

    with pytest.raises(ImportFailed) as failed:
        import_files(engine, [*paths[:3], bad, *paths[3:], tmp_path / "missing.md"])

    assert [p.path for p in failed.value.problems] == [str(bad), str(tmp_path / "missing.md")]
    with session_scope(engine) as session:
        assert list_items(session, ItemFilter(), today=date(2026, 1, 1)) == []
    report = import_files(engine, paths)
    assert [r.created for r in report.results] == [2] * 5
