"""An edit that lands while filing creates the item's issue reaches the issue.

Filing built the issue from the item, then a person edits the item (on an engine of its
own) while GitHub creates it. The run records the issue, keeps the edit, queues it for
the issue, and the next sync sends it; a close stays a close.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from followup.github.issue_fields import priority_of
from followup.github.issues import get_issue
from followup.store import session_scope
from followup.store.models import IssueRow, ItemRow, PendingEditRow
from followup.sync.edits import close_item, reassign_item, set_priority
from followup.sync.filing import file_items
from followup.sync.importing import import_files
from followup.sync.pending import push_pending
from followup.sync.progress import SilentProgress
from tests.fakegithub import LOOPBACK, FakeGitHub
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
    "close": (lambda e, i: close_item(e, None, i, reason="not_planned"), "state", None),
}


@LOOPBACK
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_landing_while_the_issue_is_created_is_queued_and_sent_by_the_next_sync(
    engine: Engine, other: Engine, tmp_path: Path, edit: str
) -> None:
    item_id = _first_item(engine, tmp_path)
    change, field, value = EDITS[edit]
    with FakeGitHub() as fake:
        racing.arrange(fake)
        fake.assignable.add("kim")

        def edit_now(_fake: FakeGitHub) -> None:
            change(other, item_id)

        fake.when("POST issues", edit_now)
        report = file_items(
            engine, fake.client("A"), default_repo=racing.REPO, progress=SilentProgress()
        )
        item, number = _item_and_number(engine, item_id)
        created = get_issue(fake.client(), racing.REPO, number)
        waiting = _waiting(engine)

        # The next sync's last step (its polls read the issue first: fresh).
        pushed = push_pending(engine, fake.client(), fresh=[item.issue_id or 0])
        after = get_issue(fake.client(), racing.REPO, number)
        left = _waiting(engine)

    assert [o.outcome for o in report.items] == ["created"]
    assert any("changed while" in w and "followup sync" in w for w in report.warnings)
    if edit == "priority":
        assert priority_of(created.labels) != "P0"
        assert waiting == [(field, value)]
        assert item.priority == "P0"
        # The fake has no label endpoints of an issue: the push itself is tested with
        # cassettes (tests/sync/test_local_edits.py); here, that it was tried.
        assert [(p.field, p.value) for p in pushed] == [("priority", "P0")]
        return
    if edit == "owner":
        assert [a.lower() for a in created.assignees] != ["kim"]
        assert waiting == [(field, value)]
        assert item.owner == "kim"
        assert [a.lower() for a in after.assignees] == ["kim"]
    else:
        assert created.state == "open"
        assert waiting == [(field, "closed:not_planned")]
        assert item.status == "wont_do"
        assert (after.state, after.state_reason) == ("closed", "not_planned")
    assert left == []
    assert [p.outcome for p in pushed] == ["pushed"], pushed
