"""A sync pushing a waiting edit while the person changes that edit again: the newer one waits.

The cassettes are tests/sync/test_mirroring.py's (the same exchanges): the sync pushes
the priority P0 a TUI queued; while GitHub answers, the person changes it to P2 in the
TUI, on an engine of their own. P2 is what the item shows afterwards, and it waits for
the next sync, against what GitHub shows now (P0): it is neither overwritten by the
answer nor deleted with the edit the sync pushed.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from followup.github import ClientOptions, GitHub
from followup.store import session_scope
from followup.store.models import ItemRow, PendingEditRow
from followup.sync import pending
from followup.sync.edits import set_priority
from followup.sync.polling import sync_all
from tests.conftest import CASSETTES
from tests.sync.mirror_world import build_store
from tests.sync.world import ALERT, NOW, SCRATCH, fake_clock


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "test_mirroring")


def waiting(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(PendingEditRow).order_by(col(PendingEditRow.id)))
        return [(e.item_id, e.field, e.value, e.base) for e in rows]


@pytest.mark.vcr
@pytest.mark.default_cassette("test_a_queued_priority_edit_is_pushed_by_the_next_sync")
def test_an_edit_changed_again_while_the_sync_pushes_it_waits_for_the_next_sync(
    engine: Engine, other: Engine, github_token: str, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    clock = fake_clock(monkeypatch)
    ids = build_store(engine)
    clock.time = NOW
    item_id = ids[ALERT]
    assert set_priority(engine, None, item_id, "P0").outcome == "queued"
    write = pending._write
    changed: list[str] = []

    def write_then_edit(*args: Any) -> Any:
        answer = write(*args)
        changed.append(set_priority(other, None, item_id, "P2").outcome)
        return answer

    monkeypatch.setattr(pending, "_write", write_then_edit)
    options = ClientOptions(write_interval=0, backoff=0, max_retries=1)
    report = sync_all(engine, lambda: GitHub(github_token, options), repos=[SCRATCH], concurrency=1)

    assert vcr.all_played and report.ok, report.errors
    assert changed == ["queued"]
    with session_scope(engine) as session:
        item = session.get(ItemRow, item_id)
        assert item is not None and item.priority == "P2"
    assert waiting(engine) == [(item_id, "priority", "P2", "P0")]
