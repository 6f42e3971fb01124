"""Due dates by policy: undated items get their priority's deadline; a document or an edit wins."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup import clock
from followup.policy import DuePolicy
from followup.postmortem.model import ActionItem, PostMortem
from followup.store import session_scope
from followup.store.importer import import_all
from followup.store.models import EventRow, ItemRow, PostMortemRow
from followup.store.policy import apply_policy
from followup.sync.edits import set_due, set_priority
from followup.sync.policy import refresh_deadlines

IMPORTED = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
INCIDENT = date(2026, 5, 1)
POLICY = DuePolicy(7, 28, 56, None)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: IMPORTED)


def doc(*items: ActionItem, incident: date | None = INCIDENT, slug: str = "queue") -> PostMortem:
    return PostMortem(title=slug, slug=slug, source=f"# {slug}\n", items=items, date=incident)


def action(title: str, priority: str | None, due: date | None = None) -> ActionItem:
    return ActionItem(title=title, line=1, priority=priority, due=due)


def imported(engine: Engine, document: PostMortem, policy: DuePolicy | None = POLICY) -> None:
    with session_scope(engine) as session:
        import_all(session, [document], policy=policy)


def rows(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with session_scope(engine) as session:
        return {
            r.title: (r.due, r.due_source, r.policy_due)
            for r in session.exec(select(ItemRow)).all()
        }


def ids(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {r.title: r.id for r in session.exec(select(ItemRow)).all()}


QUEUE = doc(
    action("Alert on depth", "P0"),
    action("Runbook", "P1"),
    action("Rewrite consumer", "P2", due=date(2026, 9, 1)),
    action("Tidy dashboards", "P3"),
    action("Unranked", None),
)


def test_undated_items_get_their_priority_s_deadline_from_the_incident(engine: Engine) -> None:
    imported(engine, QUEUE)
    assert rows(engine) == {
        "Alert on depth": (date(2026, 5, 8), "policy", date(2026, 5, 8)),
        "Runbook": (date(2026, 5, 29), "policy", date(2026, 5, 29)),
        # The document's date wins; the policy's deadline is still known.
        "Rewrite consumer": (date(2026, 9, 1), "document", date(2026, 6, 26)),
        "Tidy dashboards": (None, None, None),
        "Unranked": (None, None, None),
    }


def test_without_a_date_the_policy_counts_from_the_first_import(engine: Engine) -> None:
    imported(engine, doc(action("Alert on depth", "P0"), incident=None))
    assert rows(engine)["Alert on depth"] == (date(2026, 5, 11), "policy", date(2026, 5, 11))


def test_an_import_without_a_policy_leaves_it_to_the_next_open(engine: Engine) -> None:
    imported(engine, QUEUE, policy=None)
    assert rows(engine)["Alert on depth"] == (None, None, None)
    result = refresh_deadlines(engine, POLICY)
    assert (result.postmortems, result.deadlines, result.due_dates) == (1, 3, 2)
    assert rows(engine)["Alert on depth"] == (date(2026, 5, 8), "policy", date(2026, 5, 8))
    # Worked out once: opening again costs nothing.
    assert refresh_deadlines(engine, POLICY).postmortems == 0


def test_a_new_policy_moves_policy_dates_and_only_those(engine: Engine) -> None:
    imported(engine, QUEUE)
    item_ids = ids(engine)
    set_due(engine, None, item_ids["Runbook"], date(2026, 7, 1))
    stricter = DuePolicy(3, 14, 28, 90)
    result = refresh_deadlines(engine, stricter)
    assert result.due_dates == 2  # the P0 and the P3; the edited P1 and the dated P2 stay
    assert rows(engine) == {
        "Alert on depth": (date(2026, 5, 4), "policy", date(2026, 5, 4)),
        "Runbook": (date(2026, 7, 1), "edited", date(2026, 5, 15)),
        "Rewrite consumer": (date(2026, 9, 1), "document", date(2026, 5, 29)),
        "Tidy dashboards": (date(2026, 7, 30), "policy", date(2026, 7, 30)),
        "Unranked": (None, None, None),
    }
    with session_scope(engine) as session:
        moved = session.exec(
            select(EventRow).where(EventRow.item_id == item_ids["Alert on depth"])
        ).all()
    assert [(e.field, e.old, e.new, e.source) for e in moved if e.field == "due"] == [
        ("due", None, "2026-05-08", "policy"),
        ("due", "2026-05-08", "2026-05-04", "policy"),
    ]


def test_an_edit_that_clears_the_date_is_not_undone_by_the_policy(engine: Engine) -> None:
    imported(engine, QUEUE)
    item_id = ids(engine)["Alert on depth"]
    set_due(engine, None, item_id, None)
    refresh_deadlines(engine, DuePolicy(1, 2, 3, 4))
    assert rows(engine)["Alert on depth"] == (None, "edited", date(2026, 5, 2))


def test_a_date_added_to_the_document_beats_the_policy_and_removing_it_restores_it(
    engine: Engine,
) -> None:
    imported(engine, QUEUE)
    dated = doc(
        action("Alert on depth", "P0", due=date(2026, 6, 1)),
        *QUEUE.items[1:],
    )
    imported(engine, dated)
    assert rows(engine)["Alert on depth"] == (date(2026, 6, 1), "document", date(2026, 5, 8))
    imported(engine, QUEUE)
    assert rows(engine)["Alert on depth"] == (date(2026, 5, 8), "policy", date(2026, 5, 8))


def test_a_re_import_of_an_undated_item_keeps_its_policy_date_without_an_event(
    engine: Engine,
) -> None:
    imported(engine, QUEUE)
    renamed = doc(*QUEUE.items, action("One more", "P1"))
    imported(engine, renamed)
    item_id = ids(engine)["Alert on depth"]
    with session_scope(engine) as session:
        dues = session.exec(
            select(EventRow).where(EventRow.item_id == item_id, EventRow.field == "due")
        ).all()
    assert len(dues) == 1
    assert rows(engine)["One more"] == (date(2026, 5, 29), "policy", date(2026, 5, 29))


def test_a_new_incident_date_moves_the_policy_dates(engine: Engine) -> None:
    imported(engine, QUEUE)
    imported(engine, doc(*QUEUE.items, incident=date(2026, 5, 10)))
    assert rows(engine)["Alert on depth"] == (date(2026, 5, 17), "policy", date(2026, 5, 17))


def test_a_new_priority_gives_a_new_deadline(engine: Engine) -> None:
    imported(engine, QUEUE)
    item_ids = ids(engine)
    set_priority(engine, None, item_ids["Unranked"], "P1", policy=POLICY)
    assert rows(engine)["Unranked"] == (date(2026, 5, 29), "policy", date(2026, 5, 29))
    # Without the policy at hand, the post-mortem is dated again on the next open.
    set_priority(engine, None, item_ids["Runbook"], "P0")
    with session_scope(engine) as session:
        pm = session.exec(select(PostMortemRow)).one()
        assert pm.policy_key is None
    refresh_deadlines(engine, POLICY)
    assert rows(engine)["Runbook"] == (date(2026, 5, 8), "policy", date(2026, 5, 8))


def test_the_policy_is_applied_in_chunks_across_many_post_mortems(engine: Engine) -> None:
    with session_scope(engine) as session:
        import_all(
            session,
            [doc(action(f"Task {n}", "P0"), slug=f"pm-{n}") for n in range(1_200)],
        )
        result = apply_policy(session, POLICY)
    assert (result.postmortems, result.deadlines) == (1_200, 1_200)
    dates = {due for due, _source, _deadline in rows(engine).values()}
    assert dates == {date(2026, 5, 8)}


def test_the_dashboard_and_the_list_filter_count_items_past_their_policy_deadline(
    engine: Engine,
) -> None:
    from followup.store.metrics import dashboard
    from followup.store.queries import ItemFilter, list_items

    imported(engine, QUEUE)
    set_due(engine, None, ids(engine)["Runbook"], date(2026, 12, 1))
    with session_scope(engine) as session:
        # 2026-06-01: the P0 (05-08) and the P1 (05-29) deadlines passed, the P2's (06-26) not.
        board = dashboard(session, today=date(2026, 6, 1))
        late = list_items(session, ItemFilter(past_policy=True), today=date(2026, 6, 1))
        assert (board.overdue, board.past_policy) == (1, 2)
        assert [i.title for i in late] == ["Alert on depth", "Runbook"]
        assert late[1].is_past_policy(date(2026, 6, 1)) and not late[1].is_overdue(date(2026, 6, 1))
        board = dashboard(session, today=date(2026, 6, 27))
        assert board.past_policy == 3
