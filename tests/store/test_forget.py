"""Forgetting post-mortems in the store: their rows go, issues others still use stay."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup.errors import InputError, NotFoundError
from followup.store import session_scope
from followup.store.forget import describe, find_postmortems, forget_postmortems
from followup.store.models import EventRow, IssueRow, ItemRow, PendingEditRow, PostMortemRow
from followup.sync.forget import forget, plan_forget
from tests.sync.world import ALERT, PAGES, PIN, QUEUE, fake_clock, filed_store


@pytest.fixture
def filed(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return filed_store(engine, fake_clock(monkeypatch))


def test_an_issue_another_item_still_uses_stays_known(
    engine: Engine, filed: dict[str, str]
) -> None:
    with session_scope(engine) as session:
        alert = session.get(ItemRow, filed[ALERT])
        pin = session.get(ItemRow, filed[PIN])
        assert alert is not None and pin is not None and alert.issue_id is not None
        shared = alert.issue_id
        pin.issue_id = shared  # the docs item points at the queue's issue too
        session.add(pin)
        session.add(
            PendingEditRow(
                item_id=filed[ALERT], field="state", value="closed", created_at=alert.created_at
            )
        )
    gone = forget(engine, [QUEUE])
    assert [pm.slug for pm in gone] == [QUEUE]
    with session_scope(engine) as session:
        assert session.get(IssueRow, shared) is not None
        assert session.get(ItemRow, filed[ALERT]) is None
        assert not session.exec(select(PendingEditRow)).all()
        assert not session.exec(select(EventRow).where(EventRow.item_id == filed[ALERT])).all()
        pages_filed = {
            f.number for f in describe(session, find_postmortems(session, [PAGES]))[0].filed
        }
    assert pages_filed  # the docs item still shows its (shared) issue


def test_planning_changes_nothing_and_names_the_filed_items(
    engine: Engine, filed: dict[str, str]
) -> None:
    (plan,) = plan_forget(engine, [QUEUE, QUEUE])  # named twice, planned once
    assert plan.items == 4
    assert filed[ALERT] in {f.item_id for f in plan.filed}
    with session_scope(engine) as session:
        assert session.get(ItemRow, filed[ALERT]) is not None


def test_nothing_named_or_unknown_is_refused(engine: Engine, filed: dict[str, str]) -> None:
    with pytest.raises(InputError):
        forget(engine, ["  "])
    with pytest.raises(NotFoundError):
        forget(engine, [PAGES, "nope"])
    with session_scope(engine) as session:
        assert len(session.exec(select(PostMortemRow)).all()) == 2
        forget_postmortems(session, [])  # nothing to do, nothing done
