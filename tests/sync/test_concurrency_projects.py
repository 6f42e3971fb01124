"""A sync reading a GitHub Project back while a person edits one of its items: both kept.

The cassettes are tests/sync/test_projects.py's (the same exchanges); the other writer
runs, on an engine of its own, between the sync's read of the item and its write.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine

from followup.github import ClientOptions, GitHub
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import ItemRow
from followup.sync import project_poll
from followup.sync.edit_fields import apply_local, owner_change
from followup.sync.polling import sync_all
from tests.conftest import CASSETTES
from tests.sync.mirror_world import build_store, in_project
from tests.sync.world import ALERT, NOW, RUNBOOK, fake_clock


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "test_projects")


@pytest.mark.vcr
@pytest.mark.default_cassette("test_a_sync_brings_back_priority_and_due_changed_in_the_project")
def test_an_item_edited_while_a_sync_reads_its_project_keeps_both_changes(
    engine: Engine,
    other: Engine,
    github_token: str,
    monkeypatch: pytest.MonkeyPatch,
    vcr: Any,
    backend: str,
) -> None:
    if backend == "sqlite":
        pytest.skip(
            "SQLite: the page's transaction holds the write lock from its first write, "
            "before it reads the items, so no other writer can commit in between"
        )
    clock = fake_clock(monkeypatch)
    ids = build_store(engine)
    clock.time = NOW
    in_project(engine, {ALERT: ("P1", "2026-12-01"), RUNBOOK: (None, None)})
    follow = project_poll.follow_priority  # type: ignore[attr-defined]
    edited: list[str] = []

    def edit_first(item: ItemRow, priority: str | None, changes: Changes, **when: Any) -> bool:
        # The sync has read the item and is about to give it the project's priority.
        if not edited:
            apply_local(other, item.id, owner_change("kim"))
            edited.append(item.id)
        return follow(item, priority, changes, **when)

    monkeypatch.setattr(project_poll, "follow_priority", edit_first)
    options = ClientOptions(write_interval=0, backoff=0, max_retries=1)
    report = sync_all(engine, lambda: GitHub(github_token, options), concurrency=1)

    assert vcr.all_played and report.ok, report.errors
    assert edited == [ids[ALERT]]
    (poll,) = report.projects
    assert (poll.ok, poll.items_read, poll.items_changed) == (True, 2, 1)
    with session_scope(engine) as session:
        alert = session.get(ItemRow, ids[ALERT])
        assert alert is not None
        assert (alert.owner, alert.priority, alert.due) == ("kim", "P0", date(2027, 2, 1))
