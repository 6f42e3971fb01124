"""Writers sharing one store lose none of each other's updates: real connections, racing.

Each writer runs in a thread with an engine (a connection pool) of its own, as separate
processes would. A gate holds every writer at its first write of an item until all of
them have read it, so each test forces the worst interleaving rather than hoping for it:
every writer read the item before any wrote it. Without the item's version check the
later commits silently overwrite the earlier ones and these tests fail. Where one moment
is the worst (another writer commits between two reads of one transaction), a hook runs
the other writer right there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from sqlmodel import Session as StoreSession
from sqlmodel import select

from followup.github import ClientOptions, GitHub
from followup.github.issue_mapping import remote_issue_from_rest
from followup.policy import DuePolicy
from followup.store import create_store_engine, session_scope
from followup.store.db import ConcurrentUpdate
from followup.store.models import IssueRow, ItemRow, PendingEditRow, RepoSyncRow
from followup.store.queries import item_events
from followup.sync import polling
from followup.sync.edit_fields import apply_local, due_change, priority_change
from followup.sync.edits import close_item, reassign_item, set_due, set_priority
from followup.sync.issue_state import IssueUpdates, items_by_issue
from followup.sync.policy import refresh_deadlines
from followup.sync.polling import sync_all
from tests.sync.world import (
    ALERT,
    CHANGED_AT,
    DOCS,
    LATER_AT,
    RUNBOOK,
    SCRATCH,
    FakeClock,
    build_store,
    fake_clock,
    filed_store,
    rest_issue,
)


@dataclass
class Race:
    """Start writers together and hold each at its first item write until all have read."""

    parties: int
    barrier: threading.Barrier = field(init=False)
    local: threading.local = field(default_factory=threading.local)
    errors: list[BaseException] = field(default_factory=list)
    gated: int = 0

    def __post_init__(self) -> None:
        self.barrier = threading.Barrier(self.parties, timeout=60)

    def _gate(self, session: Session, *_: Any) -> None:
        if not getattr(self.local, "armed", False):
            return
        if not any(isinstance(row, ItemRow) for row in session.dirty):
            return
        self.local.armed = False
        self.gated += 1
        self.barrier.wait()

    def run(self, *writers: Callable[[], object]) -> list[object]:
        """Run the writers, one thread each; return what each returned."""
        assert len(writers) == self.parties
        results: list[object] = [None] * len(writers)

        def start(index: int, writer: Callable[[], object]) -> None:
            self.local.armed = True
            try:
                results[index] = writer()
            except BaseException as exc:
                self.errors.append(exc)
                self.barrier.abort()

        event.listen(Session, "before_flush", self._gate)
        try:
            threads = [threading.Thread(target=start, args=(i, w)) for i, w in enumerate(writers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        finally:
            event.remove(Session, "before_flush", self._gate)
        if self.errors:
            raise self.errors[0]
        # Every writer reached its write having read first: the race really happened.
        assert self.gated == self.parties
        return results


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    return fake_clock(monkeypatch)


@pytest.fixture
def engines(db_url: str, engine: Engine) -> Iterator[Callable[[], Engine]]:
    """Return a maker of further engines on the test's store, one per writer."""
    made: list[Engine] = []

    def make() -> Engine:
        made.append(create_store_engine(db_url))
        return made[-1]

    yield make
    for eng in made:
        eng.dispose()


def row(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        found = session.get(ItemRow, item_id)
        assert found is not None
        return found


def fields_changed(engine: Engine, item_id: str) -> list[tuple[str, str | None, str]]:
    with session_scope(engine) as session:
        return [(e.field, e.new, e.source) for e in item_events(session, item_id)]


def test_two_editors_of_one_item_both_keep_their_change(
    engine: Engine, engines: Callable[[], Engine], clock: FakeClock
) -> None:
    ids = build_store(engine, link=False)
    item_id = ids[ALERT]
    first, second = engines(), engines()

    Race(2).run(
        lambda: close_item(first, None, item_id),
        lambda: reassign_item(second, None, item_id, "kim"),
    )

    after = row(engine, item_id)
    assert (after.status, after.owner) == ("done", "kim")
    assert after.overrides == {"status": "user", "owner": "user"}
    assert after.version == 3  # imported, then one update by each writer
    changed = fields_changed(engine, item_id)
    assert ("status", "done", "user") in changed
    assert ("owner", "kim", "user") in changed


def test_two_editors_of_one_field_are_applied_one_after_the_other(
    engine: Engine, engines: Callable[[], Engine], clock: FakeClock
) -> None:
    ids = build_store(engine, link=False)
    item_id = ids[ALERT]
    before = row(engine, item_id).priority
    first, second = engines(), engines()

    results = Race(2).run(
        lambda: set_priority(first, None, item_id, "P0"),
        lambda: set_priority(second, None, item_id, "P3"),
    )

    # The second writer saw the first one's value: its event starts from it.
    final = row(engine, item_id).priority
    other = "P3" if final == "P0" else "P0"
    with session_scope(engine) as session:
        history = [(e.old, e.new) for e in item_events(session, item_id) if e.field == "priority"]
    assert final in ("P0", "P3") and history[-2:] == [(before, other), (other, final)]
    assert all(getattr(r, "outcome", None) == "local" for r in results)


def polled_before(engine: Engine) -> None:
    """Give the store the ETags of an earlier poll of both repositories."""
    with session_scope(engine) as session:
        session.add(RepoSyncRow(repo=SCRATCH, etag='W/"scratch-1"'))
        session.add(RepoSyncRow(repo=DOCS, etag='W/"docs-1"'))


@pytest.mark.vcr
def test_a_sync_a_cli_close_and_two_tuis_on_one_item_lose_nothing(
    engine: Engine,
    engines: Callable[[], Engine],
    clock: FakeClock,
    github_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GitHub reassigned #13 (the sync applies it) while the item is closed from the CLI
    (PATCH, answered with the issue closed and reassigned) and given a priority and a due
    date in two TUIs (their store half: what they send GitHub waits for a later sync)."""
    ids = filed_store(engine, clock)
    # vcrpy's replay is not thread-safe (a request played while another thread's was being
    # matched sometimes went past the cassette): the HTTP exchanges take turns, the store
    # writes still race.
    replay = threading.Lock()
    exchange = GitHub._exchange

    def one_at_a_time(self: GitHub, *args: Any, **kwargs: Any) -> Any:
        with replay:
            return exchange(self, *args, **kwargs)

    monkeypatch.setattr(GitHub, "_exchange", one_at_a_time)
    polled_before(engine)
    item_id = ids[RUNBOOK]
    options = ClientOptions(write_interval=0, backoff=0, max_retries=1)
    syncer, closer, tui_a, tui_b = engines(), engines(), engines(), engines()

    report, closed, *_ = Race(4).run(
        lambda: sync_all(syncer, lambda: GitHub(github_token, options), concurrency=1),
        lambda: close_item(closer, GitHub(github_token, options), item_id),
        lambda: apply_local(tui_a, item_id, priority_change("P0")),
        lambda: apply_local(tui_b, item_id, due_change(date(2026, 12, 1))),
    )

    after = row(engine, item_id)
    assert getattr(closed, "outcome", None) == "pushed", closed
    assert getattr(report, "ok", False)
    assert after.status == "done"
    assert after.owner == "dave"  # GitHub's first assignee, from the sync or the answer
    assert (after.priority, after.due) == ("P0", date(2026, 12, 1))
    # The owner came from GitHub either way: in the sync's poll or in the close's answer.
    assert after.overrides.pop("owner") in ("github", "user")
    assert after.overrides == {
        "status": "user",
        "priority": "user",
        "due": "user",
        "due_text": "user",
    }
    changed = {(f, new) for f, new, _ in fields_changed(engine, item_id)}
    assert {("status", "done"), ("owner", "dave"), ("priority", "P0")} <= changed
    assert ("due", "2026-12-01") in changed
    with session_scope(engine) as session:
        assert session.exec(select(PendingEditRow)).all() == []


# The same exchanges as the race above: the poll, the close's PATCH, the check by id.
@pytest.mark.vcr
@pytest.mark.default_cassette("test_a_sync_a_cli_close_and_two_tuis_on_one_item_lose_nothing")
def test_a_close_stored_while_a_poll_reads_is_not_undone_by_the_sync(
    engine: Engine,
    engines: Callable[[], Engine],
    clock: FakeClock,
    github_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The poll read #13 (open as of 09:15), then the close stored GitHub's answer (closed
    at 09:40), then the poll read the issue's items and wrote: its older view must not
    land over the newer answer, and the sync's later check of #13 must not reopen it."""
    ids = filed_store(engine, clock)
    polled_before(engine)
    item_id = ids[RUNBOOK]
    options = ClientOptions(write_interval=0, backoff=0, max_retries=1)
    syncer, closer = engines(), engines()
    closed: list[object] = []
    read_items = items_by_issue

    def close_meanwhile(
        session: StoreSession, issue_ids: Sequence[int]
    ) -> dict[int, list[ItemRow]]:
        # Between the poll's read of the issue rows and its read of their items.
        if not closed:
            closed.append(close_item(closer, GitHub(github_token, options), item_id))
        return read_items(session, issue_ids)

    monkeypatch.setattr(polling, "items_by_issue", close_meanwhile)
    report = sync_all(syncer, lambda: GitHub(github_token, options), concurrency=1)

    assert [getattr(c, "outcome", None) for c in closed] == ["pushed"]
    assert report.ok, report
    after = row(engine, item_id)
    assert (after.status, after.owner) == ("done", "dave")
    with session_scope(engine) as session:
        issue = session.get(IssueRow, after.issue_id)
        assert issue is not None
        stored = (issue.state, issue.updated_at, issue.closed_at)
        statuses = [(e.new, e.source) for e in item_events(session, item_id) if e.field == "status"]
    closed_at = datetime(2026, 11, 20, 9, 40, tzinfo=UTC)
    assert stored == ("closed", closed_at, closed_at)
    assert statuses[-1] == ("done", "user")


def test_a_writer_that_keeps_losing_reports_it_and_saves_nothing(
    engine: Engine, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = build_store(engine, link=False)
    item_id = ids[ALERT]

    def bump(session: Session, *_: Any) -> None:
        # Another writer commits a change of the item just before each of ours.
        if any(isinstance(r, ItemRow) for r in session.dirty) and not bumping.is_set():
            bumping.set()
            with session_scope(engine) as other:
                found = other.get(ItemRow, item_id)
                assert found is not None
                found.text = f"{found.text}!"
            bumping.clear()

    bumping = threading.Event()
    event.listen(Session, "before_flush", bump)
    try:
        with pytest.raises(ConcurrentUpdate, match="try again"):
            set_priority(engine, None, item_id, "P0")
    finally:
        event.remove(Session, "before_flush", bump)
    after = row(engine, item_id)
    assert after.priority != "P0"
    assert after.version == 1 + 5  # five attempts, each beaten by the other writer


def test_an_edit_waits_for_a_writer_at_work_rather_than_failing(
    engine: Engine, engines: Callable[[], Engine], clock: FakeClock
) -> None:
    """Another followup holds a write of the item (an import, a sync) while an edit comes."""
    ids = build_store(engine, link=False)
    item_id = ids[ALERT]
    holder, editor = engines(), engines()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with session_scope(holder) as session:
            found = session.get(ItemRow, item_id)
            assert found is not None
            found.text = f"{found.text}!"
            session.flush()
            holding.set()
            release.wait(timeout=60)

    # The holder commits once the editor waits for it: on SQLite, for the lock (an edit
    # that has read cannot wait for it when it writes); on PostgreSQL, for the item's row.
    waits = "BEGIN IMMEDIATE" if editor.dialect.name == "sqlite" else "UPDATE ACTION_ITEM"

    def waiting(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(waits):
            release.set()

    event.listen(editor, "before_cursor_execute", waiting)
    other = threading.Thread(target=hold)
    other.start()
    try:
        assert holding.wait(timeout=60)
        result = set_priority(editor, None, item_id, "P0")
    finally:
        release.set()
        other.join(timeout=60)

    after = row(engine, item_id)
    assert result.outcome == "local"
    assert (after.priority, after.text.endswith("!"), after.version) == ("P0", True, 3)


def test_an_answer_older_than_the_stored_one_changes_nothing(
    engine: Engine, clock: FakeClock
) -> None:
    """A poll read before a close was pushed must not reopen the item after it."""
    ids = filed_store(engine, clock)
    item_id = ids[RUNBOOK]
    closed = rest_issue(
        RUNBOOK, state="closed", state_reason="completed", updated_at=LATER_AT, closed_at=LATER_AT
    )
    stale = rest_issue(RUNBOOK, assignees=["dave"], updated_at=CHANGED_AT)
    for answer in (closed, stale):
        with session_scope(engine) as session:
            item = session.get(ItemRow, item_id)
            assert item is not None and item.issue_id is not None
            issue = session.get(IssueRow, item.issue_id)
            assert issue is not None
            updates = IssueUpdates(session)
            updates.apply(issue, [item], remote_issue_from_rest(answer), touch=True)
            updates.flush()

    after = row(engine, item_id)
    assert (after.status, after.owner) == ("done", "bob")


def test_an_edit_of_a_due_date_beats_a_policy_worked_out_meanwhile(
    engine: Engine, engines: Callable[[], Engine], clock: FakeClock
) -> None:
    build_store(engine, link=False)
    with session_scope(engine) as session:
        undated = [
            i.id for i in session.exec(select(ItemRow)) if i.due is None and i.status != "removed"
        ]
    item_id = undated[0]
    worker, editor = engines(), engines()
    updates: list[str] = []

    def edit_first(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The policy has read the item undated; the edit commits before it writes.
        if statement.lstrip().upper().startswith("UPDATE ACTION_ITEM"):
            updates.append(statement)
            if len(updates) == 1:
                set_due(editor, None, item_id, date(2027, 1, 4))

    event.listen(worker, "before_cursor_execute", edit_first)
    refresh_deadlines(worker, DuePolicy(7, 28, 56, 90))

    after = row(engine, item_id)
    assert len(updates) >= 2  # the policy's write lost the race and ran again
    assert (after.due, after.due_source) == (date(2027, 1, 4), "edited")
    assert after.policy_due is not None  # the deadline itself is still worked out
