"""Put filed issues in a GitHub Project (v2) and keep their Priority and Due there.

When a project is configured (`project = "OWNER/NUMBER"`, or `followup file --project`),
filing adds each filed issue to it (`addProjectV2ItemById`, which returns the item
GitHub has when the issue is there already) and sets the item's Priority (the option
named like the item's priority) and Due (its due date) in one mutation. followup
creates nothing in the project: a missing field or option is a warning. The store keeps
the project's field ids (ProjectRow) and each item with the values last set or seen
(ProjectItemRow), so that a later edit of the item is one mutation, and a sync can
tell what changed in the project (sync/project_poll.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session, select

from followup import clock
from followup.github.client import GitHub
from followup.github.errors import AuthError, GitHubError, RateLimited
from followup.github.project_mapping import Project, ProjectField, ProjectFields
from followup.github.projects import FieldChange, add_item, find_project, set_fields
from followup.project_ref import parse_project
from followup.store import session_scope
from followup.store.models import IssueRow, ItemRow, ProjectItemRow, ProjectRow
from followup.sync.links import issue_ref
from followup.sync.progress import Progress, SilentProgress

ProjectAction = Literal["added", "already", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    """What adding one item's issue to the project did."""

    item_id: str
    issue: str | None
    action: ProjectAction
    message: str


@dataclass(frozen=True, slots=True)
class ProjectReport:
    """What putting filed issues in a project did, item by item."""

    project: str
    title: str | None = None
    url: str | None = None
    items: tuple[ProjectOutcome, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None

    def count(self, action: ProjectAction) -> int:
        """Return how many items had an outcome."""
        return sum(1 for item in self.items if item.action == action)

    @property
    def failed(self) -> bool:
        """Tell whether something failed, so that the exit code says so."""
        return self.error is not None or self.count("failed") > 0


# -- the project in the store ---------------------------------------------------------


def store_project(session: Session, project: Project) -> ProjectRow:
    """Record a project and the ids of its Priority and Due fields."""
    row = session.get(ProjectRow, project.id) or ProjectRow(id=project.id, ref=project.ref.key)
    row.ref = project.ref.key
    row.title = project.title
    row.url = project.url
    store_fields(row, project.fields)
    session.add(row)
    return row


def store_fields(row: ProjectRow, fields: ProjectFields) -> None:
    """Keep a project's fields as GitHub shows them now."""
    row.priority_field = fields.priority.to_json() if fields.priority else None
    row.due_field = fields.due.to_json() if fields.due else None
    row.checked_at = clock.now()


def resolve_project(engine: Engine, client: GitHub, text: str) -> Project:
    """Find the project OWNER/NUMBER (or its URL) on GitHub and record it."""
    project = find_project(client, parse_project(text))
    with session_scope(engine) as session:
        store_project(session, project)
    return project


# -- field values ---------------------------------------------------------------------


@dataclass(slots=True)
class FieldValues:
    """The changes to send for an item's Priority and Due, and what cannot be sent."""

    priority: FieldChange | None = None
    due: FieldChange | None = None
    priority_shown: str | None = None  # the option's name as the project spells it
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Tell whether there is nothing to send."""
        return self.priority is None and self.due is None


def priority_change(
    where: str, target: ProjectField | None, priority: str | None, values: FieldValues
) -> None:
    """Add the Priority change for a priority (None clears it) to values, or a note."""
    if target is None:
        return
    if priority is None:
        values.priority = FieldChange(target.id, None)
        return
    option = target.option(priority)
    if option is None:
        values.notes.append(
            f"{where} has no option {priority} in its {target.name} field; "
            "the priority is not set there"
        )
        return
    values.priority = FieldChange(target.id, option)
    values.priority_shown = next((n for n, o in target.options.items() if o == option), priority)


def due_change(target: ProjectField | None, due: str | None, values: FieldValues) -> None:
    """Add the Due change for an ISO date (None clears it) to values."""
    if target is not None:
        values.due = FieldChange(target.id, due)


def send_values(client: GitHub, project_id: str, node_id: str, values: FieldValues) -> Sent:
    """Send the changes in one mutation; return what the item holds now for those fields."""
    at = set_fields(client, project_id, node_id, priority=values.priority, due=values.due)
    return Sent(
        priority=values.priority is not None,
        priority_value=values.priority_shown if values.priority and values.priority.value else None,
        due=values.due is not None,
        due_value=values.due.value if values.due else None,
        at=at,
    )


@dataclass(frozen=True, slots=True)
class Sent:
    """What a mutation left in an item's fields (only those it changed)."""

    priority: bool
    priority_value: str | None
    due: bool
    due_value: str | None
    at: datetime | None

    def record(self, entry: ProjectItemRow) -> None:
        """Keep the values sent as the item's values in the project."""
        if self.priority:
            entry.priority = self.priority_value
        if self.due:
            entry.due = self.due_value
        entry.updated_at = self.at or entry.updated_at


# -- adding filed issues --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Filed:
    item_id: str
    issue_id: int
    node_id: str | None
    ref: str
    priority: str | None
    due: str | None


def _filed(session: Session, item_ids: Sequence[str]) -> list[_Filed]:
    found = []
    for item_id in item_ids:
        item = session.get(ItemRow, item_id)
        issue = session.get(IssueRow, item.issue_id) if item and item.issue_id else None
        if item is None or issue is None or issue.id is None:
            continue
        found.append(
            _Filed(
                item.id,
                issue.id,
                issue.node_id,
                issue_ref(issue),
                item.priority,
                item.due.isoformat() if item.due else None,
            )
        )
    return found


def add_to_project(
    engine: Engine,
    client: GitHub,
    project: Project,
    item_ids: Sequence[str],
    *,
    progress: Progress | None = None,
) -> ProjectReport:
    """Add the issues of these items to the project and set their Priority and Due.

    An issue the store already has in the project is left as it is. A refused token
    or a used-up rate limit ends the run; any other failure is that item's.
    """
    progress = progress or SilentProgress()
    where = f"project {project.ref}"
    warnings = list(project.fields.problems)
    if project.closed:
        warnings.append(f"{where} is closed; issues are added to it all the same")
    with session_scope(engine) as session:
        store_project(session, project)
        filed = _filed(session, item_ids)
        known = {
            i.issue_id
            for i in session.exec(
                select(ProjectItemRow).where(ProjectItemRow.project_id == project.id)
            )
        }
    outcomes: list[ProjectOutcome] = []
    error: str | None = None
    progress.start(len(filed), f"Adding issues to {where}")
    for one in filed:
        if one.issue_id in known:
            outcomes.append(ProjectOutcome(one.item_id, one.ref, "already", f"already in {where}"))
            progress.advance(one.item_id)
            continue
        if error is not None or progress.cancelled():
            why = error or "cancelled"
            outcomes.append(ProjectOutcome(one.item_id, one.ref, "skipped", f"not added: {why}"))
            continue
        if one.node_id is None:
            outcomes.append(
                ProjectOutcome(one.item_id, one.ref, "skipped", "GitHub gave no node id for it")
            )
            continue
        try:
            outcomes.append(_add_one(engine, client, project, one, warnings))
        except (AuthError, RateLimited) as exc:
            error = str(exc)
            outcomes.append(ProjectOutcome(one.item_id, one.ref, "failed", error))
        except GitHubError as exc:
            outcomes.append(ProjectOutcome(one.item_id, one.ref, "failed", str(exc)))
        progress.advance(one.item_id)
    return ProjectReport(
        project=str(project.ref),
        title=project.title,
        url=project.url,
        items=tuple(outcomes),
        warnings=tuple(dict.fromkeys(warnings)),
        error=error,
    )


def _add_one(
    engine: Engine,
    client: GitHub,
    project: Project,
    one: _Filed,
    warnings: list[str],
) -> ProjectOutcome:
    assert one.node_id is not None
    where = f"project {project.ref}"
    node_id, at = add_item(client, project.id, one.node_id)
    # Recorded before the fields are set: the issue is in the project whatever follows.
    _save_item(engine, project.id, one.issue_id, node_id, None, at)
    values = FieldValues()
    if one.priority:
        priority_change(where, project.fields.priority, one.priority, values)
    if one.due:
        due_change(project.fields.due, one.due, values)
    warnings.extend(values.notes)
    if values.empty:
        return ProjectOutcome(one.item_id, one.ref, "added", f"added to {where}")
    sent = send_values(client, project.id, node_id, values)
    _save_item(engine, project.id, one.issue_id, node_id, sent, at)
    shown = [
        f"{name} {value}"
        for name, changed, value in (
            ("Priority", sent.priority, sent.priority_value),
            ("Due", sent.due, sent.due_value),
        )
        if changed and value
    ]
    return ProjectOutcome(
        one.item_id, one.ref, "added", f"added to {where} with {' and '.join(shown)}"
    )


def _save_item(
    engine: Engine,
    project_id: str,
    issue_id: int,
    node_id: str,
    sent: Sent | None,
    at: datetime | None,
) -> None:
    with session_scope(engine) as session:
        entry = session.exec(
            select(ProjectItemRow).where(ProjectItemRow.node_id == node_id)
        ).first() or ProjectItemRow(project_id=project_id, issue_id=issue_id, node_id=node_id)
        entry.updated_at = at
        if sent is not None:
            sent.record(entry)
        session.add(entry)
