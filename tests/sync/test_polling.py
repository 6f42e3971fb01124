"""A sync brings GitHub's changes into the store, cheaply, and survives GitHub's failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import select

from followup.github import ClientOptions, GitHub
from followup.store import session_scope
from followup.store.models import (
    EventRow,
    IssueRow,
    ItemRow,
    PendingEditRow,
    RepoSyncRow,
    SyncRunRow,
)
from followup.store.queries import item_events
from followup.sync.edits import close_item, reassign_item
from followup.sync.polling import SyncReport, last_run, sync_all
from tests.sync.world import (
    ALERT,
    CLIENT,
    DOCS,
    LOADTEST,
    NOW,
    PIN,
    PROTECT,
    RUNBOOK,
    SCRATCH,
    FakeClock,
    build_store,
    fake_clock,
    filed_store,
)

Factory = Callable[[], GitHub]


@pytest.fixture
def factory(github_token: str) -> Factory:
    options = ClientOptions(write_interval=0, backoff=0, max_retries=1)
    return lambda: GitHub(github_token, options)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    return fake_clock(monkeypatch)


@pytest.fixture
def ids(engine: Engine, clock: FakeClock) -> dict[str, str]:
    return filed_store(engine, clock)


def remember(engine: Engine, repo: str, etag: str, since: datetime | None = None) -> None:
    """Store what a previous sync of the repository saw."""
    with session_scope(engine) as session:
        session.add(RepoSyncRow(repo=repo, etag=etag, since=since))


def sync(engine: Engine, factory: Factory, **options: Any) -> SyncReport:
    return sync_all(engine, factory, concurrency=1, **options)


def item(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        return row


def issue(engine: Engine, repo: str, number: int) -> IssueRow:
    with session_scope(engine) as session:
        return session.exec(
            select(IssueRow).where(IssueRow.repo == repo, IssueRow.number == number)
        ).one()


def history(engine: Engine, item_id: str) -> list[tuple[str, str | None, str | None, str]]:
    with session_scope(engine) as session:
        return [(e.field, e.old, e.new, e.source) for e in item_events(session, item_id)]


def event_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(EventRow)).all())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def writes(engine: Engine) -> Iterator[list[str]]:
    """Collect every INSERT, UPDATE and DELETE the store runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.vcr
def test_first_sync_reads_every_labelled_issue_and_stores_only_changes(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    events_before = event_count(engine)
    report = sync(engine, factory)

    assert report.ok
    assert [(r.repo, r.ok, r.issues_read) for r in report.repos] == [
        (DOCS, True, 1),
        (SCRATCH, True, 3),
    ]
    # The alert's issue was closed since filing; nothing else changed.
    assert [(c.item_id, c.field, c.old, c.new) for c in report.changes] == [
        (ids[ALERT], "status", "filed", "done")
    ]
    assert report.changes[0].at == at("2026-11-20T09:15:00+00:00")
    assert event_count(engine) == events_before + 1
    assert history(engine, ids[ALERT])[-1] == ("status", "filed", "done", "github")
    assert item(engine, ids[ALERT]).overrides == {"status": "github"}
    # Two lists and the protection read; each costs a point.
    assert (report.requests, report.points, report.not_modified) == (3, 3, 0)
    with session_scope(engine) as session:
        state = session.get(RepoSyncRow, SCRATCH)
        assert state is not None and state.etag == 'W/"scratch-1"' and state.error is None
        # The window stays open from the start: it holds less than a page.
        assert state.since is None
    run = last_run(engine)
    assert run is not None and run.finished_at is not None
    assert (run.changed, run.requests, run.error) == (1, 3, None)


@pytest.mark.vcr
def test_nothing_changed_costs_no_points_and_writes_nothing(
    engine: Engine, ids: dict[str, str], factory: Factory, writes: list[str]
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')
    writes.clear()

    report = sync(engine, factory)

    assert report.ok and report.changes == ()
    assert report.not_modified == 2
    # Only the protection read costs a point; both lists came back 304.
    assert (report.requests, report.points) == (3, 1)
    touched = [s for s in writes if "action_item" in s or "github_issue" in s or "event" in s]
    # The protection check records when it last saw the branch protected; nothing else.
    assert touched == ["UPDATE action_item SET verified_at=? WHERE action_item.id = ?"]


@pytest.mark.vcr
def test_closed_as_completed_makes_the_item_done_at_githubs_time(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    assert item(engine, ids[RUNBOOK]).status == "done"
    closed = [c for c in report.changes if c.field == "status"]
    assert [(c.item_id, c.new, c.at) for c in closed] == [
        (ids[RUNBOOK], "done", at("2026-11-20T09:15:00+00:00"))
    ]
    row = issue(engine, SCRATCH, 13)
    assert (row.state, row.state_reason) == ("closed", "completed")
    assert row.closed_at == at("2026-11-20T09:15:00+00:00")
    with session_scope(engine) as session:
        state = session.get(RepoSyncRow, SCRATCH)
        assert state is not None and state.etag == 'W/"scratch-2"'


@pytest.mark.vcr
def test_closed_as_not_planned_makes_the_item_wont_do(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    assert item(engine, ids[LOADTEST]).status == "wont_do"
    assert history(engine, ids[LOADTEST])[-1] == ("status", "filed", "wont_do", "github")
    assert len(report.changes) == 1


@pytest.mark.vcr
def test_a_reopened_issue_files_the_item_again_and_tells_its_closing_pull_request(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    with session_scope(engine) as session:
        row = session.get(IssueRow, item(engine, ids[ALERT]).issue_id)
        assert row is not None
        row.state, row.state_reason = "closed", "completed"
        row.closed_at = row.updated_at = at("2026-11-10T08:00:00+00:00")
        session.get(ItemRow, ids[ALERT]).status = "done"  # type: ignore[union-attr]
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    assert item(engine, ids[ALERT]).status == "filed"
    fields = {(c.field, c.old, c.new) for c in report.changes}
    assert ("status", "done", "filed") in fields
    # The list cannot say whether a pull request closes an open issue: one query can.
    assert ("pull_request", None, "open") in fields
    row = issue(engine, SCRATCH, 12)
    assert (row.state, row.state_reason, row.pull_request_state) == ("open", "reopened", "open")
    assert report.points == 3  # the changed list, the query, the protection read


@pytest.mark.vcr
def test_a_reassigned_issue_gives_the_item_its_first_assignee(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    runbook = item(engine, ids[RUNBOOK])
    assert runbook.owner == "dave"
    assert runbook.overrides == {"owner": "github"}
    changes = [(c.field, c.old, c.new) for c in report.changes if c.item_id == ids[RUNBOOK]]
    assert ("assignees", "bob", "dave, bob") in changes
    assert ("owner", "bob", "dave") in changes
    assert issue(engine, SCRATCH, 13).assignees == ["dave", "bob"]


@pytest.mark.vcr
def test_label_changes_are_recorded_and_a_removed_followup_label_is_noticed(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    changes = {(c.item_id, c.field, c.old, c.new) for c in report.changes}
    assert (
        ids[LOADTEST],
        "labels",
        "followup, postmortem:2026-11-01-queue-outage",
        "followup, postmortem:2026-11-01-queue-outage, priority:P1",
    ) in changes
    # The runbook's issue left the labelled list; asking GitHub by id says why.
    assert (
        ids[RUNBOOK],
        "labels",
        "followup, postmortem:2026-11-01-queue-outage",
        "postmortem:2026-11-01-queue-outage",
    ) in changes
    assert issue(engine, SCRATCH, 13).gone is None
    assert item(engine, ids[RUNBOOK]).status == "filed"


@pytest.mark.vcr
def test_deleted_and_hidden_issues_give_a_reason_and_a_transferred_one_is_followed(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')
    with session_scope(engine) as session:
        # Not read for two days: the daily sweep asks about it by id.
        pin = session.get(IssueRow, item(engine, ids[PIN]).issue_id)
        assert pin is not None
        pin.synced_at = NOW - timedelta(days=2)

    report = sync(engine, factory)

    assert report.ok
    assert issue(engine, SCRATCH, 12).gone == "deleted"
    assert issue(engine, DOCS, 40).gone == "inaccessible"
    alert, loadtest, pin_item = (item(engine, ids[t]) for t in (ALERT, LOADTEST, PIN))
    # Their statuses stay; the reason says what happened.
    assert (alert.status, loadtest.status, pin_item.status) == ("filed", "filed", "filed")
    assert alert.status_reason == ("its issue octo-org/followup-scratch#12 was deleted on GitHub")
    assert pin_item.status_reason is not None and "cannot be read" in pin_item.status_reason
    assert history(engine, ids[ALERT])[-1] == ("issue", None, "deleted", "github")
    # The transferred issue is followed to its new place: same row, new repository and number.
    moved = issue(engine, "octo-org/archive", 3)
    assert moved.id == loadtest.issue_id and moved.gone is None
    assert loadtest.status_reason is None
    link = ("link", "octo-org/followup-scratch#14", "octo-org/archive#3", "github")
    assert link in history(engine, ids[LOADTEST])


@pytest.mark.vcr
def test_a_502_on_one_repository_does_not_stop_the_others(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    assert not report.ok
    failed = report.failed_repos
    assert [r.repo for r in failed] == [SCRATCH]
    assert failed[0].reason == (
        "GitHub answered 502 to GET /repos/octo-org/followup-scratch/issues"
    )
    assert item(engine, ids[PIN]).status == "done"
    with session_scope(engine) as session:
        state = session.get(RepoSyncRow, SCRATCH)
        assert state is not None
        assert state.etag == 'W/"scratch-1"'  # kept for the next try
        assert state.error is not None and "502" in state.error
        runs = session.exec(select(SyncRunRow)).all()
    assert runs[-1].error is not None and "octo-org/followup-scratch" in runs[-1].error


@pytest.mark.vcr
def test_a_refused_token_stops_the_run_like_a_used_up_rate_limit(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    report = sync(engine, factory)

    assert not report.ok and report.rate_limited_until is None and not report.cancelled
    outcomes = {r.repo: r.reason for r in report.repos}
    assert "401" in str(outcomes[DOCS]) and "token" in str(outcomes[DOCS])
    # The same token would be refused everywhere: nothing more is asked (the cassette
    # holds nothing more), and the reason is said once.
    assert outcomes[SCRATCH] == "not polled: the sync stopped"
    assert report.protection is None and report.errors == ()
    assert report.summary_error() is not None and "401" in report.summary_error()  # type: ignore[operator]


@pytest.mark.vcr
def test_an_exhausted_rate_limit_stops_the_run_and_keeps_what_was_read(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')

    report = sync(engine, factory)

    assert report.rate_limited_until == datetime(2027, 1, 1, tzinfo=UTC)
    assert not report.ok
    # docs' first page was read and stored before the limit ran out on its second.
    assert item(engine, ids[PIN]).status == "done"
    outcomes = {r.repo: r.reason for r in report.repos}
    assert "rate limit" in str(outcomes[DOCS])
    assert outcomes[SCRATCH] == "not polled: the sync stopped"
    # Nothing else was asked: no protection read, no query (the cassette holds none).
    assert report.protection is None
    with session_scope(engine) as session:
        state = session.get(RepoSyncRow, DOCS)
        assert state is not None and state.etag is None  # the next sync reads it again


@pytest.mark.vcr
def test_pages_are_followed_and_a_full_window_moves_up(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, DOCS, 'W/"docs-1"')

    first = sync(engine, factory)

    scratch = next(r for r in first.repos if r.repo == SCRATCH)
    # 100 issues over two pages, then the moved window's first page.
    assert scratch.requests == 3 and scratch.issues_read == 100
    assert item(engine, ids[LOADTEST]).status == "done"
    with session_scope(engine) as session:
        state = session.get(RepoSyncRow, SCRATCH)
        assert state is not None
        assert state.since == at("2026-11-20T09:40:00+00:00")
        assert state.etag == 'W/"scratch-window"'

    second = sync(engine, factory)

    assert second.not_modified == 2
    assert second.changes == ()


@pytest.mark.vcr
def test_local_edits_are_pushed_and_githubs_own_change_wins(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    assert close_item(engine, None, ids[ALERT]).outcome == "queued"
    assert reassign_item(engine, None, ids[RUNBOOK], "dave").outcome == "queued"
    assert close_item(engine, None, ids[LOADTEST], reason="not_planned").outcome == "queued"
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    outcomes = {(e.item_id, e.outcome) for e in report.edits}
    assert outcomes == {
        (ids[ALERT], "pushed"),
        (ids[RUNBOOK], "pushed"),
        (ids[LOADTEST], "dropped"),
    }
    dropped = report.dropped_edits[0]
    assert "GitHub changed the status of octo-org/followup-scratch#14 too" in dropped.message
    assert "closed (completed)" in dropped.message
    # GitHub's close as completed wins over the local close as not planned.
    assert item(engine, ids[LOADTEST]).status == "done"
    assert item(engine, ids[ALERT]).status == "done"
    assert history(engine, ids[ALERT])[-1][3] == "user"
    assert issue(engine, SCRATCH, 12).state == "closed"
    assert item(engine, ids[RUNBOOK]).owner == "dave"
    assert issue(engine, SCRATCH, 13).assignees == ["dave"]
    with session_scope(engine) as session:
        assert session.exec(select(PendingEditRow)).all() == []


@pytest.mark.vcr
def test_rebuild_restores_the_links_of_a_lost_store(
    engine: Engine, factory: Factory, clock: FakeClock
) -> None:
    ids = build_store(engine, link=False)
    clock.time = NOW

    report = sync(engine, factory, rebuild_repo=SCRATCH)

    assert report.ok, report.summary_error()
    assert report.rebuild is not None and len(report.rebuild.matches) == 3
    for title, number in ((ALERT, 12), (RUNBOOK, 13), (LOADTEST, 14)):
        linked = item(engine, ids[title])
        assert linked.issue_id == issue(engine, SCRATCH, number).id
    assert {c.field for c in report.changes} == {"link", "status"}
    # Only the rebuilt repository is polled, and its watermark is stored.
    assert [r.repo for r in report.repos] == [SCRATCH]
    with session_scope(engine) as session:
        state = session.get(RepoSyncRow, SCRATCH)
        assert state is not None and state.etag == 'W/"scratch-1"'


@pytest.mark.vcr
def test_protection_drift_is_reported_as_a_change(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    report = sync(engine, factory)

    assert report.protection is not None
    assert report.protection.count("regressed") == 1
    assert [(c.item_id, c.field, c.old, c.new) for c in report.changes] == [
        (ids[PROTECT], "status", "done", "regressed")
    ]
    assert item(engine, ids[PROTECT]).status == "regressed"


@pytest.mark.vcr
def test_unlabelled_issues_are_read_by_id_once_they_are_stale(
    engine: Engine, ids: dict[str, str], factory: Factory
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')

    fresh = sync(engine, factory)
    assert fresh.checked_by_id == 0  # read at filing, minutes ago: no query

    with session_scope(engine) as session:
        row = session.get(IssueRow, item(engine, ids[CLIENT]).issue_id)
        assert row is not None
        row.synced_at = NOW - timedelta(hours=1)

    stale = sync(engine, factory)

    assert stale.checked_by_id == 1
    assert item(engine, ids[CLIENT]).status == "done"
    assert stale.points == 2  # the query and the protection read; both lists were 304


@pytest.mark.vcr
def test_full_reads_every_linked_issue_by_id_in_one_query(
    engine: Engine, ids: dict[str, str], factory: Factory, writes: list[str]
) -> None:
    remember(engine, SCRATCH, 'W/"scratch-1"')
    remember(engine, DOCS, 'W/"docs-1"')
    writes.clear()

    report = sync(engine, factory, full=True)

    assert report.ok and report.changes == ()
    assert report.checked_by_id == 5
    assert (report.requests, report.points) == (4, 2)  # two 304s, one query, one read
    # Nothing changed, so only the time each issue was checked is written.
    touched = {s.split("=")[0] for s in writes if "github_issue" in s or "action_item" in s}
    assert touched == {"UPDATE github_issue SET synced_at", "UPDATE action_item SET verified_at"}
    assert not any("INSERT INTO event" in s for s in writes)
