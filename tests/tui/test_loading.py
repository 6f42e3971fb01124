"""What the TUI loads for its table: brief, compact views that show as full ones do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup.store import session_scope
from followup.store.models import ItemRow
from followup.store.queries import ItemFilter, list_items
from followup.tui import store as tui_store
from followup.tui.sorting import COLUMN_KEYS

from .conftest import PROTECT, RUNBOOK, TODAY

VERIFIED = datetime(2020, 1, 14, 9, 30, tzinfo=UTC)


def shown(item: object) -> tuple[object, ...]:
    """Return what the table shows and sorts on of an item."""
    return tuple(key(item, TODAY) for key in COLUMN_KEYS.values())  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [None, 3])
def test_the_table_reads_what_full_views_would_show(store: Engine, limit: int | None) -> None:
    with session_scope(store) as session:
        guard = session.exec(select(ItemRow).where(ItemRow.title == PROTECT)).one()
        guard.verified_at = VERIFIED
    with session_scope(store) as session:
        full = list_items(session, ItemFilter(), today=TODAY, limit=limit)
    loaded = tui_store.read_items(store, today=TODAY, limit=limit)
    assert [shown(i) for i in loaded] == [shown(i) for i in full]
    by_title = {i.title: i for i in loaded}
    if limit is None:
        assert by_title[PROTECT].verified_at == VERIFIED
        runbook = by_title[RUNBOOK]
        assert runbook.issue is not None and runbook.issue.synced_at is not None
        assert runbook.issue.url is not None and runbook.issue.url.endswith("/issues/7")
    assert all(i.text == "" for i in loaded)


def test_repeated_values_are_held_once(store: Engine) -> None:
    loaded = tui_store.read_items(store, today=TODAY)
    same = [i for i in loaded if i.postmortem == loaded[0].postmortem]
    assert len(same) > 1
    assert all(i.postmortem is same[0].postmortem for i in same)
    assert all(i.postmortem_title is same[0].postmortem_title for i in same)
