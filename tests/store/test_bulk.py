"""Rows written straight to the driver hold exactly what a Core insert of them holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, Table, Text, cast, select

from followup.store import bulk, session_scope
from followup.store.failures import StoreConflict
from followup.store.models import EventRow, ItemRow, PostMortemRow

ITEMS: Table = ItemRow.__table__  # type: ignore[attr-defined]
EVENTS: Table = EventRow.__table__  # type: ignore[attr-defined]
NOW = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
EAST = timezone(timedelta(hours=5, minutes=30))
ODD_TEXT = (
    "tab\there, new\nline, \\N, \\\\, back\\slash, 'quote', \"dq\", \x1b[31m, \u202e, 𝔘 ☃, "
    "[bold]markup[/bold], %s %(x)s ?, \r\n, \x7f"
)


def item_values(n: int) -> dict[str, Any]:
    """Return an item whose values vary with n over every kind of column."""
    return {
        "id": f"item{n:03d}",
        "postmortem_id": 1,
        "position": n,
        "title": ODD_TEXT if n % 2 else f"Title {n}",
        "text": ODD_TEXT * (n % 3),
        "fingerprint": "f",
        "line": n * 1000,
        "owner": None if n % 3 == 0 else "dana",
        "due": [None, date(1, 1, 1), date(9999, 12, 31), date(2026, 2, 28)][n % 4],
        "due_source": "document",
        "priority": "P1",
        "kind": "issue",
        "repo": "octo/app",
        "doc_done": bool(n % 2),
        "status": "open",
        "references": [] if n % 2 else [{"text": ODD_TEXT, "n": n, "f": 1.5, "ok": None}],
        "protection": None if n % 3 else {"branch": "mäin", "contexts": ["ci"]},
        "overrides": {} if n % 4 else {"owner": "lee", "due": None},
        # Equal instants at other offsets, and two times an import shares.
        "created_at": NOW if n % 2 else NOW.astimezone(EAST),
        "updated_at": NOW + timedelta(microseconds=n),
        "version": 1,
    }


def stored(engine: Engine, table: Table, key: str, ids: list[Any]) -> list[list[Any]]:
    """Return the stored rows as the database renders every value as text."""
    names = [c for c in table.c if c.name != key]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*(cast(c, Text) for c in names))
            .where(table.c[key].in_(ids))
            .order_by(table.c[key])
        )
        return [list(row) for row in rows]


def add_postmortem(engine: Engine) -> None:
    with session_scope(engine) as session:
        row = PostMortemRow(
            slug="pm",
            path="pm.md",
            title="PM",
            source="#",
            content_hash="h",
            imported_at=NOW,
            updated_at=NOW,
        )
        session.add(row)


def test_items_and_events_hold_what_a_core_insert_holds(engine: Engine) -> None:
    add_postmortem(engine)
    through_core = [item_values(n) for n in range(12)]
    through_bulk = [{**values, "id": f"bulk{n:03d}"} for n, values in enumerate(through_core)]
    names = list(through_core[0])
    events = [
        {
            "item_id": values["id"],
            "at": values["created_at"],
            "field": "status",
            "old": None if n % 2 else ODD_TEXT,
            "new": "open",
            "source": "document",
            "detail": None if n % 3 else {"why": ODD_TEXT},
        }
        for n, values in enumerate(through_core + through_bulk)
    ]
    event_names = list(events[0])
    with session_scope(engine) as session:
        session.execute(ITEMS.insert(), through_core)
        bulk.insert(session, ITEMS, names, [[v[name] for name in names] for v in through_bulk])
        session.execute(EVENTS.insert(), events[:12])
        bulk.insert(session, EVENTS, event_names, [list(e.values()) for e in events[12:]])

    core_items = stored(engine, ITEMS, "id", [v["id"] for v in through_core])
    bulk_items = stored(engine, ITEMS, "id", [v["id"] for v in through_bulk])
    assert len(core_items) == 12
    assert bulk_items == core_items
    with engine.connect() as conn:
        event_ids = list(conn.execute(select(EVENTS.c.id).order_by(EVENTS.c.id)).scalars())
    by_core = stored(engine, EVENTS, "id", event_ids[:12])
    by_bulk = stored(engine, EVENTS, "id", event_ids[12:])
    for row in by_bulk:
        row[0] = row[0].replace("bulk", "item")
    assert by_bulk == by_core


def test_a_row_the_store_refuses_is_a_conflict_and_nothing_of_it_stays(engine: Engine) -> None:
    add_postmortem(engine)
    names = list(item_values(0))
    rows = [[item_values(n)[name] for name in names] for n in (1, 2, 1)]
    with pytest.raises(StoreConflict), session_scope(engine) as session:
        bulk.insert(session, ITEMS, names, rows)
    with engine.connect() as conn:
        assert conn.execute(select(ITEMS.c.id)).all() == []


def test_no_rows_write_nothing(engine: Engine) -> None:
    with session_scope(engine) as session:
        bulk.insert(session, EVENTS, ["item_id"], [])
    with engine.connect() as conn:
        assert conn.execute(select(EVENTS.c.id)).all() == []


def test_pending_changes_are_written_first_as_session_execute_writes_them(engine: Engine) -> None:
    add_postmortem(engine)
    values = item_values(1)
    with session_scope(engine) as session:
        session.add(ItemRow(**values))  # pending: its events need it stored first
        bulk.insert(
            session,
            EVENTS,
            ["item_id", "at", "field", "source"],
            [[values["id"], NOW, "status", "x"]],
        )
    with engine.connect() as conn:
        assert conn.execute(select(EVENTS.c.item_id)).scalars().all() == [values["id"]]
