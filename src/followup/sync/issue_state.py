"""Bring what GitHub says about an issue into the store: the issue row and its items.

Only differences are written. An issue seen again unchanged writes nothing; a change
updates the row and adds one event per linked item and field, at GitHub's time of the
change (closed_at for a close, updated_at otherwise), through store.history.Changes.
Items follow only the fields that changed on GitHub, so a local edit still waiting to
be pushed is not undone by an unrelated change (a new label) to the same issue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from followup import clock
from followup.dates_input import BadDate, read_due
from followup.github.issue_fields import body_due, priority_of, split_policy
from followup.github.issue_mapping import RemoteIssue
from followup.policy import DUE_EDITED, DUE_POLICY
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PostMortemRow, Status
from followup.sync.links import (
    find_issue,
    issue_ref,
    link_item,
    older_than_stored,
    set_status,
    status_from_issue,
)
from followup.sync.repo_poll import as_utc

GONE_DELETED = "deleted"
GONE_TRANSFERRED = "transferred"
GONE_INACCESSIBLE = "inaccessible"
# Gone for good: never asked about again (an inaccessible issue may come back).
FINAL_GONE = frozenset({GONE_DELETED, GONE_TRANSFERRED})
CHUNK = 500


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One change a sync brought to an item."""

    item_id: str
    field: str
    old: str | None
    new: str | None
    at: datetime
    issue: str | None = None


def encode_state(state: str | None, reason: str | None) -> str | None:
    """Return an issue's state as one value: open, or closed:<reason>."""
    if state is None:
        return None
    if state.lower() != "closed":
        return "open"
    return f"closed:{(reason or 'completed').lower()}"


def encode_assignees(logins: Iterable[str]) -> str:
    """Return assignees as one value (comma-separated, as GitHub orders them)."""
    return ",".join(logins)


def same_logins(a: Iterable[str], b: Iterable[str]) -> bool:
    """Tell whether two lists of logins name the same people (GitHub ignores case)."""
    return {x.casefold() for x in a} == {y.casefold() for y in b}


def _names(values: Iterable[str]) -> str | None:
    joined = ", ".join(values)
    return joined or None


def gone_reason(gone: str, ref: str, moved_to: str | None = None) -> str:
    """Return the line an item shows when its issue can no longer be followed."""
    if gone == GONE_DELETED:
        return f"its issue {ref} was deleted on GitHub"
    if gone == GONE_TRANSFERRED:
        where = f" to {moved_to}" if moved_to else ""
        return f"its issue {ref} was transferred{where}; link the item to it again to follow it"
    return f"its issue {ref} cannot be read with this token (deleted, or access was lost)"


def _first(logins: Sequence[str]) -> str | None:
    return logins[0].casefold() if logins else None


def override(item: ItemRow, name: str, source: str) -> None:
    """Note that a field was set outside the document, so re-imports leave it be."""
    # A new dict: SQLAlchemy does not see changes made inside a JSON value.
    item.overrides = {**(item.overrides or {}), name: source}


def follow_priority(
    item: ItemRow,
    priority: str | None,
    changes: Changes,
    *,
    at: datetime,
    detail: dict[str, Any],
) -> bool:
    """Give an item the priority GitHub now shows for it; False when it had it."""
    if (item.priority or None) == priority:
        return False
    changes.add(item.id, "priority", item.priority, priority, at=at, detail=detail)
    item.priority = priority
    override(item, "priority", changes.source)
    return True


def forget_policy(session: Session, item: ItemRow) -> None:
    """Have the next open of the store date the item's post-mortem again by the policy."""
    pm = session.get(PostMortemRow, item.postmortem_id)
    if pm is not None:
        pm.policy_key = None


def follow_due(
    item: ItemRow,
    text: str | None,
    changes: Changes,
    *,
    at: datetime,
    detail: dict[str, Any],
) -> bool:
    """Give an item the due date GitHub now shows for it (as written there).

    A line that still says the policy set the item's own policy date changes nothing:
    followup wrote it. Any other date is someone's, and beats the policy.
    """
    line, by_policy = split_policy(" ".join((text or "").split()))
    written = line or None
    try:
        due = read_due(line, at.date())
    except BadDate:
        due = None  # words followup cannot read: kept as the due text, with no date
    if by_policy and item.due_source == DUE_POLICY and item.due == due:
        return False
    if item.due == due and (item.due_text or None) == written:
        return False
    changes.add(item.id, "due", item.due, due, at=at, detail={**detail, "text": written})
    item.due = due
    # Someone dated it on GitHub: that beats the document and the policy, as an edit does.
    item.due_source = DUE_EDITED
    item.due_text = written
    override(item, "due", changes.source)
    override(item, "due_text", changes.source)
    return True


def items_by_issue(session: Session, issue_ids: Sequence[int]) -> dict[int, list[ItemRow]]:
    """Return the items linked to each issue, in a few queries."""
    found: dict[int, list[ItemRow]] = {}
    for start in range(0, len(issue_ids), CHUNK):
        chunk = list(issue_ids[start : start + CHUNK])
        for item in session.exec(select(ItemRow).where(col(ItemRow.issue_id).in_(chunk))):
            assert item.issue_id is not None
            found.setdefault(item.issue_id, []).append(item)
    return found


def rows_by_number(session: Session, repo: str, numbers: Sequence[int]) -> dict[int, IssueRow]:
    """Return the stored issues of a repository with these numbers."""
    found: dict[int, IssueRow] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = list(numbers[start : start + CHUNK])
        query = select(IssueRow).where(IssueRow.repo == repo, col(IssueRow.number).in_(chunk))
        for row in session.exec(query):
            found[row.number] = row
    return found


def rows_by_node(session: Session, remotes: Sequence[RemoteIssue]) -> dict[str, IssueRow]:
    """Return the stored issues with the node ids of these remote issues, by node id."""
    ids = [r.node_id for r in remotes if r.node_id]
    found: dict[str, IssueRow] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(IssueRow).where(col(IssueRow.node_id).in_(ids[start : start + CHUNK]))
        for row in session.exec(query):
            if row.node_id:
                found[row.node_id] = row
    return found


class IssueUpdates:
    """Apply GitHub's answers within one transaction, collecting the events."""

    def __init__(self, session: Session, *, source: str = "github") -> None:
        self.session = session
        self.now = clock.now()
        self.changes = Changes(source=source, at=self.now)
        self.issues_changed = 0

    def apply(
        self,
        row: IssueRow,
        items: Sequence[ItemRow],
        remote: RemoteIssue,
        *,
        closing_pr: str | None = None,
        closing_pr_known: bool = False,
        touch: bool = False,
    ) -> bool:
        """Update the row and its items from the remote issue; False when nothing differed.

        touch records that the issue was checked even when nothing changed (the
        sweep for deleted issues goes by that time).
        """
        if older_than_stored(remote.updated_at, row.updated_at):
            # Another followup stored a newer answer since this one was read: keep that.
            if touch:
                row.synced_at = self.now
            return False
        ref = issue_ref(row)
        old_state = encode_state(row.state, row.state_reason)
        new_state = encode_state(remote.state, remote.state_reason)
        old_assignees = tuple(row.assignees or ())
        old_labels = tuple(row.labels or ())
        old_title = row.title
        old_pr = row.pull_request_state
        old_gone = row.gone
        if remote.is_pull_request:
            new_pr = remote.pull_request_state
        else:
            new_pr = closing_pr if closing_pr_known else old_pr

        state_changed = old_state != new_state or (row.state_reason or None) != (
            remote.state_reason or None
        )
        assignees_changed = not same_logins(old_assignees, remote.assignees) or _first(
            old_assignees
        ) != _first(remote.assignees)
        labels_changed = {x.casefold() for x in old_labels} != {y.casefold() for y in remote.labels}
        title_changed = (old_title or "") != remote.title
        old_priority, new_priority = priority_of(old_labels), priority_of(remote.labels)
        priority_changed = labels_changed and old_priority != new_priority
        # Only an answer with the body (REST) says what the block's Due line is now.
        old_due = row.body_due
        new_due = body_due(remote.body) if remote.body is not None else old_due
        due_seen = new_due != old_due
        # A block that appears (first read) or disappears (rewritten body) moves no date.
        due_changed = due_seen and old_due is not None and new_due is not None
        pr_changed = old_pr != new_pr
        times_changed = as_utc(row.updated_at) != as_utc(remote.updated_at) or as_utc(
            row.closed_at
        ) != as_utc(remote.closed_at)
        ids_changed = (remote.node_id and row.node_id != remote.node_id) or (
            remote.url and row.url != remote.url
        )
        anything = (
            state_changed
            or assignees_changed
            or labels_changed
            or title_changed
            or pr_changed
            or times_changed
            or ids_changed
            or due_seen
            or old_gone is not None
        )
        if not anything:
            if touch:
                row.synced_at = self.now
            return False

        row.state = remote.state
        row.state_reason = remote.state_reason
        if assignees_changed:
            row.assignees = list(remote.assignees)
        if labels_changed:
            row.labels = list(remote.labels)
        row.title = remote.title
        row.body_due = new_due
        row.pull_request_state = new_pr
        row.updated_at = remote.updated_at
        row.closed_at = remote.closed_at
        row.node_id = remote.node_id or row.node_id
        row.url = remote.url or row.url
        row.gone = None
        row.synced_at = self.now
        self.issues_changed += 1

        at = remote.updated_at or self.now
        for item in items:
            if item.status == Status.REMOVED.value:
                continue
            touched = False
            detail: dict[str, Any] = {"issue": ref}
            if old_gone is not None:
                self.changes.add(item.id, "issue", old_gone, "found again", at=at, detail=detail)
                item.status_reason = None
                touched = True
            if state_changed:
                status = status_from_issue(item, remote)
                closed = remote.state.lower() == "closed"
                when = remote.closed_at if closed and remote.closed_at else at
                if set_status(
                    item, status, self.changes, at=when, detail={**detail, "state": new_state}
                ):
                    override(item, "status", self.changes.source)
                    touched = True
            if assignees_changed:
                self.changes.add(
                    item.id,
                    "assignees",
                    _names(old_assignees),
                    _names(remote.assignees),
                    at=at,
                    detail=detail,
                )
                touched = True
            if remote.assignees and (assignees_changed or not item.owner):
                owner = remote.assignees[0]
                if (item.owner or "").casefold() != owner.casefold():
                    self.changes.add(item.id, "owner", item.owner, owner, at=at, detail=detail)
                    item.owner = owner
                    override(item, "owner", self.changes.source)
                    touched = True
            if labels_changed:
                self.changes.add(
                    item.id,
                    "labels",
                    _names(old_labels),
                    _names(remote.labels),
                    at=at,
                    detail=detail,
                )
                touched = True
            if priority_changed and follow_priority(
                item, new_priority, self.changes, at=at, detail={**detail, "from": "label"}
            ):
                forget_policy(self.session, item)
                touched = True
            if due_changed and follow_due(
                item, new_due, self.changes, at=at, detail={**detail, "from": "body"}
            ):
                touched = True
            if title_changed and old_title is not None:
                self.changes.add(
                    item.id, "issue_title", old_title, remote.title, at=at, detail=detail
                )
                touched = True
            if pr_changed:
                self.changes.add(item.id, "pull_request", old_pr, new_pr, at=at, detail=detail)
                touched = True
            if touched:
                item.updated_at = self.now
        return True

    def moved(
        self,
        row: IssueRow,
        items: Sequence[ItemRow],
        remote: RemoteIssue,
        *,
        closing_pr: str | None = None,
        closing_pr_known: bool = False,
        touch: bool = False,
    ) -> bool:
        """Follow an issue GitHub now shows elsewhere: its repository was renamed or moved,
        or the issue was transferred. The items stay linked to it, with a 'link' event.

        The row takes the new repository and number; if the store already has a row for
        the new place, the items are linked to that one and the old row is left as gone.
        """
        old_ref = issue_ref(row)
        target = find_issue(self.session, remote.repo, remote.number)
        if target is not None and target.id != row.id:
            assert target.id is not None
            # The old row stays as a trace, no longer the issue's: its node id goes.
            row.gone = GONE_TRANSFERRED
            row.node_id = None
            row.synced_at = self.now
            for item in items:
                if item.status != Status.REMOVED.value:
                    link_item(self.session, item, target, self.changes, how="moved", at=self.now)
            everyone = items_by_issue(self.session, [target.id]).get(target.id, [])
            self.apply(
                target,
                everyone,
                remote,
                closing_pr=closing_pr,
                closing_pr_known=closing_pr_known,
                touch=touch,
            )
            return True
        row.repo = remote.repo
        row.number = remote.number
        new_ref = issue_ref(row)
        detail: dict[str, Any] = {"url": remote.url, "how": "moved"}
        for item in items:
            if item.status == Status.REMOVED.value:
                continue
            self.changes.add(item.id, "link", old_ref, new_ref, at=self.now, detail=detail)
            item.updated_at = self.now
        self.session.flush()
        changed = self.apply(
            row,
            items,
            remote,
            closing_pr=closing_pr,
            closing_pr_known=closing_pr_known,
            touch=True,
        )
        if not changed:
            self.issues_changed += 1  # the repository or number changed, if nothing else
        return True

    def mark_gone(
        self, row: IssueRow, items: Sequence[ItemRow], gone: str, *, moved_to: str | None = None
    ) -> bool:
        """Record that an issue was deleted, transferred or became unreadable."""
        row.synced_at = self.now
        if row.gone == gone:
            return False
        ref = issue_ref(row)
        old = row.gone
        row.gone = gone
        self.issues_changed += 1
        reason = gone_reason(gone, ref, moved_to)
        detail: dict[str, Any] = {"issue": ref}
        if moved_to:
            detail["moved_to"] = moved_to
        for item in items:
            if item.status == Status.REMOVED.value:
                continue
            self.changes.add(item.id, "issue", old, gone, detail=detail)
            # The status stays what it was: only the reason says the link is broken.
            item.status_reason = reason
            item.updated_at = self.now
        return True

    def flush(self) -> list[ItemChange]:
        """Write the collected events and return them as changes."""
        return flush_changes(self.session, self.changes)


def flush_changes(session: Session, changes: Changes) -> list[ItemChange]:
    """Write collected events and return them as changes for a report."""
    found = [
        ItemChange(
            item_id=str(r["item_id"]),
            field=str(r["field"]),
            old=r["old"],
            new=r["new"],
            at=r["at"],
            issue=(r["detail"] or {}).get("issue"),
        )
        for r in changes.rows
    ]
    changes.flush(session)
    return found
