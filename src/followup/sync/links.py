"""Tie items to GitHub issues in the store: issue rows, links, statuses, filing intents.

Filing uses these right after it creates or finds an issue; a sync uses the same ones
to apply what it polled. Nothing here commits: the caller decides when (filing
commits an intent before each create, and the link right after it).

GitHub's answer may be older than the one stored: a list read before another followup
stored the answer to its close (a converge, a rebuild, filing's look before creating).
Such an answer never overwrites the newer one, and the item takes its status from what
is stored (tests/sync/test_concurrency_writers.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from followup import clock
from followup.github.issue_fields import body_due
from followup.github.issue_mapping import RemoteIssue, status_for_issue
from followup.store.history import Changes
from followup.store.models import (
    CLOSED_STATUSES,
    IssueRow,
    ItemRow,
    PendingEditRow,
    PostMortemRow,
    Status,
)
from followup.sync.repo_poll import as_utc


def find_issue(session: Session, repo: str, number: int) -> IssueRow | None:
    """Return the stored issue owner/name#number, if any."""
    return session.exec(
        select(IssueRow).where(IssueRow.repo == repo.lower(), IssueRow.number == number)
    ).first()


def older_than_stored(remote: datetime | None, stored: datetime | None) -> bool:
    """Tell whether GitHub's answer predates the one stored (GitHub's times only grow)."""
    theirs, ours = as_utc(remote), as_utc(stored)
    return theirs is not None and ours is not None and theirs < ours


def upsert_issue(
    session: Session, remote: RemoteIssue, *, seen_at: datetime | None = None
) -> IssueRow:
    """Store what GitHub says about an issue, creating its row the first time.

    An answer older than the stored one changes nothing (module doc).
    """
    row = find_issue(session, remote.repo, remote.number)
    if row is None and remote.node_id:
        # A transferred issue keeps its node id while its repository and number change.
        row = session.exec(select(IssueRow).where(IssueRow.node_id == remote.node_id)).first()
    if row is not None and older_than_stored(remote.updated_at, row.updated_at):
        return row
    if row is None:
        row = IssueRow(repo=remote.repo, number=remote.number)
        session.add(row)
    row.repo = remote.repo
    row.number = remote.number
    row.node_id = remote.node_id or row.node_id
    row.url = remote.url or row.url
    row.title = remote.title
    if remote.body is not None:
        row.body_due = body_due(remote.body)
    row.state = remote.state
    row.state_reason = remote.state_reason
    row.assignees = list(remote.assignees)
    row.labels = list(remote.labels)
    row.pull_request_state = remote.pull_request_state
    row.gone = None
    row.updated_at = remote.updated_at
    row.closed_at = remote.closed_at
    row.synced_at = seen_at or clock.now()
    session.flush()
    return row


def issue_ref(issue: IssueRow) -> str:
    """Return owner/name#12 for a stored issue."""
    return f"{issue.repo}#{issue.number}"


def link_item(
    session: Session,
    item: ItemRow,
    issue: IssueRow,
    changes: Changes,
    *,
    how: str,
    at: datetime | None = None,
) -> bool:
    """Link an item to an issue (a 'link' event), clearing its intent and failure reason.

    how says where the link came from (created, reconciled, referenced, synced); at is
    when it happened, GitHub's time where there is one. Returns whether the link changed.
    """
    assert issue.id is not None
    item.filing_intent_at = None
    item.status_reason = None
    if item.issue_id == issue.id:
        return False
    old = session.get(IssueRow, item.issue_id) if item.issue_id is not None else None
    changes.add(
        item.id,
        "link",
        issue_ref(old) if old is not None else None,
        issue_ref(issue),
        at=at or clock.now(),
        detail={"url": issue.url, "how": how},
    )
    item.issue_id = issue.id
    item.updated_at = clock.now()
    return True


def set_status(
    item: ItemRow,
    status: Status,
    changes: Changes,
    *,
    at: datetime | None = None,
    detail: dict[str, object] | None = None,
) -> bool:
    """Change an item's status with a 'status' event; False when it already had it."""
    if item.status == status.value:
        return False
    changes.add(item.id, "status", item.status, status.value, at=at or clock.now(), detail=detail)
    item.status = status.value
    item.updated_at = clock.now()
    return True


def status_from_issue(item: ItemRow, remote: RemoteIssue) -> Status:
    """Return the status an item takes from its issue.

    An open issue does not undo what an owner said locally: an item in progress (or
    regressed) stays so while its issue is open.
    """
    status = status_for_issue(remote.state, remote.state_reason)
    current = Status(item.status)
    if status is Status.FILED and current in (Status.IN_PROGRESS, Status.REGRESSED):
        return current
    return status


def apply_issue(
    session: Session,
    item: ItemRow,
    remote: RemoteIssue,
    changes: Changes,
    *,
    how: str,
    at: datetime | None = None,
) -> IssueRow:
    """Store the issue, link the item to it and give the item the issue's status.

    A status that comes from closing takes GitHub's closed_at as its time; an answer
    older than the stored one gives way to it (module doc). A close or reopen waiting to
    be sent to the issue is newer than the issue's state: the item keeps its status.
    """
    row = upsert_issue(session, remote)
    if older_than_stored(remote.updated_at, row.updated_at):
        remote = remote_from_row(row)
    link_item(session, item, row, changes, how=how, at=at)
    waiting = select(PendingEditRow.id).where(
        PendingEditRow.item_id == item.id,
        PendingEditRow.field == "state",  # edit_fields.FIELD_STATE
    )
    if session.exec(waiting).first() is not None:
        return row
    status = status_from_issue(item, remote)
    when = remote.closed_at if status in CLOSED_STATUSES and remote.closed_at else at
    set_status(item, status, changes, at=when, detail={"issue": remote.ref})
    return row


def record_intent(item: ItemRow, at: datetime | None = None) -> None:
    """Note that an issue is about to be created for the item (commit before the POST)."""
    item.filing_intent_at = at or clock.now()


def clear_intent(item: ItemRow) -> None:
    """Forget an intent whose create certainly did not happen."""
    item.filing_intent_at = None


def record_failure(item: ItemRow, reason: str) -> None:
    """Keep why the item could not be filed; `list` and `show` print it."""
    item.status_reason = reason


def set_tracking_issue(pm: PostMortemRow, issue: IssueRow) -> bool:
    """Record a post-mortem's tracking issue; False when it was already the one."""
    assert issue.id is not None
    if pm.tracking_issue_id == issue.id:
        return False
    pm.tracking_issue_id = issue.id
    return True


def remote_from_row(row: IssueRow) -> RemoteIssue:
    """Return a stored issue as a RemoteIssue (what followup last saw of it)."""
    return RemoteIssue(
        repo=row.repo,
        number=row.number,
        node_id=row.node_id,
        url=row.url,
        title=row.title or "",
        state=row.state or "open",
        state_reason=row.state_reason,
        assignees=tuple(row.assignees or ()),
        labels=tuple(row.labels or ()),
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        is_pull_request=bool(row.url and "/pull/" in row.url),
        merged=row.pull_request_state == "merged",
    )
