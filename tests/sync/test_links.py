"""Links between items and issues: issue rows, link and status events, intents, failures."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from followup.github.issue_mapping import RemoteIssue
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.importer import import_postmortem
from followup.store.models import EventRow, IssueRow, ItemRow, Status
from followup.sync.links import (
    apply_issue,
    link_item,
    record_failure,
    set_status,
    status_from_issue,
    upsert_issue,
)
from tests.store.test_importer import doc

OPENED = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
CLOSED = datetime(2026, 5, 6, 8, 0, tzinfo=UTC)


def remote(number: int = 12, **fields: object) -> RemoteIssue:
    values: dict[str, object] = {
        "repo": "octo-org/docs",
        "number": number,
        "node_id": f"I_{number}",
        "url": f"https://github.com/octo-org/docs/issues/{number}",
        "title": "Add an alert",
        "state": "open",
        "assignees": ("octocat",),
        "labels": ("followup",),
        "created_at": OPENED,
        "updated_at": OPENED,
    }
    values.update(fields)
    return RemoteIssue(**values)  # type: ignore[arg-type]


def item_id(engine: Engine) -> str:
    with session_scope(engine) as session:
        import_postmortem(session, doc("Add an alert"))
        return session.exec(select(ItemRow.id)).one()


def test_an_issue_row_is_created_once_and_kept_up_to_date(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = upsert_issue(session, remote())
        again = upsert_issue(
            session, remote(state="closed", state_reason="completed", closed_at=CLOSED)
        )
        assert first.id == again.id
        assert (again.state, again.closed_at, again.assignees) == ("closed", CLOSED, ["octocat"])
        # A transferred issue keeps its node id: the same row follows it.
        moved = upsert_issue(session, remote(repo="octo-org/other", number=3, node_id="I_12"))
        assert moved.id == first.id and (moved.repo, moved.number) == ("octo-org/other", 3)
        assert len(session.exec(select(IssueRow)).all()) == 1


def test_linking_records_where_it_came_from_and_clears_intent_and_reason(engine: Engine) -> None:
    ident = item_id(engine)
    with session_scope(engine) as session:
        item = session.get(ItemRow, ident)
        assert item is not None
        item.filing_intent_at = OPENED
        record_failure(item, "repository octo-org/docs not found")
        changes = Changes(source="followup")
        row = upsert_issue(session, remote())
        assert link_item(session, item, row, changes, how="created", at=OPENED) is True
        assert link_item(session, item, row, changes, how="created") is False
        other = upsert_issue(session, remote(13))
        assert link_item(session, item, other, changes, how="reconciled") is True
        changes.flush(session)
        stored = session.get(ItemRow, ident)
        assert stored is not None
        left = (stored.filing_intent_at, stored.status_reason)
        events = session.exec(
            select(EventRow).where(EventRow.field == "link").order_by(col(EventRow.id))
        ).all()
    assert left == (None, None)
    assert [(e.old, e.new, e.detail) for e in events] == [
        (
            None,
            "octo-org/docs#12",
            {"url": "https://github.com/octo-org/docs/issues/12", "how": "created"},
        ),
        (
            "octo-org/docs#12",
            "octo-org/docs#13",
            {"url": "https://github.com/octo-org/docs/issues/13", "how": "reconciled"},
        ),
    ]
    assert events[0].at.replace(tzinfo=UTC) == OPENED


def test_a_closed_issue_closes_the_item_at_githubs_time(engine: Engine) -> None:
    ident = item_id(engine)
    with session_scope(engine) as session:
        item = session.get(ItemRow, ident)
        assert item is not None
        changes = Changes(source="github")
        apply_issue(
            session,
            item,
            remote(state="closed", state_reason="not_planned", closed_at=CLOSED),
            changes,
            how="synced",
        )
        changes.flush(session)
        assert item.status == Status.WONT_DO
        status = session.exec(
            select(EventRow).where(EventRow.field == "status", EventRow.new == "wont_do")
        ).one()
        assert status.at.replace(tzinfo=UTC) == CLOSED and status.source == "github"


def test_an_open_issue_leaves_an_item_in_progress(engine: Engine) -> None:
    ident = item_id(engine)
    with session_scope(engine) as session:
        item = session.get(ItemRow, ident)
        assert item is not None
        changes = Changes(source="user")
        assert set_status(item, Status.IN_PROGRESS, changes) is True
        assert set_status(item, Status.IN_PROGRESS, changes) is False
        assert status_from_issue(item, remote()) is Status.IN_PROGRESS
        assert status_from_issue(item, remote(state="closed")) is Status.DONE
