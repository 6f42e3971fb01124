"""Read back what changed in the GitHub Projects (v2) that followup put issues in.

One query per project per sync, paginated (100 items a page, about one point each):
the project's fields as they are now and every item with its field values and
`updatedAt`. Only items of issues the store follows count; one whose `updatedAt` did
not move is skipped. When an item's Priority (an option named P0…P3, or none) or Due
(a date, or none) differs from what followup last set or saw there, the linked items
follow, with an event from "github" naming the project, and an edit of that field
still waiting to be pushed is dropped: GitHub wins, as it does for labels and bodies.
An issue added to the project by hand is adopted as it is; one no longer in it is
forgotten. A project the token cannot read is that project's failure, not the sync's.
Each page is stored by store/retry.write: a person's edit of an item at that moment
makes the page's store half run again, rather than end the sync
(tests/sync/test_concurrency_projects.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from followup import clock
from followup.github.client import GitHub
from followup.github.errors import GitHubError, NotFound, ScopeError
from followup.github.issue_fields import PRIORITIES
from followup.github.project_mapping import ItemsPage, ProjectItem, option_priority
from followup.github.projects import item_pages
from followup.store import retry, session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ProjectItemRow, ProjectRow, Status
from followup.sync.edit_fields import FIELD_DUE, FIELD_PRIORITY, describe, pending
from followup.sync.issue_state import (
    ItemChange,
    flush_changes,
    follow_due,
    follow_priority,
    forget_policy,
    items_by_issue,
)
from followup.sync.links import issue_ref
from followup.sync.projects import store_fields
from followup.sync.repo_poll import as_utc
from followup.sync.run_control import RunControl
from followup.sync.sync_report import ProjectPoll


@dataclass(slots=True)
class _Tally:
    """What one project's poll saw and did."""

    read: int = 0
    changed: int = 0
    requests: int = 0
    points: int = 0
    changes: list[ItemChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, page: _Tally) -> None:
        """Count what one page read and changed."""
        self.read += page.read
        self.changed += page.changed
        self.changes.extend(page.changes)
        self.warnings.extend(page.warnings)


def projects_to_poll(engine: Engine) -> list[tuple[str, str]]:
    """Return (id, OWNER/NUMBER) of every project the store has items in."""
    with session_scope(engine) as session:
        query = (
            select(ProjectRow.id, ProjectRow.ref)
            .where(col(ProjectRow.id).in_(select(ProjectItemRow.project_id)))
            .order_by(col(ProjectRow.ref))
        )
        return [(pid, ref) for pid, ref in session.exec(query)]


def poll_projects(
    engine: Engine, client: GitHub, control: RunControl
) -> tuple[list[ProjectPoll], list[ItemChange], list[str]]:
    """Poll every project; return each one's outcome, the changes and the warnings."""
    polls: list[ProjectPoll] = []
    changes: list[ItemChange] = []
    warnings: list[str] = []
    for project_id, ref in projects_to_poll(engine):
        if control.halted():
            polls.append(ProjectPoll(ref, False, "not polled: the sync stopped"))
            continue
        tally = _Tally()
        try:
            _poll(engine, client, project_id, ref, tally)
        except GitHubError as exc:
            # A project the token cannot see is that project's trouble; a refused token
            # or a used-up rate limit stops the sync as anywhere else.
            if not isinstance(exc, ScopeError | NotFound):
                control.stops_run(exc)
            polls.append(
                ProjectPoll(ref, False, str(exc), tally.read, tally.changed, tally.requests)
            )
        else:
            polls.append(
                ProjectPoll(
                    ref, True, None, tally.read, tally.changed, tally.requests, tally.points
                )
            )
        changes.extend(tally.changes)
        warnings.extend(tally.warnings)
    return polls, changes, warnings


def _poll(engine: Engine, client: GitHub, project_id: str, ref: str, tally: _Tally) -> None:
    where = f"project {ref}"
    seen: set[str] = set()
    complete = False
    for page in item_pages(client, project_id, where):
        tally.requests += 1
        tally.points += max(1, page.cost or 0)
        if not page.found:
            raise _gone(ref)
        # Only the store half runs again if a person edits an item meanwhile.
        done, shown = retry.write(engine, partial(_apply_page, project_id, ref, page))
        tally.add(done)
        seen |= shown
        complete = page.next_cursor is None or not page.items
    if complete:
        with session_scope(engine) as session:
            for entry in session.exec(
                select(ProjectItemRow).where(ProjectItemRow.project_id == project_id)
            ):
                if entry.node_id not in seen:
                    session.delete(entry)  # taken out of the project


def _gone(ref: str) -> GitHubError:
    return NotFound(f"project {ref} is gone, or this token can no longer see it")


def _apply_page(
    project_id: str, ref: str, page: ItemsPage, session: Session
) -> tuple[_Tally, set[str]]:
    """Store one page of the project; return what it read and changed, and its items."""
    tally = _Tally()
    seen: set[str] = set()
    project = session.get(ProjectRow, project_id)
    assert project is not None
    # The page shows the fields as they are now: a renamed or re-made field is followed.
    store_fields(project, page.fields)
    priority_id = page.fields.priority.id if page.fields.priority else None
    due_id = page.fields.due.id if page.fields.due else None
    node_ids = [i.issue_node_id for i in page.items if i.issue_node_id]
    issues = {
        row.node_id: row
        for row in session.exec(select(IssueRow).where(col(IssueRow.node_id).in_(node_ids)))
        if row.node_id
    }
    entries = {
        e.node_id: e
        for e in session.exec(
            select(ProjectItemRow).where(
                col(ProjectItemRow.node_id).in_([i.id for i in page.items])
            )
        )
    }
    linked = items_by_issue(session, [r.id for r in issues.values() if r.id is not None])
    changes = Changes(source="github", at=clock.now())
    for item in page.items:
        issue = issues.get(item.issue_node_id or "")
        if issue is None or issue.id is None or item.archived:
            continue
        tally.read += 1
        seen.add(item.id)
        priority = item.values.get(priority_id) if priority_id else None
        due = item.values.get(due_id) if due_id else None
        entry = entries.get(item.id)
        if entry is None:
            session.add(
                ProjectItemRow(
                    project_id=project_id,
                    issue_id=issue.id,
                    node_id=item.id,
                    priority=priority,
                    due=due,
                    updated_at=item.updated_at,
                )
            )
            continue
        if as_utc(entry.updated_at) == as_utc(item.updated_at):
            continue
        detail: dict[str, Any] = {"issue": issue_ref(issue), "project": ref}
        at = item.updated_at or clock.now()
        moved = False
        for target in linked.get(issue.id, []):
            if target.status == Status.REMOVED.value:
                continue
            if priority_id and priority != entry.priority:
                wanted = option_priority(priority, PRIORITIES)
                if (priority is None or wanted is not None) and follow_priority(
                    target, wanted, changes, at=at, detail={**detail, "from": "project"}
                ):
                    moved = True
                    forget_policy(session, target)
                    _overrule(session, target.id, FIELD_PRIORITY, wanted, ref, tally)
            if (
                due_id
                and due != entry.due
                and follow_due(target, due, changes, at=at, detail={**detail, "from": "project"})
            ):
                moved = True
                _overrule(session, target.id, FIELD_DUE, due, ref, tally)
            if moved:
                target.updated_at = clock.now()
        if priority_id:
            entry.priority = priority
        if due_id:
            entry.due = due
        entry.updated_at = item.updated_at
        tally.changed += moved
    tally.changes.extend(flush_changes(session, changes))
    return tally, seen


def _overrule(
    session: Session, item_id: str, field_name: str, value: str | None, ref: str, tally: _Tally
) -> None:
    """Drop an edit of the field still waiting: the project's change wins."""
    waiting = pending(session, item_id, field_name)
    if waiting is None:
        return
    session.delete(waiting)
    tally.warnings.append(
        f"{item_id}: project {ref} changed the {field_name} too (now "
        f"{describe(field_name, value)}); your edit ({describe(field_name, waiting.value)}) "
        "was dropped"
    )


__all__ = ["ProjectItem", "poll_projects", "projects_to_poll"]
