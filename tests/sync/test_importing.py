"""Importing files: all or nothing, and the cycle collector always comes back on."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from sqlalchemy import Engine

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
