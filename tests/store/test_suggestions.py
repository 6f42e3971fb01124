"""Suggested items: stored apart, never filed, protected, counted or overdue until accepted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from followup.errors import InputError, NotFoundError
from followup.postmortem import parse
from followup.postmortem.model import PostMortem
from followup.store import session_scope
from followup.store.importer import import_postmortem
from followup.store.metrics import dashboard, overdue_by_owner
from followup.store.models import EventRow, ItemRow, PostMortemRow, Status
from followup.store.queries import OPEN_STATUSES, ItemFilter, list_items, postmortems
from followup.store.suggestions import accept_items, dismiss_items
from followup.sync.candidates import classify, select_items
from followup.sync.protection_targets import items_by_ids, items_by_status

TODAY = date(2026, 11, 21)
PROSE = """---
title: Login latency
date: 2026-01-10
repo: octo/app
---

# Login latency

## Summary

Logins were slow for an hour. We will add an alert on login latency by end of January.
We will protect the `main` branch from force pushes.

## Action items

- Raise the connection limit (due 2026-02-01)
"""


def store(engine: Engine, text: str = PROSE) -> PostMortem:
    pm = parse(text, path="2026-01-10-login.md")
    with session_scope(engine) as session:
        import_postmortem(session, pm)
    return pm


def rows(engine: Engine) -> dict[str, ItemRow]:
    with session_scope(engine) as session:
        found = session.exec(select(ItemRow)).all()
        session.expunge_all()
    return {r.title: r for r in found}


def ids(engine: Engine) -> dict[str, str]:
    return {title: row.id for title, row in rows(engine).items()}


ALERT = "Add an alert on login latency by end of January"
PROTECT = "Protect the main branch from force pushes"
LIMIT = "Raise the connection limit"


def test_suggestions_are_stored_as_suggested(engine: Engine) -> None:
    store(engine)
    stored = rows(engine)
    assert {t: r.status for t, r in stored.items()} == {
        ALERT: "suggested",
        PROTECT: "suggested",
        LIMIT: "open",
    }
    assert stored[ALERT].due == date(2026, 1, 31)
    assert stored[PROTECT].kind == "branch_protection"


def test_list_shows_them_and_json_says_suggested(engine: Engine) -> None:
    store(engine)
    with session_scope(engine) as session:
        views = list_items(session, ItemFilter(), today=TODAY)
        only = list_items(session, ItemFilter(statuses=frozenset({"suggested"})), today=TODAY)
    assert {v.title: v.to_json(TODAY)["status"] for v in views} == {
        ALERT: "suggested",
        PROTECT: "suggested",
        LIMIT: "open",
    }
    assert {v.title for v in only} == {ALERT, PROTECT}


def test_suggestions_are_never_overdue_nor_counted_in_completion(engine: Engine) -> None:
    store(engine)
    with session_scope(engine) as session:
        views = {v.title: v for v in list_items(session, ItemFilter(), today=TODAY)}
        overdue = list_items(session, ItemFilter(overdue=True), today=TODAY)
        (pm,) = postmortems(session, today=TODAY)
        owners = overdue_by_owner(session, today=TODAY)
        board = dashboard(session, today=TODAY)
    assert not views[ALERT].is_overdue(TODAY)
    assert views[LIMIT].is_overdue(TODAY)
    assert [v.title for v in overdue] == [LIMIT]
    assert (pm.total, pm.done, pm.overdue, pm.suggested) == (1, 0, 1, 2)
    assert sum(o.outstanding for o in owners) == 1
    assert (board.total, board.overdue) == (1, 1)


def test_filing_and_protection_leave_suggestions_alone(engine: Engine) -> None:
    store(engine)
    with session_scope(engine) as session:
        chosen = [item.title for item, _, _ in select_items(session, None, None)]
        assert chosen == [LIMIT]
        named = select_items(session, [ids(engine)[ALERT]], None)
        (item, pm, issue) = named[0]
        candidate = classify(item, pm, issue, include_drafts=False, default_repo=None)
        assert candidate.action == "skip"
        assert "accept it first" in candidate.reason
        assert items_by_status(session, list(OPEN_STATUSES)) == []
        with pytest.raises(InputError, match="suggestion"):
            items_by_ids(session, [ids(engine)[PROTECT]])


def events_of(session: Session, item_id: str) -> list[tuple[str | None, str | None, str]]:
    found = session.exec(select(EventRow).where(EventRow.item_id == item_id)).all()
    return [(e.old, e.new, e.source) for e in found]


def test_accept_makes_an_ordinary_item_with_an_event(engine: Engine) -> None:
    store(engine)
    alert = ids(engine)[ALERT]
    with session_scope(engine) as session:
        (decision,) = accept_items(session, [alert[:5]])
        session.commit()
    assert (decision.item_id, decision.before, decision.after, decision.changed) == (
        alert,
        "suggested",
        "open",
        True,
    )
    with session_scope(engine) as session:
        assert events_of(session, alert)[-1] == ("suggested", "open", "user")
        chosen = [item.title for item, _, _ in select_items(session, None, None)]
        (pm,) = postmortems(session, today=TODAY)
    assert ALERT in chosen
    assert (pm.total, pm.suggested) == (2, 1)
    # Re-importing the same text leaves the accepted item open.
    store(engine)
    assert rows(engine)[ALERT].status == "open"


def test_accepting_an_accepted_item_changes_nothing(engine: Engine) -> None:
    store(engine)
    with session_scope(engine) as session:
        (decision,) = accept_items(session, [ids(engine)[LIMIT]])
    assert not decision.changed
    assert "not a suggestion" in decision.reason


def test_dismissed_suggestions_stay_dismissed_across_reimports(engine: Engine) -> None:
    store(engine)
    alert = ids(engine)[ALERT]
    with session_scope(engine) as session:
        (decision,) = dismiss_items(session, [alert, alert])
        session.commit()
    assert (decision.before, decision.after) == ("suggested", "dismissed")
    store(engine)
    assert rows(engine)[ALERT].status == "dismissed"
    # The sentence goes away and comes back: still dismissed, no new suggestion.
    store(engine, PROSE.replace("We will add an alert on login latency by end of January.", ""))
    assert rows(engine)[ALERT].status == "dismissed"
    store(engine)
    stored = rows(engine)
    assert stored[ALERT].status == "dismissed"
    assert len(stored) == 3
    with session_scope(engine) as session:
        listed = {v.title for v in list_items(session, ItemFilter(), today=TODAY)}
        everything = {
            v.title for v in list_items(session, ItemFilter(include_removed=True), today=TODAY)
        }
    assert ALERT not in listed
    assert ALERT in everything


def test_a_dismissed_suggestion_can_still_be_accepted(engine: Engine) -> None:
    store(engine)
    alert = ids(engine)[ALERT]
    with session_scope(engine) as session:
        dismiss_items(session, [alert])
        session.commit()
    with session_scope(engine) as session:
        (again,) = dismiss_items(session, [alert])
        (decision,) = accept_items(session, [alert])
        session.commit()
    assert (again.changed, again.reason) == (False, "already dismissed")
    assert (decision.before, decision.after) == ("dismissed", "open")


def test_dismissing_a_listed_item_is_refused_with_a_reason(engine: Engine) -> None:
    store(engine)
    with session_scope(engine) as session:
        (decision,) = dismiss_items(session, [ids(engine)[LIMIT]])
    assert not decision.changed
    assert "won't do" in decision.reason
    with session_scope(engine) as session, pytest.raises(NotFoundError):
        accept_items(session, ["zzzzzzz"])


def test_a_suggestion_the_document_then_lists_becomes_an_item(engine: Engine) -> None:
    store(engine)
    alert = ids(engine)[ALERT]
    store(engine, PROSE + "- Add an alert on login latency by end of January\n")
    by_id = {row.id: row for row in rows(engine).values()}
    assert (by_id[alert].title, by_id[alert].status) == ("Add an alert on login latency", "open")
    assert by_id[alert].due == date(2026, 1, 31)
    assert len(by_id) == 3


def test_a_suggestion_that_leaves_the_document_is_removed(engine: Engine) -> None:
    store(engine)
    store(engine, PROSE.replace("We will add an alert on login latency by end of January.", ""))
    assert rows(engine)[ALERT].status == "removed"
    store(engine)
    assert rows(engine)[ALERT].status == "suggested"


def test_the_import_result_counts_new_suggestions(engine: Engine) -> None:
    pm = parse(PROSE, path="2026-01-10-login.md")
    with session_scope(engine) as session:
        result = import_postmortem(session, pm)
        assert session.exec(select(PostMortemRow)).first() is not None
    assert (result.created, result.suggested) == (3, 2)


def test_statuses_have_words_and_icons() -> None:
    from followup.display import STATUS_ICON, STATUS_LABEL

    for status in (Status.SUGGESTED, Status.DISMISSED):
        assert STATUS_LABEL[status] == status.value
        assert STATUS_ICON[status]
