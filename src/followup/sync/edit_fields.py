"""What an edit changes, here and on GitHub: one entry per field, shared by edits and pushes.

Four fields reach GitHub: the issue's state (close, reopen), its assignees, the priority
label and the Due line of followup's block in the body. For each, a value as GitHub
holds it (`current`), a comparison that knows GitHub's ways (logins and labels ignore
case), the change an edit makes to the item, and the write that sends it
(sync/mirror.py for the priority and the due date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from followup import clock
from followup.errors import InputError
from followup.github import issues as rest
from followup.github.client import GitHub
from followup.github.issue_fields import due_line, priority_of, split_policy
from followup.github.issue_mapping import RemoteIssue
from followup.policy import DUE_EDITED, DUE_POLICY, DuePolicy
from followup.store import retry, session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PendingEditRow, PostMortemRow, Status
from followup.store.policy import work_out_item
from followup.store.queries import find_item
from followup.sync.issue_state import (
    FINAL_GONE,
    IssueUpdates,
    encode_assignees,
    encode_state,
    override,
    same_logins,
)
from followup.sync.links import issue_ref, remote_from_row, set_status
from followup.sync.mirror import LabelsNow, push_priority

FIELD_STATE = "state"
FIELD_ASSIGNEE = "assignee"
FIELD_PRIORITY = "priority"
FIELD_DUE = "due"
REASON_WORDS = {"completed": "completed", "not_planned": "not planned"}
# The item's field each GitHub field is, as results and reports name it.
ITEM_FIELD = {
    FIELD_STATE: "status",
    FIELD_ASSIGNEE: "owner",
    FIELD_PRIORITY: "priority",
    FIELD_DUE: "due",
}
# The field as a sync's messages name it.
FIELD_WORDS = {
    FIELD_STATE: "status",
    FIELD_ASSIGNEE: "assignee",
    FIELD_PRIORITY: "priority",
    FIELD_DUE: "due date",
}


# -- values ---------------------------------------------------------------------------


def describe_state(value: str | None) -> str:
    """Return an encoded issue state as words: open, closed (not planned)..."""
    if value is None:
        return "unknown"
    state, _, reason = value.partition(":")
    return f"{state} ({REASON_WORDS.get(reason, reason)})" if reason else state


def describe(field: str, value: str | None) -> str:
    """Return a field's value as a message shows it."""
    if field == FIELD_STATE:
        return describe_state(value)
    if field == FIELD_ASSIGNEE:
        return value or "nobody"
    return value or "none"


def current(field: str, issue: IssueRow) -> str | None:
    """Return the field's value on GitHub, as the store last saw it.

    For the due date, None means not known (no body read yet, or no block of
    followup's); "" means the block has no Due line.
    """
    if field == FIELD_STATE:
        return encode_state(issue.state, issue.state_reason)
    if field == FIELD_PRIORITY:
        return priority_of(issue.labels or ())
    if field == FIELD_DUE:
        return issue.body_due
    return encode_assignees(issue.assignees or ())


def same(field: str, a: str | None, b: str | None) -> bool:
    """Tell whether two values of a field are the same to GitHub."""
    if field == FIELD_STATE:
        return a == b
    if field == FIELD_ASSIGNEE:
        return same_logins(logins(a), logins(b))
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def logins(value: str | None) -> list[str]:
    """Return the logins of an encoded assignee value."""
    return [login for login in (value or "").split(",") if login]


def iso(value: date | None) -> str | None:
    """Return a date as YYYY-MM-DD, or None."""
    return value.isoformat() if value else None


# -- reading --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An item and its issue as stored, read in one short transaction."""

    item_id: str
    status: str
    owner: str | None
    priority: str | None
    due: date | None
    due_text: str | None
    due_source: str | None
    issue_id: int | None
    repo: str | None
    number: int | None
    ref: str | None
    state: str | None
    assignees: tuple[str, ...]
    labels: tuple[str, ...]
    body_due: str | None

    @property
    def linked(self) -> bool:
        """Tell whether the item has an issue its edits go to."""
        return self.issue_id is not None

    @property
    def policy_line(self) -> str | None:
        """Return the Due line a date the policy set shows on the issue (None: no date)."""
        if self.due_source != DUE_POLICY:
            return None
        return due_line(self.due, self.priority)


def snapshot_of(item: ItemRow, issue: IssueRow | None) -> Snapshot:
    """Return an item and its issue (None: not linked) as plain values."""
    return Snapshot(
        item_id=item.id,
        status=item.status,
        owner=item.owner,
        priority=item.priority,
        due=item.due,
        due_text=item.due_text,
        due_source=item.due_source,
        issue_id=issue.id if issue else None,
        repo=issue.repo if issue else None,
        number=issue.number if issue else None,
        ref=issue_ref(issue) if issue else None,
        state=encode_state(issue.state, issue.state_reason) if issue else None,
        assignees=tuple(issue.assignees or ()) if issue else (),
        labels=tuple(issue.labels or ()) if issue else (),
        body_due=issue.body_due if issue else None,
    )


def snapshot(engine: Engine, ref: str) -> Snapshot:
    """Read an item (by id or prefix) and its issue; refuse a removed item."""
    with session_scope(engine) as session:
        item = find_item(session, ref)
        refuse_removed(item)
        issue = session.get(IssueRow, item.issue_id) if item.issue_id is not None else None
        if issue is not None and issue.gone in FINAL_GONE:
            issue = None  # the link is broken: the edit can only be local
        return snapshot_of(item, issue)


def refuse_removed(item: ItemRow) -> None:
    """Refuse to edit an item its post-mortem no longer has."""
    if item.status == Status.REMOVED.value:
        raise InputError(
            f"item {item.id} was removed from its post-mortem; edit the document instead"
        )


def get_item(session: Session, item_id: str) -> ItemRow:
    """Return an item known to exist."""
    item = session.get(ItemRow, item_id)
    assert item is not None
    return item


def pending(session: Session, item_id: str, field: str) -> PendingEditRow | None:
    """Return the edit of a field waiting to be pushed, if any."""
    return session.exec(
        select(PendingEditRow).where(
            PendingEditRow.item_id == item_id, PendingEditRow.field == field
        )
    ).first()


def drop_pending(session: Session, item_id: str, field: str) -> None:
    """Forget the edit of a field waiting to be pushed."""
    row = pending(session, item_id, field)
    if row is not None:
        session.delete(row)


# -- local changes --------------------------------------------------------------------

LocalChange = Callable[[Session, ItemRow, Changes], None]


def status_change(status: Status) -> LocalChange:
    """Return the change that gives an item a status."""

    def change(session: Session, item: ItemRow, changes: Changes) -> None:
        if set_status(item, status, changes, at=changes.at):
            override(item, "status", "user")

    return change


def owner_change(login: str | None) -> LocalChange:
    """Return the change that gives an item an owner."""

    def change(session: Session, item: ItemRow, changes: Changes) -> None:
        if (item.owner or "").casefold() == (login or "").casefold():
            return
        changes.add(item.id, "owner", item.owner, login)
        item.owner = login
        item.updated_at = clock.now()
        override(item, "owner", "user")

    return change


def priority_change(priority: str | None, policy: DuePolicy | None = None) -> LocalChange:
    """Return the change that gives an item a priority.

    With the due-date policy, an item dated by it is dated again at once; without, the
    next open of the store does it.
    """

    def change(session: Session, item: ItemRow, changes: Changes) -> None:
        if item.priority == priority:
            return
        changes.add(item.id, "priority", item.priority, priority)
        item.priority = priority
        item.updated_at = clock.now()
        override(item, "priority", "user")
        redate(session, item, policy, at=changes.at)

    return change


def redate(session: Session, item: ItemRow, policy: DuePolicy | None, *, at: datetime) -> None:
    """Date an item again by the policy after a new priority (or leave it to the next open)."""
    pm = session.get(PostMortemRow, item.postmortem_id)
    assert pm is not None
    if policy is None:
        pm.policy_key = None
        return
    dated = Changes(source="policy", at=at)
    work_out_item(item, pm, policy, dated)
    dated.flush(session)


def due_change(due: date | None) -> LocalChange:
    """Return the change that gives an item a due date."""

    def change(session: Session, item: ItemRow, changes: Changes) -> None:
        if item.due == due and (due is not None or item.due_text is None):
            return
        changes.add(item.id, "due", item.due, due)
        item.due = due
        # An edit beats the document and the policy, even one that clears the date.
        item.due_source = DUE_EDITED
        # The document's wording ("end of Q1") no longer describes the date.
        item.due_text = due.isoformat() if due else None
        item.updated_at = clock.now()
        override(item, "due", "user")
        override(item, "due_text", "user")

    return change


def keep_policy_date(session: Session, item: ItemRow, changes: Changes) -> None:
    """Change nothing: the item has the policy's date already; only GitHub is told."""


def due_value_change(value: str | None) -> LocalChange:
    """Return the change a Due line's value makes: none for the policy's own date."""
    text, by_policy = split_policy(value or "")
    if by_policy:
        return keep_policy_date
    return due_change(date.fromisoformat(text) if text else None)


def apply_local(engine: Engine, item_id: str, change: LocalChange) -> None:
    """Make a change to the item in the store only."""

    # Each write runs again from a fresh read if another writer changed the item meanwhile.
    def work(session: Session) -> None:
        changes = Changes(source="user", at=clock.now())
        change(session, get_item(session, item_id), changes)
        changes.flush(session)

    retry.write(engine, work)


def queue(
    engine: Engine,
    snap: Snapshot,
    field: str,
    value: str | None,
    change: LocalChange,
) -> bool:
    """Change the item here and keep the edit for the next sync; False if it cancels out."""
    assert snap.issue_id is not None

    def work(session: Session) -> bool:
        issue = session.get(IssueRow, snap.issue_id)
        assert issue is not None
        item = get_item(session, snap.item_id)
        # The waiting edit and the item change together: another edit of the item meanwhile
        # makes this one run again rather than leave two waiting edits.
        retry.claim(item)
        waiting = pending(session, snap.item_id, field)
        # The base stays the GitHub value the first waiting edit was made against.
        base = waiting.base if waiting is not None else current(field, issue)
        # A due date GitHub's body was never read for cannot be known to be there.
        unknown = field == FIELD_DUE and base is None
        kept = unknown or not same(field, value, base)
        if waiting is not None and not kept:
            session.delete(waiting)
        elif waiting is not None:
            waiting.value = value
            waiting.created_at = clock.now()
        elif kept:
            session.add(
                PendingEditRow(
                    item_id=snap.item_id,
                    field=field,
                    value=value,
                    base=base,
                    created_at=clock.now(),
                )
            )
        changes = Changes(source="user", at=clock.now())
        change(session, item, changes)
        changes.flush(session)
        return kept

    return retry.write(engine, work)


Answer = RemoteIssue | LabelsNow


def store_answer(
    engine: Engine,
    snap: Snapshot,
    field: str,
    answer: Answer,
    change: LocalChange,
    *,
    waited: tuple[int, str | None] | None = None,
) -> None:
    """Record GitHub's answer to a pushed edit and settle the item on it.

    The user's change is an event at GitHub's time of it, and so is what else the
    answer shows changed on the issue (its assignees, for a reassignment).

    waited is the waiting edit a sync pushed (its id and value). If the person changed
    it again since the sync read it, the answer goes to the issue only: the item keeps
    the newer value, which waits for the next sync against what GitHub shows now.
    """
    assert snap.issue_id is not None

    def work(session: Session) -> None:
        issue = session.get(IssueRow, snap.issue_id)
        assert issue is not None
        item = get_item(session, snap.item_id)
        retry.claim(item)
        if isinstance(answer, LabelsNow):
            # The label calls answer with the labels only: the rest is as last read, and
            # the change is as of now (the next poll brings GitHub's own time).
            at = clock.now()
            remote = replace(remote_from_row(issue), labels=answer.labels, updated_at=at)
        else:
            remote = answer
            closed = field == FIELD_STATE and remote.state == "closed" and remote.closed_at
            at = (remote.closed_at if closed else remote.updated_at) or clock.now()
        newer = changed_since(session, waited)
        if newer is not None:
            theirs = IssueUpdates(session, source="user")
            theirs.apply(issue, [], remote)
            theirs.flush()
            newer.base = current(field, issue)
            return
        mine = Changes(source="user", at=at)
        change(session, item, mine)
        theirs = IssueUpdates(session, source="user")
        theirs.apply(issue, [item], remote)
        drop_pending(session, snap.item_id, field)
        mine.flush(session)
        theirs.flush()

    retry.write(engine, work)


def changed_since(session: Session, waited: tuple[int, str | None] | None) -> PendingEditRow | None:
    """Return the waiting edit if a person changed its value since a sync read it."""
    if waited is None:
        return None
    row = session.get(PendingEditRow, waited[0])
    return row if row is not None and row.value != waited[1] else None


def store_read(engine: Engine, snap: Snapshot, remote: RemoteIssue) -> None:
    """Record an issue just read (its body's Due line with it); the item follows its changes."""
    assert snap.issue_id is not None

    def work(session: Session) -> None:
        issue = session.get(IssueRow, snap.issue_id)
        assert issue is not None
        theirs = IssueUpdates(session)
        theirs.apply(issue, [get_item(session, snap.item_id)], remote)
        theirs.flush()

    retry.write(engine, work)


def target_status(current: str, state: str, reason: str | None, *, linked: bool) -> Status:
    """Return the status an item takes when it is closed (for a reason) or reopened.

    A reopened item is filed again when it has an issue, open when it has none; one in
    progress or regressed keeps that status, as it does when its issue is reopened.
    """
    if state == "closed":
        return Status.WONT_DO if reason in ("not_planned", "duplicate") else Status.DONE
    if current in (Status.IN_PROGRESS.value, Status.REGRESSED.value):
        return Status(current)
    return Status.FILED if linked else Status.OPEN


# -- writes ---------------------------------------------------------------------------


def push_state(client: GitHub, snap: Snapshot, value: str) -> RemoteIssue:
    """Close (state closed:<reason>) or reopen the issue."""
    assert snap.repo is not None and snap.number is not None
    state, _, reason = value.partition(":")
    return rest.set_issue_state(client, snap.repo, snap.number, state, reason or None)


def push_assignee(client: GitHub, snap: Snapshot, value: str | None) -> RemoteIssue:
    """Give the issue to one user, or to nobody."""
    assert snap.repo is not None and snap.number is not None
    # GitHub drops a login it cannot assign without saying so, which would leave the
    # issue with nobody: ask first.
    if value and not rest.can_be_assigned(client, snap.repo, value):
        raise InputError(
            f"GitHub did not assign {value} to {snap.ref}: they cannot be assigned issues "
            f"in {snap.repo} (they need access to it)"
        )
    return rest.set_assignees(client, snap.repo, snap.number, logins(value))


def push_label(client: GitHub, snap: Snapshot, value: str | None) -> LabelsNow:
    """Give the issue the priority label of value, and no other priority label."""
    assert snap.repo is not None and snap.number is not None
    return push_priority(client, snap.repo, snap.number, value, snap.labels)
