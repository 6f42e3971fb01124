"""Reconciliation pairs existing GitHub issues with items: by marker, then by title."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Engine
from sqlmodel import Session, select

from followup import postmortem
from followup.github.client import GitHub
from followup.github.issue_mapping import RemoteIssue, item_marker, tracking_marker
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.importer import import_postmortem
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow
from followup.sync.reconcile import apply_reconciliation, match_issues, reconcile_repo

REPO = "octo-org/docs"
SLUG = "2026-05-01-queue-backlog"
DOC = """---
repo: Octo-Org/Docs
---
# Queue backlog

## Action items

- Add an alert on queue depth @octocat
- Write a runbook for draining the queue
- Protect the main branch from deletion
"""
CLOSED = datetime(2026, 5, 6, 8, 0, tzinfo=UTC)


def store(engine: Engine, text: str = DOC) -> dict[str, str]:
    with session_scope(engine) as session:
        import_postmortem(session, postmortem.parse(text, path=f"{SLUG}.md"))
        return {r.title: r.id for r in session.exec(select(ItemRow))}


def issue(number: int, title: str, item_id: str | None, **fields: Any) -> RemoteIssue:
    body = item_marker(item_id, SLUG) if item_id else None
    base = RemoteIssue(
        repo=REPO,
        number=number,
        node_id=f"I_{number}",
        url=f"https://github.com/Octo-Org/Docs/issues/{number}",
        title=title,
        state="open",
        labels=("followup",),
        created_at=datetime(2026, 5, 4, 10, number, tzinfo=UTC),
        item_id=item_id,
        postmortem=SLUG if item_id else None,
        body=body,
    )
    return replace(base, **fields)


def test_issues_are_matched_by_marker_and_take_their_status(engine: Engine) -> None:
    ids = store(engine)
    alert, runbook = (
        ids["Add an alert on queue depth"],
        ids["Write a runbook for draining the queue"],
    )
    found = [
        issue(
            3,
            "Write a runbook",
            runbook,
            state="closed",
            state_reason="completed",
            closed_at=CLOSED,
        ),
        issue(2, "Add an alert on queue depth", alert),
    ]
    with session_scope(engine) as session:
        rec = match_issues(session, REPO, found)
        assert [(m.item_id, m.issue.number, m.how) for m in rec.matches] == [
            (alert, 2, "marker"),
            (runbook, 3, "marker"),
        ]
        changes = Changes(source="github")
        changed = apply_reconciliation(session, rec, changes)
        changes.flush(session)
        assert len(changed) == 2
    with session_scope(engine) as session:
        items = {r.id: r for r in session.exec(select(ItemRow))}
        assert items[alert].status == "filed" and items[runbook].status == "done"
        done = session.exec(
            select(EventRow).where(EventRow.item_id == runbook, EventRow.field == "status")
        ).all()[-1]
        assert (done.old, done.new, done.at.replace(tzinfo=UTC)) == ("open", "done", CLOSED)
        link = session.exec(select(EventRow).where(EventRow.field == "link")).first()
        assert link is not None and link.detail == {
            "url": "https://github.com/Octo-Org/Docs/issues/2",
            "how": "reconciled",
        }


def test_an_unknown_id_of_the_same_post_mortem_is_matched_by_title(engine: Engine) -> None:
    ids = store(engine)
    found = [
        issue(5, "Write a runbook for draining queues", "zzzzzzz"),
        issue(6, "Something else entirely", "yyyyyyy"),
        replace(issue(7, "Add an alert on queue depth", "xxxxxxx"), postmortem="another-one"),
        issue(8, "Add an alert on queue depth", "wwwwwww", is_pull_request=True),
    ]
    with session_scope(engine) as session:
        rec = match_issues(session, REPO, found)
    assert [(m.item_id, m.issue.number, m.how) for m in rec.matches] == [
        (ids["Write a runbook for draining the queue"], 5, "title")
    ]


def test_duplicates_give_the_item_the_lowest_number_not_closed_as_a_duplicate(
    engine: Engine,
) -> None:
    ids = store(engine)
    alert = ids["Add an alert on queue depth"]
    closed = {"state": "closed", "state_reason": "duplicate"}
    with session_scope(engine) as session:
        raced = match_issues(session, REPO, [issue(9, "Alert", alert), issue(4, "Alert", alert)])
        healed = match_issues(
            session, REPO, [issue(9, "Alert", alert), issue(4, "Alert", alert, **closed)]
        )
    assert [m.issue.number for m in raced.matches] == [4]
    assert raced.warnings == ()  # converging closes #9; it is no reason to warn
    # Whoever closed #4 as a duplicate (a person), #9 is the one left to follow.
    assert [m.issue.number for m in healed.matches] == [9]


def test_an_item_linked_to_a_duplicate_moves_to_the_kept_issue(engine: Engine) -> None:
    ids = store(engine)
    alert = ids["Add an alert on queue depth"]
    with session_scope(engine) as session:
        mine = match_issues(session, REPO, [issue(9, "Alert", alert)])
        apply_reconciliation(session, mine, Changes(source="github"))
    with session_scope(engine) as session:
        both = match_issues(session, REPO, [issue(4, "Alert", alert), issue(9, "Alert", alert)])
        changed = apply_reconciliation(session, both, Changes(source="github"))
        assert [m.issue.number for m in changed] == [4]
        item = session.get(ItemRow, alert)
        assert item is not None and item.issue_id is not None
        linked = session.get(IssueRow, item.issue_id)
        assert linked is not None and linked.number == 4


def test_an_item_linked_elsewhere_keeps_its_link(engine: Engine) -> None:
    ids = store(engine)
    alert = ids["Add an alert on queue depth"]
    with session_scope(engine) as session:
        rec = match_issues(session, REPO, [issue(2, "Alert", alert)])
        apply_reconciliation(session, rec, Changes(source="github"))
    with session_scope(engine) as session:
        rec = match_issues(session, REPO, [issue(11, "Alert", alert)])
    assert rec.matches == ()
    assert "stays so" in rec.warnings[0]


def test_tracking_issues_are_found_and_recorded(engine: Engine) -> None:
    store(engine)
    tracking = replace(
        issue(12, "Post-mortem follow-ups", None),
        body=tracking_marker(SLUG),
        postmortem=SLUG,
        tracking=True,
    )
    with session_scope(engine) as session:
        rec = match_issues(session, REPO, [tracking])
        assert dict(rec.tracking) == {SLUG: tracking}
        apply_reconciliation(session, rec, Changes(source="github"))
    with session_scope(engine) as session:
        pm = session.exec(select(PostMortemRow)).one()
        row = session.get(IssueRow, pm.tracking_issue_id)
        assert row is not None and row.number == 12


class ListingClient:
    """Answers the one list request reconcile_repo sends."""

    def __init__(self, issues: list[dict[str, Any]]) -> None:
        self.issues = issues
        self.calls: list[tuple[str, Mapping[str, Any] | None]] = []

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        self.calls.append((path, params))
        yield from self.issues


def test_reconcile_repo_lists_followup_issues_in_every_state(engine: Engine) -> None:
    ids = store(engine)
    alert = ids["Add an alert on queue depth"]
    client = ListingClient(
        [
            {
                "number": 2,
                "node_id": "I_2",
                "html_url": "https://github.com/Octo-Org/Docs/issues/2",
                "title": "Add an alert on queue depth",
                "state": "closed",
                "state_reason": "not_planned",
                "closed_at": "2026-05-06T08:00:00Z",
                "labels": [{"name": "followup"}],
                "assignees": [{"login": "octocat"}],
                "body": "text\n" + item_marker(alert, SLUG),
            }
        ]
    )
    with Session(engine) as session:
        rec = reconcile_repo(session, cast(GitHub, client), "Octo-Org/Docs")
        session.commit()
    assert client.calls == [("/repos/Octo-Org/Docs/issues", {"labels": "followup", "state": "all"})]
    assert rec.repo == REPO and len(rec.matches) == 1
    with session_scope(engine) as session:
        item = session.get(ItemRow, alert)
        assert item is not None and item.status == "wont_do" and item.issue_id is not None
        sources = {
            e.source for e in session.exec(select(EventRow).where(EventRow.item_id == alert))
        }
    assert sources == {"document", "github"}
