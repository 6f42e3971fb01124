"""Send an item's priority and due date to GitHub: its issue's label and body, its projects.

The priority is a `priority:P1` label: the new one is created with its colour when the
repository lacks it (GitHub would create it grey), added, and the issue's other
priority labels removed; no other label is touched. The due date is the Due line of
followup's block in the body: the body is read, that line changed, and the body
written back, so the user's text around the block stays as it is. Then each project
(v2) the issue is in gets the value in its Priority or Due field.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import select

from followup.errors import FollowupError
from followup.github.client import GitHub
from followup.github.errors import GitHubError
from followup.github.issue_fields import label_priority, priority_label, split_policy, with_due
from followup.github.issue_mapping import RemoteIssue, label_spec, same_label
from followup.github.issues import (
    add_labels,
    create_label,
    get_issue_and_body,
    label_exists,
    remove_label,
    update_issue_body,
)
from followup.github.project_mapping import ProjectField
from followup.store import session_scope
from followup.store.models import ProjectItemRow, ProjectRow
from followup.sync.projects import FieldValues, due_change, priority_change, send_values


@dataclass(frozen=True, slots=True)
class LabelsNow:
    """The labels an issue has after followup changed its priority label."""

    labels: tuple[str, ...]


class NoBlock(FollowupError):
    """The issue's body has no block of followup's to hold a due date."""


def push_priority(
    client: GitHub, repo: str, number: int, priority: str | None, labels: tuple[str, ...]
) -> LabelsNow:
    """Give the issue the label of a priority (None: no priority label); return its labels."""
    now = list(labels)
    wanted = priority_label(priority) if priority else None
    if wanted is not None:
        if not label_exists(client, repo, wanted):
            create_label(client, repo, label_spec(wanted))
        # Added even when the last read showed it: that read may be old, and the answer
        # lists the labels the issue has now, which the removals below go by.
        now = list(add_labels(client, repo, number, [wanted]))
    for name in [n for n in now if label_priority(n) is not None]:
        if wanted is not None and same_label(name, wanted):
            continue
        after = remove_label(client, repo, number, name)
        now = list(after) if after is not None else [n for n in now if n != name]
    return LabelsNow(tuple(now))


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """An issue just read, with its body exactly as GitHub holds it."""

    issue: RemoteIssue
    raw_body: str | None


def read_issue(client: GitHub, repo: str, number: int) -> ReadIssue:
    """Read the issue with its body (GraphQL polls do not carry bodies)."""
    return ReadIssue(*get_issue_and_body(client, repo, number))


def push_due(client: GitHub, read: ReadIssue, due: str | None) -> RemoteIssue:
    """Write a due date (ISO, or None to remove it) into the block of the issue as just read.

    The body written is the one GitHub holds, not the cleaned copy followup shows: the
    user's text keeps every character, line endings included.
    """
    body = with_due(read.raw_body, due)
    if body is None:
        raise NoBlock(f"{read.issue.ref} has no block of followup's in its body to hold a due date")
    if body == read.raw_body:
        return read.issue
    return update_issue_body(client, read.issue.repo, read.issue.number, body)


def mirror_to_projects(
    engine: Engine, client: GitHub, issue_id: int, field: str, value: str | None
) -> list[str]:
    """Set Priority or Due (an ISO date) of the issue's item in each project it is in.

    Returns a line for each project that could not take it; a project item that already
    shows the value is left alone.
    """
    with session_scope(engine) as session:
        found = session.exec(
            select(ProjectItemRow, ProjectRow)
            .join(ProjectRow, ProjectRow.id == ProjectItemRow.project_id)  # type: ignore[arg-type]
            .where(ProjectItemRow.issue_id == issue_id)
        ).all()
        entries = [(item.id, item.node_id, item.priority, item.due, row) for item, row in found]
        for _, _, _, _, row in entries:
            session.expunge(row)
    if field != "priority" and value:
        # A project's Due field holds the date alone, without the policy's note.
        value = split_policy(value)[0] or None
    notes: list[str] = []
    for entry_id, node_id, shown_priority, shown_due, row in entries:
        where = f"project {row.ref}"
        values = FieldValues()
        if field == "priority":
            if (shown_priority or "").casefold() == (value or "").casefold():
                continue
            priority_change(where, ProjectField.from_json(row.priority_field), value, values)
        else:
            if (shown_due or None) == value:
                continue
            due_change(ProjectField.from_json(row.due_field), value, values)
        notes.extend(values.notes)
        if values.empty:
            continue
        try:
            sent = send_values(client, row.id, node_id, values)
        except GitHubError as exc:
            notes.append(f"{where} not updated: {exc}")
            continue
        with session_scope(engine) as session:
            stored = session.get(ProjectItemRow, entry_id)
            if stored is not None:
                sent.record(stored)
    return notes
