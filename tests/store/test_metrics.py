"""The weekly review's numbers come from the items and their history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup import clock
from followup.durations import format_duration
from followup.errors import NotFoundError
from followup.postmortem.model import ActionItem, PostMortem
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.importer import import_all
from followup.store.metrics import (
    WeekCount,
    closed_per_week,
    dashboard,
    overdue_by_owner,
    postmortem_summary,
)
from followup.store.models import EventRow, ItemRow

TODAY = date(2024, 3, 20)  # a Wednesday
CREATED = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def pm(slug: str, *items: ActionItem, incident: date | None = None) -> PostMortem:
    return PostMortem(title=slug, slug=slug, source="# x\n", items=items, date=incident)


def item(
    title: str, owner: str | None = None, due: date | None = None, done: bool = False
) -> ActionItem:
    return ActionItem(title=title, line=1, owner=owner, due=due, done=done)


@pytest.fixture
def seeded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Import two post-mortems on CREATED and return item ids by title."""
    monkeypatch.setattr(clock, "now", lambda: CREATED)
    with session_scope(engine) as session:
        import_all(
            session,
            [
                pm(
                    "2024-02-28-db",
                    item("Add an index", owner="dana", due=date(2024, 3, 10)),
                    item("Page on replica lag", owner="dana", due=date(2024, 4, 1)),
                    item("Write the runbook", owner="lee", due=date(2024, 3, 15)),
                    item("Already fixed during the incident", owner="lee", done=True),
                    incident=date(2024, 2, 28),
                ),
                pm(
                    "2024-03-05-cdn",
                    item("Rotate the certificate", owner="sam"),
                    item("Nobody's task", due=date(2024, 3, 1)),
                    incident=date(2024, 3, 5),
                ),
            ],
        )
    with session_scope(engine) as session:
        return {row.title: row.id for row in session.exec(select(ItemRow))}


def set_status(engine: Engine, item_id: str, status: str, at: datetime) -> None:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        changes = Changes(source="user", at=at)
        changes.add(item_id, "status", row.status, status)
        row.status = status
        changes.flush(session)


def test_median_time_to_close_runs_from_creation_to_the_latest_closure(
    engine: Engine, seeded: dict[str, str]
) -> None:
    index, runbook, cert = (
        seeded["Add an index"],
        seeded["Write the runbook"],
        seeded["Rotate the certificate"],
    )
    set_status(engine, index, "done", CREATED + timedelta(days=2))
    # Closed, reopened, closed again: the time counts to the last closure.
    set_status(engine, runbook, "done", CREATED + timedelta(days=1))
    set_status(engine, runbook, "open", CREATED + timedelta(days=3))
    set_status(engine, runbook, "wont_do", CREATED + timedelta(days=6))
    set_status(engine, cert, "done", CREATED + timedelta(days=10))
    with session_scope(engine) as session:
        board = dashboard(session, today=TODAY)
    # Times are 2, 6 and 10 days; the item imported as done is not a closure.
    assert board.closed_items == 3
    assert board.median_time_to_close == timedelta(days=6)


def test_a_reopened_item_no_longer_counts_toward_time_to_close(
    engine: Engine, seeded: dict[str, str]
) -> None:
    index = seeded["Add an index"]
    set_status(engine, index, "done", CREATED + timedelta(days=2))
    set_status(engine, index, "regressed", CREATED + timedelta(days=4))
    with session_scope(engine) as session:
        board = dashboard(session, today=TODAY)
    assert board.closed_items == 0
    assert board.median_time_to_close is None


def test_closures_are_counted_per_week_ending_with_this_week(
    engine: Engine, seeded: dict[str, str]
) -> None:
    set_status(engine, seeded["Add an index"], "done", datetime(2024, 3, 18, 12, tzinfo=UTC))
    set_status(engine, seeded["Write the runbook"], "done", datetime(2024, 3, 20, tzinfo=UTC))
    set_status(
        engine, seeded["Rotate the certificate"], "wont_do", datetime(2024, 3, 6, tzinfo=UTC)
    )
    # Moving between two closed statuses is not another closure.
    set_status(engine, seeded["Write the runbook"], "wont_do", datetime(2024, 3, 20, 1, tzinfo=UTC))
    # Far outside the window: dropped.
    set_status(engine, seeded["Nobody's task"], "done", datetime(2023, 1, 2, tzinfo=UTC))
    with session_scope(engine) as session:
        weeks = dashboard(session, today=TODAY, weeks=3).closed_per_week
    assert weeks == [
        WeekCount(date(2024, 3, 4), 1),
        WeekCount(date(2024, 3, 11), 0),
        WeekCount(date(2024, 3, 18), 2),
    ]


def test_closed_per_week_ignores_items_imported_as_done() -> None:
    born_done = EventRow(
        item_id="a",
        at=datetime(2024, 3, 19),
        field="status",
        old=None,
        new="done",
        source="document",
    )
    assert closed_per_week([born_done], today=TODAY, weeks=1) == [WeekCount(date(2024, 3, 18), 0)]


def test_overdue_is_counted_per_owner_most_overdue_first(
    engine: Engine, seeded: dict[str, str]
) -> None:
    set_status(engine, seeded["Write the runbook"], "in_progress", CREATED)
    with session_scope(engine) as session:
        loads = overdue_by_owner(session, today=TODAY)
    as_tuples = [(o.owner, o.outstanding, o.overdue) for o in loads]
    # lee's done item is not outstanding; the unowned item is overdue too.
    assert as_tuples == [("dana", 2, 1), ("lee", 1, 1), (None, 1, 1), ("sam", 1, 0)]


def test_a_postmortem_summary_counts_its_items_and_the_time_so_far(
    engine: Engine, seeded: dict[str, str]
) -> None:
    set_status(engine, seeded["Add an index"], "done", CREATED + timedelta(days=4))
    with session_scope(engine) as session:
        summary = postmortem_summary(session, "2024-02-28-db", today=TODAY)
    assert (summary.total, summary.done, summary.outstanding, summary.overdue) == (4, 2, 2, 1)
    assert summary.median_time_to_close == timedelta(days=4)
    assert summary.elapsed == timedelta(days=(TODAY - date(2024, 2, 28)).days)
    assert not summary.finished


def test_a_finished_postmortem_took_until_its_last_closure(
    engine: Engine, seeded: dict[str, str]
) -> None:
    set_status(engine, seeded["Rotate the certificate"], "done", datetime(2024, 3, 8, tzinfo=UTC))
    set_status(engine, seeded["Nobody's task"], "wont_do", datetime(2024, 3, 12, tzinfo=UTC))
    with session_scope(engine) as session:
        summary = postmortem_summary(session, "2024-03-05-cdn", today=TODAY)
    assert summary.finished
    assert summary.elapsed == timedelta(days=7)
    assert summary.median_time_to_close == timedelta(days=8, hours=15)


def test_a_summary_of_an_unknown_postmortem_says_so(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(NotFoundError, match="no post-mortem"):
        postmortem_summary(session, "nope", today=TODAY)


def test_the_dashboard_totals_add_up(engine: Engine, seeded: dict[str, str]) -> None:
    with session_scope(engine) as session:
        board = dashboard(session, today=TODAY)
    assert [p.slug for p in board.postmortems] == ["2024-03-05-cdn", "2024-02-28-db"]
    assert (board.total, board.done, board.overdue) == (6, 1, 3)
    assert board.completion == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=42), "42 minutes"),
        (timedelta(hours=5, minutes=10), "5 hours"),
        (timedelta(days=3, hours=12), "3.5 days"),
        (timedelta(days=45, hours=2), "45 days"),
    ],
)
def test_durations_read_like_a_person_would_say_them(value: timedelta | None, text: str) -> None:
    assert format_duration(value) == text
