"""A protect run leaves the status a person set while it planned, wrote or verified the branch.

The other writer (a CLI close or reopen, a change of what the item asks for) runs on an
engine of its own at the worst moment of the run: right after a write to the branch
(the fake GitHub's hook), or between the plan and the apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from followup.github.client import GitHub
from followup.store import session_scope
from followup.store.models import ItemRow
from followup.store.protection import protection_of
from followup.sync.edits import close_item, reopen_item
from followup.sync.protect import apply_protection, plan_protection
from followup.sync.protect_record import WRITE_EVENT
from tests.fakegithub import FakeGitHub
from tests.faults.scenarios import ITEM, SCENARIOS, add_item, events, item

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

CASE = SCENARIOS["an unprotected branch"]


def _close(engine: Engine) -> None:
    close_item(engine, None, ITEM, reason="not_planned")


def _reopen(engine: Engine) -> None:
    reopen_item(engine, None, ITEM)


def _ask_more(engine: Engine) -> None:
    with session_scope(engine) as session:
        row = session.get(ItemRow, ITEM)
        assert row is not None and row.protection is not None
        row.protection = {**row.protection, "required_linear_history": True}


@pytest.mark.parametrize(
    ("edit", "status"),
    [(_close, "wont_do"), (_ask_more, "open")],
    ids=["closed", "asks-more"],
)
def test_an_item_changed_while_its_branch_is_written_keeps_the_change(
    engine: Engine,
    other: Engine,
    fake: FakeGitHub,
    client: GitHub,
    edit: Callable[[Engine], None],
    status: str,
) -> None:
    """A person closes the item as not planned (or it comes to ask for more) right after
    the run's first write to the branch: the run records its writes, clears its intent
    and reports the item skipped, saying why; the item is not marked done."""
    CASE.arrange(fake)
    add_item(engine, CASE.branch, CASE.requested)
    plans = plan_protection(engine, client)
    fake.when(CASE.writes[0], lambda _fake: edit(other))

    report = apply_protection(engine, client, plans)

    (result,) = report.results
    assert result.outcome == "skipped"
    assert result.message.endswith("(protected and verified)"), result.message
    after = item(engine)
    assert (after.status, after.status_reason) == (status, None)
    stored = protection_of(after)
    assert stored is not None and stored.intent is None
    assert stored.applied is not None and stored.applied.verified
    assert [e.new for e in events(engine) if e.field == "status"] == (
        ["wont_do"] if status == "wont_do" else []
    )
    assert "started" in [e.new for e in events(engine) if e.field == WRITE_EVENT]


def test_an_item_closed_while_a_write_fails_keeps_its_status_and_reason(
    engine: Engine, other: Engine, fake: FakeGitHub, client: GitHub
) -> None:
    CASE.arrange(fake)
    add_item(engine, CASE.branch, CASE.requested)
    plans = plan_protection(engine, client)
    fake.fail(CASE.writes[-1], "error_before", times=5)
    fake.when(CASE.writes[0], lambda _fake: _close(other))

    (result,) = apply_protection(engine, client, plans).results

    assert result.outcome == "skipped"
    assert result.message.startswith("its status became wont_do while this run worked")
    after = item(engine)
    assert (after.status, after.status_reason) == ("wont_do", None)


@pytest.mark.parametrize(
    ("planned", "edit", "status"),
    [("open", _close, "wont_do"), ("done", _reopen, "open")],
    ids=["closed", "reopened"],
)
def test_an_item_whose_status_changed_since_the_plan_is_not_written(
    engine: Engine,
    other: Engine,
    fake: FakeGitHub,
    client: GitHub,
    planned: str,
    edit: Callable[[Engine], Any],
    status: str,
) -> None:
    """The person closed the item (or reopened the done one) after the plan was shown."""
    CASE.arrange(fake)
    add_item(engine, CASE.branch, CASE.requested)
    with session_scope(engine) as session:
        row = session.get(ItemRow, ITEM)
        assert row is not None
        row.status = planned
    plans = plan_protection(engine, client, include_done=True)
    edit(other)

    (result,) = apply_protection(engine, client, plans).results

    assert (result.outcome, result.message) == (
        "skipped",
        f"its status became {status} since the plan: run 'followup protect' again",
    )
    assert [e for e in fake.requests() if e in CASE.writes] == []
    assert item(engine).status == status
