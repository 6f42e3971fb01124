"""An edit that lands while filing creates the item's issue reaches the issue.

Filing built the issue from the item, then a person edits the item (on an engine of its
own) while GitHub creates it. The run records the issue, keeps the edit, queues it for
the issue, and the next sync sends it; a close stays a close. The same when the issue
is known from a second look after the create's answer was lost, and when converging
moves the item to the issue another store filed first. Each test ends with what GitHub
holds once the next sync sent the edit (the fake keeps labels, assignees, bodies).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from followup.github.client import GitHub
from followup.github.issue_fields import body_due, priority_labels, priority_of
from followup.github.issue_mapping import NewIssue, RemoteIssue
from followup.github.issues import get_issue
from followup.store import session_scope
from followup.store.models import IssueRow, ItemRow, PendingEditRow
from followup.sync.candidates import candidates, new_issue
from followup.sync.edits import close_item, reassign_item, set_due, set_priority
from followup.sync.filing import file_items
from followup.sync.importing import import_files
from followup.sync.pending import push_pending
from followup.sync.progress import SilentProgress
from tests.fakegithub import LOOPBACK, Exchange, FakeGitHub
from tests.faults import racing


def _first_item(engine: Engine, tmp_path: Path) -> str:
    import_files(engine, [racing.write_postmortem(tmp_path, 1)], default_repo=racing.REPO)
    with session_scope(engine) as session:
        return session.exec(select(ItemRow.id).order_by(col(ItemRow.position))).one()


def _waiting(engine: Engine) -> list[tuple[str, str | None]]:
    with session_scope(engine) as session:
        return [(e.field, e.value) for e in session.exec(select(PendingEditRow))]


def _item_and_number(engine: Engine, item_id: str) -> tuple[ItemRow, int]:
    with session_scope(engine) as session:
        item = session.get(ItemRow, item_id)
        assert item is not None
        issue = session.get(IssueRow, item.issue_id)
        assert issue is not None
        return item, issue.number


EDITS: dict[str, tuple[Callable[[Engine, str], object], str, str | None]] = {
    "priority": (lambda e, i: set_priority(e, None, i, "P0"), "priority", "P0"),
    "owner": (lambda e, i: reassign_item(e, None, i, "kim"), "assignee", "kim"),
    "due": (lambda e, i: set_due(e, None, i, date(2027, 3, 1)), "due", "2027-03-01"),
    "close": (lambda e, i: close_item(e, None, i, reason="not_planned"), "state", None),
}


def _editing(edit: str, engine: Engine, item_id: str) -> Callable[[FakeGitHub], None]:
    """Return a hook of the fake that makes the edit on engine (a person, without a client)."""

    def hook(_fake: FakeGitHub) -> None:
        EDITS[edit][0](engine, item_id)

    return hook


def _sent(
    edit: str, engine: Engine, fake: FakeGitHub, item_id: str, *, theirs: bool = False
) -> RemoteIssue:
    """Check the waiting edit, let the next sync send it, and check what GitHub holds now.

    theirs: the issue kept is another store's, built from its own edit (_their_issue).
    """
    _, field, value = EDITS[edit]
    item, number = _item_and_number(engine, item_id)
    before = copy.deepcopy(fake.issue(racing.REPO, number))  # the fake's own changes
    waiting = _waiting(engine)
    # The next sync's last step (its polls read the issue first: fresh).
    pushed = push_pending(engine, fake.client(), fresh=[item.issue_id or 0])
    after = get_issue(fake.client(), racing.REPO, number)

    assert [(p.field, p.outcome) for p in pushed] == [(field, "pushed")], pushed
    assert _waiting(engine) == []
    labels = [label["name"] for label in before["labels"]]
    if edit == "priority":
        assert priority_of(labels) == ("P1" if theirs else "P2")
        assert waiting == [(field, value)] and item.priority == "P0"
        assert priority_labels(after.labels) == ["priority:P0"]
    elif edit == "owner":
        assert [a["login"] for a in before["assignees"]] == ["ann" if theirs else racing.OWNER]
        assert waiting == [(field, value)] and item.owner == "kim"
        assert [a.lower() for a in after.assignees] == ["kim"]
    elif edit == "due":
        assert body_due(before["body"]) == ("2027-02-15" if theirs else "2027-01-31")
        assert waiting == [(field, value)] and item.due == date(2027, 3, 1)
        assert body_due(fake.issue(racing.REPO, number)["body"]) == "2027-03-01"
    else:
        assert before["state"] == "open"
        assert waiting == [(field, "closed:not_planned")] and item.status == "wont_do"
        assert (after.state, after.state_reason) == ("closed", "not_planned")
    return after


@LOOPBACK
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_landing_while_the_issue_is_created_is_queued_and_sent_by_the_next_sync(
    engine: Engine, other: Engine, tmp_path: Path, edit: str
) -> None:
    item_id = _first_item(engine, tmp_path)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        fake.assignable.add("kim")
        fake.when("POST issues", _editing(edit, other, item_id))
        report = file_items(
            engine, fake.client("A"), default_repo=racing.REPO, progress=SilentProgress()
        )
        _sent(edit, engine, fake, item_id)

    assert [o.outcome for o in report.items] == ["created"]
    assert any("changed while" in w and "followup sync" in w for w in report.warnings)


@LOOPBACK
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_landing_during_a_create_whose_answer_is_lost_is_queued_too(
    engine: Engine, other: Engine, tmp_path: Path, edit: str
) -> None:
    # GitHub creates the issue, the answer never arrives: the run finds the issue on a
    # second look (its list), not in an answer, and the edit made meanwhile still counts.
    item_id = _first_item(engine, tmp_path)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        fake.assignable.add("kim")
        fake.when("POST issues", _editing(edit, other, item_id))
        fake.drop_answer("POST issues")
        report = file_items(
            engine, fake.client("A"), default_repo=racing.REPO, progress=SilentProgress()
        )
        _sent(edit, engine, fake, item_id)
        created = len(fake.all_issues(racing.REPO))

    assert [(o.outcome, o.reason) for o in report.items] == [
        ("created", "GitHub created it; found on a second look")
    ]
    assert created == 1
    assert any("changed while" in w and "followup sync" in w for w in report.warnings)


def _their_issue(engine: Engine, edit: str | None = None) -> NewIssue:
    """Return the issue another store builds for the first item; with edit, its own edit first."""
    with session_scope(engine) as session:
        (c,) = candidates(session, None, None, False, racing.REPO)
        theirs = new_issue(c, assign=True)
    if edit == "priority":
        return replace(theirs, labels=tuple(n.replace("P2", "P1") for n in theirs.labels))
    if edit == "owner":
        body = theirs.body.replace(f"@{racing.OWNER}", "@ann")
        return replace(theirs, body=body, assignees=("ann",))
    if edit == "due":
        return replace(theirs, body=theirs.body.replace("2027-01-31", "2027-02-15"))
    return theirs


def _files_first(fake: FakeGitHub, theirs: NewIssue) -> Callable[[FakeGitHub], None]:
    def other_store_files(_fake: FakeGitHub) -> None:
        fake.add_issue(
            racing.REPO,
            theirs.title,
            theirs.body,
            labels=theirs.labels,
            assignees=theirs.assignees,
            login=fake.login,
        )

    return other_store_files


@LOOPBACK
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_landing_during_a_create_another_store_won_is_queued_for_the_kept_issue(
    engine: Engine, other: Engine, tmp_path: Path, edit: str
) -> None:
    # Another store files the item between this run's list and its create (a lower
    # number), from a store where the item was edited too (another priority, owner or
    # due date). Converging closes this run's issue and moves the item to the other's:
    # the edit made during this run's create is made against that issue's value.
    item_id = _first_item(engine, tmp_path)
    theirs = _their_issue(engine, edit)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        fake.assignable.update({"kim", "ann"})
        fake.when("GET issues", _files_first(fake, theirs))
        fake.when("POST issues", _editing(edit, other, item_id))
        report = file_items(
            engine, fake.client("A"), default_repo=racing.REPO, progress=SilentProgress()
        )
        _, number = _item_and_number(engine, item_id)
        mine = copy.deepcopy(fake.issue(racing.REPO, 2))
        _sent(edit, engine, fake, item_id, theirs=True)

    assert number == 1
    assert (mine["state"], mine["state_reason"]) == ("closed", "duplicate")
    assert [(o.outcome, o.issue) for o in report.items] == [("linked", f"{racing.REPO}#1")]
    assert any(f"sends the change to {racing.REPO}#1" in w for w in report.warnings)


SENT_AT_ONCE: dict[str, Callable[[Engine, GitHub, str], object]] = {
    "priority": lambda e, c, i: set_priority(e, c, i, "P0"),
    "owner": lambda e, c, i: reassign_item(e, c, i, "kim"),
    "due": lambda e, c, i: set_due(e, c, i, date(2027, 3, 1)),
    "close": lambda e, c, i: close_item(e, c, i, reason="not_planned"),
}


@LOOPBACK
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_sent_to_the_issue_a_converge_then_closes_is_queued_for_the_kept_one(
    engine: Engine, other: Engine, tmp_path: Path, edit: str
) -> None:
    # The run created its issue and linked the item; a person's edit (from a TUI, with a
    # client) goes to that issue at once, while the run lists again to converge. The list
    # shows another store's issue with a lower number: the item moves to it, and the
    # edit, which is on the duplicate only, is queued for it.
    item_id = _first_item(engine, tmp_path)
    theirs = _their_issue(engine)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        fake.assignable.add("kim")
        lists: list[str] = []

        def edit_while_converging(exchange: Exchange) -> None:
            if exchange.endpoint != "GET issues" or exchange.who != "A":
                return
            lists.append(exchange.query)
            if len(lists) == 2:  # the converge's list: the other store filed meanwhile
                SENT_AT_ONCE[edit](other, fake.client("P"), item_id)

        fake.when("GET issues", _files_first(fake, theirs))
        fake.watch(edit_while_converging)
        report = file_items(
            engine, fake.client("A"), default_repo=racing.REPO, progress=SilentProgress()
        )
        _, number = _item_and_number(engine, item_id)
        mine = copy.deepcopy(fake.issue(racing.REPO, 2))
        _sent(edit, engine, fake, item_id)

    assert len(lists) >= 2, lists
    assert number == 1
    assert mine["state"] == "closed"
    assert [(o.outcome, o.issue) for o in report.items] == [("linked", f"{racing.REPO}#1")]
    assert any(f"sends the change to {racing.REPO}#1" in w for w in report.warnings)
