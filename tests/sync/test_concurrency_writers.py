"""Store writers outside store.retry's edits lose nobody's update when another writes meanwhile.

Each test runs the other writer at the worst moment of the one under test, through a
hook on what that one calls between its read and its write (a converge that listed
GitHub before a close was stored, a filing run whose item a TUI edits during the
create...), each writer on an engine of its own, as separate processes would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from followup.github import GitHub
from followup.github.issue_mapping import (
    NewIssue,
    RemoteIssue,
    item_marker,
    remote_issue_from_rest,
)
from followup.github.issues import get_issue
from followup.github.protection_mapping import Effective
from followup.policy import DUE_EDITED, DUE_POLICY, DuePolicy
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PendingEditRow, Status
from followup.store.protection import protection_of
from followup.sync import drift, filing_tracking, reconcile
from followup.sync.edit_fields import (
    FIELD_STATE,
    apply_local,
    owner_change,
    priority_change,
    snapshot,
    status_change,
    store_answer,
)
from followup.sync.edits import CloseReason, close_item, reopen_item, set_due, set_priority
from followup.sync.filing import FilingReport, file_items
from followup.sync.importing import import_files
from followup.sync.links import apply_issue
from followup.sync.policy_mirror import queue_policy_dates
from followup.sync.polling import sync_all
from followup.sync.progress import Level, SilentProgress
from followup.sync.protect_plan import ProtectionPlan
from followup.sync.protect_record import record_intent, record_result
from followup.sync.protect_write import Written
from followup.sync.run_control import RunControl
from tests.fakegithub import LOOPBACK, FakeGitHub
from tests.faults import racing, scenarios
from tests.sync import mirror_world
from tests.sync.world import (
    CHANGED_AT,
    LATER_AT,
    NOW,
    PROTECT,
    QUEUE,
    RUNBOOK,
    SCRATCH,
    FakeClock,
    fake_clock,
    filed_store,
    rest_issue,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    return fake_clock(monkeypatch)


def item_row(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        found = session.get(ItemRow, item_id)
        assert found is not None
        return found


def issue_row(engine: Engine, issue_id: int | None) -> IssueRow:
    with session_scope(engine) as session:
        found = session.get(IssueRow, issue_id)
        assert found is not None
        return found


# -- converging and rebuilding: GitHub's list is read before the store is


def _converge(session: Session, repo: str) -> None:
    changes = Changes(source="github")
    _, _, relinked = reconcile.converge_repo(
        session, cast(GitHub, None), RunControl(), repo, changes
    )
    assert relinked == []  # the item was linked already
    changes.flush(session)


def _rebuild(session: Session, repo: str) -> None:
    reconcile.reconcile_repo(session, cast(GitHub, None), repo)


@pytest.mark.parametrize("step", [_converge, _rebuild], ids=["converge", "rebuild"])
def test_a_close_stored_after_the_list_was_read_is_not_undone(
    engine: Engine,
    other: Engine,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    step: Callable[[Session, str], None],
) -> None:
    """The sync's converge (or `sync --rebuild`, or filing's look before creating) listed
    #13 open as of 09:15; a CLI close then stored GitHub's answer, closed at 09:40. The
    list must not reopen the item nor write its older view over the stored answer."""
    ids = filed_store(engine, clock)
    item_id = ids[RUNBOOK]
    listed = remote_issue_from_rest(
        rest_issue(RUNBOOK, item_id=item_id, postmortem=QUEUE, updated_at=CHANGED_AT)
    )
    answer = remote_issue_from_rest(
        rest_issue(
            RUNBOOK,
            item_id=item_id,
            postmortem=QUEUE,
            state="closed",
            state_reason="completed",
            updated_at=LATER_AT,
            closed_at=LATER_AT,
        )
    )

    def listing(_client: GitHub, repo: str) -> list[RemoteIssue]:
        # The close is pushed and its answer stored right after GitHub listed the issue.
        snap = snapshot(other, item_id)
        store_answer(other, snap, FIELD_STATE, answer, status_change(Status.DONE))
        return [listed]

    monkeypatch.setattr(reconcile, "fetch_followup_issues", listing)
    with session_scope(engine) as session:
        step(session, SCRATCH)

    after = item_row(engine, item_id)
    assert after.status == Status.DONE.value
    stored = issue_row(engine, after.issue_id)
    assert (stored.state, stored.updated_at, stored.closed_at) == (
        "closed",
        answer.updated_at,
        answer.closed_at,
    )


# -- filing: a person edits an item while a run files it (a stateful fake GitHub)


def _file(engine: Engine, fake: FakeGitHub) -> FilingReport:
    return file_items(engine, fake.client("A"), default_repo=racing.REPO, progress=SilentProgress())


def _filing_store(engine: Engine, tmp_path: Path) -> list[str]:
    path = racing.write_postmortem(tmp_path, 2)
    import_files(engine, [path], default_repo=racing.REPO)
    with session_scope(engine) as session:
        rows = session.exec(select(ItemRow).order_by(col(ItemRow.position))).all()
        return [row.id for row in rows]


# When the person's edit lands: after the run chose its items (as it reads the labels),
# and after it decided to create the first one (as it checks the assignee).
CLOSE_MOMENTS = ["GET labels", "GET assignee"]


@LOOPBACK
@pytest.mark.parametrize("moment", CLOSE_MOMENTS, ids=["chosen", "decided"])
def test_an_item_closed_while_a_run_files_it_is_not_filed(
    engine: Engine, other: Engine, tmp_path: Path, moment: str
) -> None:
    first, second = _filing_store(engine, tmp_path)
    with FakeGitHub() as fake:
        racing.arrange(fake)

        def close(_fake: FakeGitHub) -> None:
            close_item(other, None, first)

        fake.when(moment, close)
        report = _file(engine, fake)
        titles = [issue["title"] for issue in fake.all_issues(racing.REPO)]

    outcome = {o.item_id: o for o in report.items}
    assert (outcome[first].outcome, outcome[second].outcome) == ("skipped", "created")
    assert not report.failed
    assert titles == [item_row(engine, second).title]
    closed = item_row(engine, first)
    assert (closed.status, closed.issue_id, closed.filing_intent_at) == ("done", None, None)


@LOOPBACK
def test_an_item_edited_while_its_issue_is_created_is_linked_and_keeps_the_edit(
    engine: Engine, other: Engine, tmp_path: Path
) -> None:
    first, _ = _filing_store(engine, tmp_path)
    with FakeGitHub() as fake:
        racing.arrange(fake)

        def edit(_fake: FakeGitHub) -> None:
            # GitHub has created the issue; its answer is on the way when the edit lands.
            set_priority(other, None, first, "P0")

        fake.when("POST issues", edit)
        report = _file(engine, fake)
        numbers = [issue["number"] for issue in fake.all_issues(racing.REPO)]

    assert [o.outcome for o in report.items] == ["created", "created"]
    assert len(numbers) == 2
    edited = item_row(engine, first)
    assert edited.priority == "P0"
    assert (edited.status, edited.filing_intent_at) == ("filed", None)
    linked = issue_row(engine, edited.issue_id)
    assert report.items[0].issue == f"{racing.REPO}#{linked.number}"


@LOOPBACK
def test_an_item_edited_after_its_create_is_settled_and_keeps_the_edit(
    engine: Engine, other: Engine, tmp_path: Path
) -> None:
    """The first item's issue is created and stored; a person edits that item while the
    run creates the second one, before the run converges and clears the items' intents."""
    first, _ = _filing_store(engine, tmp_path)
    with FakeGitHub() as fake:
        racing.arrange(fake)

        def edit_first(_fake: FakeGitHub) -> None:
            fake.when("POST issues", lambda _fake: apply_local(other, first, owner_change("kim")))

        fake.when("POST issues", edit_first)
        report = _file(engine, fake)

    assert [o.outcome for o in report.items] == ["created", "created"]
    assert not report.failed
    edited = item_row(engine, first)
    assert (edited.owner, edited.status, edited.filing_intent_at) == ("kim", "filed", None)
    assert edited.issue_id is not None


class _Watched(SilentProgress):
    """A run's progress that tells when the run waits for another one's lock."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def note(self, level: Level, message: str) -> None:
        super().note(level, message)
        if "waiting for it" in message:
            self.waiting.set()


@LOOPBACK
def test_two_runs_filing_a_tracking_issue_at_once_file_it_once(
    engine: Engine, other: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run A is about to create the post-mortem's tracking issue when run B, on the same
    store, comes to the same step: B waits for A and finds A's issue, rather than list,
    find none and create a second one."""
    _filing_store(engine, tmp_path)
    create = filing_tracking.create_issue  # type: ignore[attr-defined]
    b_progress = _Watched()
    b_reports: list[FilingReport] = []

    with FakeGitHub() as fake:
        racing.arrange(fake)
        a_client = fake.client("A")

        def run_b() -> None:
            b_reports.append(
                file_items(
                    other,
                    fake.client("B"),
                    default_repo=racing.REPO,
                    tracking_issue=True,
                    progress=b_progress,
                )
            )

        b = threading.Thread(target=run_b)

        def create_a(client: GitHub, repo: str, new: NewIssue) -> RemoteIssue:
            if (
                client is a_client
                and new.title.startswith("Post-mortem follow-ups")
                and not b.is_alive()
            ):
                # B runs to its tracking step now: it ends, or waits for A.
                b.start()
                while b.is_alive() and not b_progress.waiting.wait(0.05):
                    pass
            return create(client, repo, new)

        monkeypatch.setattr(filing_tracking, "create_issue", create_a)
        a_report = file_items(
            engine,
            a_client,
            default_repo=racing.REPO,
            tracking_issue=True,
            progress=SilentProgress(),
        )
        b.join(timeout=60)
        tracking = [i for i in fake.all_issues(racing.REPO) if i["title"].startswith("Post-mortem")]

    assert b_progress.waiting.is_set()
    assert [t.outcome for t in a_report.tracking] == ["created"]
    assert [t.outcome for t in b_reports[0].tracking] == ["unchanged"]
    assert len(tracking) == 1


# -- a sync queues the Due lines of dates the policy set


def _first_write(engine: Engine, action: Callable[[], object]) -> list[str]:
    """Run action once, right before the engine's first write (it has read by then)."""
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            seen.append(statement)
            if len(seen) == 1:
                action()

    event.listen(engine, "before_cursor_execute", before)
    return seen


def test_a_due_date_edited_while_a_sync_queues_the_policys_is_the_one_kept(
    engine: Engine, other: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync read RUNBOOK dated by the policy and no edit waiting; a TUI then set its
    due date (and queued it for GitHub). The sync must not queue the policy's line beside
    it: the push of that one would overrule the person's date."""
    clock = fake_clock(monkeypatch)
    ids = mirror_world.build_store(engine)
    clock.time = NOW
    item_id = ids[RUNBOOK]
    set_priority(engine, None, item_id, "P0", policy=DuePolicy())
    with session_scope(engine) as session:
        for row in session.exec(select(PendingEditRow)):
            session.delete(row)
    assert item_row(engine, item_id).due_source == DUE_POLICY

    writes = _first_write(engine, lambda: set_due(other, None, item_id, date(2027, 1, 4)))
    queued = queue_policy_dates(engine)

    assert writes  # the sync got as far as writing
    with session_scope(engine) as session:
        waiting = [(e.item_id, e.field, e.value) for e in session.exec(select(PendingEditRow))]
    assert waiting == [(item_id, "due", "2027-01-04")]
    assert queued == 0
    after = item_row(engine, item_id)
    assert (after.due, after.due_source) == (date(2027, 1, 4), DUE_EDITED)


# -- a sync verifies the protection followup applied


@pytest.mark.parametrize("reason", ["not_planned", None], ids=["closed", "reopened"])
def test_a_status_set_while_a_sync_verifies_protection_is_kept(
    engine: Engine,
    other: Engine,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    reason: CloseReason | None,
) -> None:
    """The sync chose the done protection item to verify; a person then closed it as not
    planned (or reopened it, to protect again) before the sync, having read the branch
    unprotected, wrote its verdict. The verdict is about a done item: it does not land
    on the person's status."""
    ids = filed_store(engine, clock)
    item_id = ids[PROTECT]
    wanted = "wont_do" if reason else "open"

    def unprotected(_client: GitHub, _key: drift.ReadKey, _etag: str | None = None) -> drift._Read:
        if reason:
            close_item(other, None, item_id, reason=reason)
        else:
            reopen_item(other, None, item_id)
        assert item_row(other, item_id).status == wanted
        return drift._Read(Effective(), gone="gh-pages is no longer protected")

    monkeypatch.setattr(drift, "_read_live", unprotected)
    report = drift.verify_protection(engine, GitHub("test-token-not-real"))

    after = item_row(engine, item_id)
    assert (after.status, after.status_reason) == (wanted, None)
    assert report.count("regressed") == 0


# -- a protect run records what it wrote


def test_a_protect_run_records_its_result_on_an_item_edited_meanwhile(
    engine: Engine, other: Engine
) -> None:
    """The run wrote the branch and comes to record it; a person gives the item a priority
    between the run's read of the item and its write. Both are kept, and the run does
    not end with its write to GitHub unrecorded."""
    item_id = "cls0001"
    scenarios.add_item(engine, "main", {"allow_deletions": False}, item_id=item_id)
    plan = ProtectionPlan(
        item_id=item_id,
        title="Protect main",
        status="open",
        repo=scenarios.REPO,
        branch="main",
        requested={"allow_deletions": False},
        method="classic",
    )
    record_intent(engine, plan, None)
    writes = _first_write(engine, lambda: set_priority(other, None, item_id, "P0"))

    result = record_result(engine, plan, Written())

    assert writes
    assert (result.outcome, result.message) == ("already", "already in effect")
    after = item_row(engine, item_id)
    assert (after.status, after.priority) == ("done", "P0")
    stored = protection_of(after)
    assert stored is not None and stored.intent is None
    assert stored.applied is not None and stored.applied.verified


# -- a sync converges issues filed twice


@LOOPBACK
def test_an_item_edited_while_a_sync_converges_its_issues_is_moved_and_keeps_the_edit(
    engine: Engine, other: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run filed the item as #2 and was killed before converging; another store had
    filed #1. The sync closes #2 and moves the item to #1; a TUI gives the item a priority
    after the sync read it and before it wrote the move. The sync carries on (it does not
    end with an error) and both changes are kept."""
    first, _ = _filing_store(engine, tmp_path)
    title = item_row(engine, first).title
    marker = item_marker(first, racing.SLUG)
    labels = ("followup", f"postmortem:{racing.SLUG}")
    edited: list[str] = []

    def edit_first(
        session: Session, item: ItemRow, remote: RemoteIssue, changes: Changes, **how: Any
    ) -> IssueRow:
        # The sync has read the item and is about to move it to the kept issue.
        if not edited:
            apply_local(other, first, priority_change("P0"))
            edited.append(item.id)
        return apply_issue(session, item, remote, changes, **how)

    with FakeGitHub() as fake:
        kept = fake.add_issue(racing.REPO, title, marker, labels=labels)
        mine = fake.add_issue(racing.REPO, title, marker, labels=labels)
        with session_scope(engine) as session:
            item = session.get(ItemRow, first)
            assert item is not None
            remote = get_issue(fake.client(), racing.REPO, mine)
            apply_issue(session, item, remote, Changes(source="followup"), how="created")
        monkeypatch.setattr(reconcile, "apply_issue", edit_first)
        report = sync_all(engine, fake.client, concurrency=1, progress=SilentProgress())
        states = [fake.issue(racing.REPO, n)["state"] for n in (kept, mine)]

    assert edited == [first] and report.errors == (), report.errors
    assert states == ["open", "closed"]
    after = item_row(engine, first)
    assert issue_row(engine, after.issue_id).number == kept
    assert (after.priority, after.status) == ("P0", "filed")
