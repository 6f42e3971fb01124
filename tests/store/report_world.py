"""A small store with a known history, for the review report's tests (hand-counted)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from followup import clock
from followup.policy import DuePolicy
from followup.postmortem.model import ActionItem, PostMortem, ProtectionSpec
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.importer import import_all
from followup.store.models import ItemRow

TODAY = date(2026, 3, 18)  # a Wednesday
SINCE = date(2026, 3, 12)  # the last seven days
DB_IMPORTED = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
CDN_IMPORTED = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
POLICY = DuePolicy(7, 28, 56, None)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def act(
    title: str, *, owner: str | None = None, priority: str | None = None, **kw: object
) -> ActionItem:
    return ActionItem(title=title, line=1, owner=owner, priority=priority, **kw)  # type: ignore[arg-type]


DB = PostMortem(
    title="Database failover | outage",
    slug="db",
    source="# db\n",
    date=date(2026, 2, 2),
    items=(
        act("Add an index", owner="dana", priority="P0"),
        act("Page on replica lag", owner="dana", priority="P1", due=date(2026, 4, 1)),
        act("Write the runbook", owner="lee", priority="P1", due=date(2026, 3, 1)),
        act("Fixed during the incident", owner="lee", priority="P2", done=True),
        act("Tune the alerts", owner="lee", priority="P1"),
        act("Drop the cache", owner="kim", priority="P1"),
        act("Add a dashboard", owner="kim", priority="P1"),
    ),
)
CDN = PostMortem(
    title="CDN certificate expired",
    slug="cdn",
    source="# cdn\n",
    date=date(2026, 3, 10),
    items=(
        act("Rotate the certificate", owner="sam", priority="P2"),
        act("Nobody's task", priority="P0"),
        act(
            "Protect main",
            owner="sam",
            priority="P3",
            protection=ProtectionSpec(branch="main", repo="acme/web", allow_deletions=False),
        ),
        act("Maybe add chaos tests", owner="sam"),
    ),
)


def set_status(engine: Engine, title: str, status: str, when: datetime) -> None:
    with session_scope(engine) as session:
        row = session.exec(select(ItemRow).where(ItemRow.title == title)).one()
        changes = Changes(source="user", at=when)
        changes.add(row.id, "status", row.status, status)
        row.status = status
        changes.flush(session)


def seed(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Import the two post-mortems and play their history; return the engine."""
    monkeypatch.setattr(clock, "now", lambda: DB_IMPORTED)
    with session_scope(engine) as session:
        import_all(session, [DB], policy=POLICY)
    monkeypatch.setattr(clock, "now", lambda: CDN_IMPORTED)
    with session_scope(engine) as session:
        import_all(session, [CDN], policy=POLICY)
    set_status(engine, "Add a dashboard", "done", DB_IMPORTED + timedelta(days=1))
    set_status(engine, "Tune the alerts", "done", DB_IMPORTED + timedelta(days=1))
    set_status(engine, "Add an index", "done", DB_IMPORTED + timedelta(days=3))
    set_status(engine, "Drop the cache", "wont_do", DB_IMPORTED + timedelta(days=5))
    set_status(engine, "Tune the alerts", "open", at(date(2026, 3, 14)))
    set_status(engine, "Rotate the certificate", "done", CDN_IMPORTED + timedelta(days=2))
    set_status(engine, "Protect main", "regressed", at(date(2026, 3, 16)))
    with engine.begin() as conn:
        # A suggestion (issue 10): found in prose, never a commitment until accepted.
        conn.execute(
            text(
                "UPDATE action_item SET status = 'suggested' WHERE title = 'Maybe add chaos tests'"
            )
        )
        conn.execute(
            text(
                "UPDATE event SET new = 'suggested' WHERE item_id = "
                "(SELECT id FROM action_item WHERE title = 'Maybe add chaos tests')"
            )
        )
    return engine
