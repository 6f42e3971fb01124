"""Local edits reach GitHub first, wait safely when they cannot, and survive re-imports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup.errors import InputError
from followup.github import ClientOptions, GitHub, Unprocessable
from followup.store import session_scope
from followup.store.importer import import_all
from followup.store.models import IssueRow, ItemRow, PendingEditRow
from followup.store.queries import item_events
from followup.sync.edits import (
    close_item,
    reassign_item,
    reopen_item,
    set_due,
    set_priority,
)
from followup.sync.polling import sync_all
from tests.sync.world import (
    ALERT,
    LOADTEST,
    NOW,
    PROTECT,
    RUNBOOK,
    SCRATCH,
    FakeClock,
    build_store,
    fake_clock,
    filed_store,
    postmortems,
)


@pytest.fixture
def client(github_token: str) -> GitHub:
    return GitHub(github_token, ClientOptions(write_interval=0, backoff=0, max_retries=1))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    return fake_clock(monkeypatch)


@pytest.fixture
def ids(engine: Engine, clock: FakeClock) -> dict[str, str]:
    return filed_store(engine, clock)


def item(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        return row


def linked_issue(engine: Engine, item_id: str) -> IssueRow:
    with session_scope(engine) as session:
        row = session.get(IssueRow, item(engine, item_id).issue_id)
        assert row is not None
        return row


def pending(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(PendingEditRow).order_by(PendingEditRow.id)).all()  # type: ignore[arg-type]
        return [(r.item_id, r.field, r.value, r.base) for r in rows]


def last_event(engine: Engine, item_id: str) -> tuple[str, str | None, str | None, str]:
    with session_scope(engine) as session:
        e = item_events(session, item_id)[-1]
        return (e.field, e.old, e.new, e.source)


@pytest.mark.vcr
def test_closing_a_linked_item_closes_its_issue_first(
    engine: Engine, ids: dict[str, str], client: GitHub
) -> None:
    result = close_item(engine, client, ids[ALERT])

    assert result.outcome == "pushed"
    assert result.message == f"{ids[ALERT]}: closed as completed on GitHub ({SCRATCH}#12)"
    row = linked_issue(engine, ids[ALERT])
    assert (row.state, row.state_reason) == ("closed", "completed")
    alert = item(engine, ids[ALERT])
    assert alert.status == "done"
    assert alert.overrides == {"status": "user"}
    with session_scope(engine) as session:
        last = item_events(session, ids[ALERT])[-1]
    assert (last.field, last.old, last.new, last.source) == ("status", "filed", "done", "user")
    assert last.at.isoformat().startswith("2026-11-21T08:00:00")  # GitHub's closed_at
    assert pending(engine) == []


@pytest.mark.vcr
def test_closing_as_not_planned_and_reopening(
    engine: Engine, ids: dict[str, str], client: GitHub
) -> None:
    assert close_item(engine, client, ids[LOADTEST], reason="not_planned").outcome == "pushed"
    assert item(engine, ids[LOADTEST]).status == "wont_do"

    result = reopen_item(engine, client, ids[LOADTEST])

    assert result.outcome == "pushed"
    assert item(engine, ids[LOADTEST]).status == "filed"
    assert linked_issue(engine, ids[LOADTEST]).state_reason == "reopened"


@pytest.mark.vcr
def test_reassigning_replaces_the_issues_assignees(
    engine: Engine, ids: dict[str, str], client: GitHub
) -> None:
    result = reassign_item(engine, client, ids[RUNBOOK], "@dave")

    assert result.outcome == "pushed"
    assert item(engine, ids[RUNBOOK]).owner == "dave"
    assert item(engine, ids[RUNBOOK]).overrides == {"owner": "user"}
    assert linked_issue(engine, ids[RUNBOOK]).assignees == ["dave"]
    with session_scope(engine) as session:
        events = [(e.field, e.old, e.new, e.source) for e in item_events(session, ids[RUNBOOK])]
    assert events[-2:] == [
        ("owner", "bob", "dave", "user"),
        ("assignees", "bob", "dave", "user"),
    ]


@pytest.mark.vcr
def test_someone_github_will_not_assign_is_refused_and_nothing_changes(
    engine: Engine, ids: dict[str, str], client: GitHub
) -> None:
    with pytest.raises(InputError, match="GitHub did not assign mallory"):
        reassign_item(engine, client, ids[RUNBOOK], "mallory")
    assert item(engine, ids[RUNBOOK]).owner == "bob"
    assert pending(engine) == []


@pytest.mark.vcr
def test_a_refused_edit_changes_nothing(
    engine: Engine, ids: dict[str, str], client: GitHub
) -> None:
    with pytest.raises(Unprocessable):
        close_item(engine, client, ids[ALERT])
    assert item(engine, ids[ALERT]).status == "filed"
    assert pending(engine) == []


def test_without_a_client_the_edit_waits_with_the_value_it_was_made_against(
    engine: Engine, ids: dict[str, str]
) -> None:
    result = close_item(engine, None, ids[ALERT])

    assert result.outcome == "queued"
    assert "'followup sync' pushes it" in result.message
    assert item(engine, ids[ALERT]).status == "done"  # shown at once
    assert pending(engine) == [(ids[ALERT], "state", "closed:completed", "open")]

    # Changing it again keeps the first base; going back to GitHub's value cancels it.
    close_item(engine, None, ids[ALERT], reason="not_planned")
    assert pending(engine) == [(ids[ALERT], "state", "closed:not_planned", "open")]
    back = reopen_item(engine, None, ids[ALERT])
    assert back.outcome == "local"
    assert pending(engine) == []
    assert item(engine, ids[ALERT]).status == "filed"


@pytest.mark.vcr
def test_a_write_github_may_have_applied_waits_and_the_next_sync_confirms_it(
    engine: Engine, ids: dict[str, str], client: GitHub, github_token: str
) -> None:
    result = close_item(engine, client, ids[ALERT])

    assert result.outcome == "queued"
    assert "502" in result.message
    assert pending(engine) == [(ids[ALERT], "state", "closed:completed", "open")]

    options = ClientOptions(write_interval=0, backoff=0, max_retries=1)
    report = sync_all(engine, lambda: GitHub(github_token, options), concurrency=1)

    # The PATCH had gone through: GitHub shows it, so nothing is sent again.
    assert [(e.item_id, e.outcome) for e in report.edits] == [(ids[ALERT], "confirmed")]
    assert pending(engine) == []
    assert item(engine, ids[ALERT]).status == "done"


def test_unlinked_items_change_only_in_the_store(engine: Engine, clock: FakeClock) -> None:
    ids = build_store(engine, link=False)
    clock.time = NOW

    closed = close_item(engine, None, ids[ALERT])
    assigned = reassign_item(engine, None, ids[ALERT], "erin")
    reopened = reopen_item(engine, None, ids[ALERT])

    assert [closed.outcome, assigned.outcome, reopened.outcome] == ["local"] * 3
    assert item(engine, ids[ALERT]).status == "open"
    assert item(engine, ids[ALERT]).owner == "erin"
    assert pending(engine) == []
    assert close_item(engine, None, ids[PROTECT]).outcome == "unchanged"  # already done


def test_due_dates_and_priorities_wait_for_a_sync_and_survive_a_reimport(
    engine: Engine, ids: dict[str, str]
) -> None:
    assert set_due(engine, None, ids[ALERT], date(2026, 12, 1)).outcome == "queued"
    assert set_priority(engine, None, ids[ALERT], "p0").new == "P0"
    assert reassign_item(engine, None, ids[ALERT], "erin").outcome == "queued"
    # The body of the issue was never read: its Due line is not known (base None).
    assert pending(engine) == [
        (ids[ALERT], "due", "2026-12-01", None),
        (ids[ALERT], "priority", "P0", None),
        (ids[ALERT], "assignee", "erin", "alice"),
    ]

    with session_scope(engine) as session:
        # The document changed (new wording elsewhere), so the item is updated from it.
        docs = postmortems()
        import_all(session, [replace(docs[0], source="# Queue outage (v2)\n"), docs[1]])

    alert = item(engine, ids[ALERT])
    assert (alert.due, alert.priority, alert.owner) == (date(2026, 12, 1), "P0", "erin")
    assert last_event(engine, ids[ALERT])[3] == "user"

    assert set_due(engine, None, ids[ALERT], None).new is None
    assert item(engine, ids[ALERT]).due_text is None
    # Back to what GitHub has (no priority label): nothing is left to push.
    assert set_priority(engine, None, ids[ALERT], None).outcome == "local"
    assert [p[1] for p in pending(engine)] == ["due", "assignee"]


def test_unlinked_items_take_due_dates_and_priorities_in_the_store_only(
    engine: Engine, clock: FakeClock
) -> None:
    ids = build_store(engine, link=False)
    clock.time = NOW

    assert set_due(engine, None, ids[ALERT], date(2026, 12, 1)).outcome == "local"
    assert set_priority(engine, None, ids[ALERT], "P3").outcome == "local"
    assert set_priority(engine, None, ids[ALERT], "P3").outcome == "unchanged"
    assert pending(engine) == []
    assert (item(engine, ids[ALERT]).due, item(engine, ids[ALERT]).priority) == (
        date(2026, 12, 1),
        "P3",
    )


def test_bad_values_are_refused_in_one_line(engine: Engine, ids: dict[str, str]) -> None:
    with pytest.raises(InputError, match="P0, P1, P2, P3"):
        set_priority(engine, None, ids[ALERT], "P7")
    with pytest.raises(InputError, match="not a GitHub login"):
        reassign_item(engine, None, ids[ALERT], "not a login")
    with pytest.raises(InputError, match="completed or not_planned"):
        close_item(engine, None, ids[ALERT], reason="duplicate")  # type: ignore[arg-type]
    assert pending(engine) == []


def test_items_are_found_by_prefix_and_removed_ones_are_refused(
    engine: Engine, ids: dict[str, str]
) -> None:
    assert set_priority(engine, None, ids[RUNBOOK][:5], "P2").item_id == ids[RUNBOOK]

    docs = postmortems()
    kept = tuple(i for i in docs[0].items if i.title != RUNBOOK)
    with session_scope(engine) as session:
        import_all(session, [replace(docs[0], items=kept), docs[1]])

    with pytest.raises(InputError, match="was removed from its post-mortem"):
        close_item(engine, None, ids[RUNBOOK])


def test_a_local_close_survives_a_reimport_of_the_unchecked_item(
    engine: Engine, clock: FakeClock
) -> None:
    ids = build_store(engine, link=False)
    clock.time = NOW
    assert close_item(engine, None, ids[ALERT]).outcome == "local"

    docs = postmortems()
    with session_scope(engine) as session:
        import_all(session, [replace(docs[0], source="# Queue outage (v2)\n"), docs[1]])

    assert item(engine, ids[ALERT]).status == "done"
