"""Local edits of an item: close, reopen, reassign, due date, priority.

An edit of a linked item goes to GitHub first (one PATCH, never re-sent) and the store
then records what GitHub answered, with an event from the "user" and an override so
a re-import of the document does not undo it. Without a client, or when GitHub cannot
be reached, the item changes here at once and a PendingEditRow keeps the edit with the
GitHub value it was made against (`base`); the next sync pushes it. If GitHub's value
moved away from `base` in the meantime, GitHub wins: the edit is dropped and the sync
says so. Due dates and priorities exist only in followup, and unlinked items only in
the store: those edits are local.

Every function reads and writes in short transactions and never holds one open while
it waits for GitHub, so the TUI can call them from worker threads while a sync runs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from followup import clock
from followup.display import STATUS_LABEL
from followup.errors import InputError
from followup.github import issues as rest
from followup.github.client import GitHub
from followup.github.errors import GitHubError, RateLimited, TransientError
from followup.github.issue_mapping import RemoteIssue, is_login
from followup.policy import DUE_EDITED, DuePolicy
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PendingEditRow, PostMortemRow, Status
from followup.store.policy import work_out_item
from followup.store.queries import find_item, normalise_owner
from followup.sync.issue_state import (
    FINAL_GONE,
    IssueUpdates,
    encode_assignees,
    encode_state,
    override,
    same_logins,
)
from followup.sync.links import issue_ref, remote_from_row, set_status, status_from_issue
from followup.sync.progress import Progress, SilentProgress

Outcome = Literal["pushed", "queued", "local", "unchanged"]
PushOutcome = Literal["pushed", "confirmed", "dropped", "kept", "failed"]
CloseReason = Literal["completed", "not_planned"]

FIELD_STATE = "state"
FIELD_ASSIGNEE = "assignee"
PRIORITIES = ("P0", "P1", "P2", "P3")
REASON_WORDS = {"completed": "completed", "not_planned": "not planned"}


@dataclass(frozen=True, slots=True)
class EditResult:
    """What one edit did, for the UI to tell the user."""

    item_id: str
    field: str  # status, owner, due, priority
    old: str | None
    new: str | None
    outcome: Outcome
    message: str
    issue: str | None = None


@dataclass(frozen=True, slots=True)
class PendingOutcome:
    """What a sync did with one edit that was waiting to be pushed."""

    item_id: str
    field: str  # state, assignee
    value: str | None
    outcome: PushOutcome
    message: str
    issue: str | None = None


# -- values ---------------------------------------------------------------------------


def describe_state(value: str | None) -> str:
    """Return an encoded issue state as words: open, closed (not planned)..."""
    if value is None:
        return "unknown"
    state, _, reason = value.partition(":")
    return f"{state} ({REASON_WORDS.get(reason, reason)})" if reason else state


def _describe(field: str, value: str | None) -> str:
    if field == FIELD_STATE:
        return describe_state(value)
    return value or "nobody"


def _current(field: str, issue: IssueRow) -> str | None:
    if field == FIELD_STATE:
        return encode_state(issue.state, issue.state_reason)
    return encode_assignees(issue.assignees or ())


def _same(field: str, a: str | None, b: str | None) -> bool:
    if field == FIELD_STATE:
        return a == b
    return same_logins(_logins(a), _logins(b))


def _logins(value: str | None) -> list[str]:
    return [login for login in (value or "").split(",") if login]


# -- reading --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """An item and its issue as stored, read in one short transaction."""

    item_id: str
    status: str
    owner: str | None
    issue_id: int | None
    repo: str | None
    number: int | None
    ref: str | None
    state: str | None
    assignees: tuple[str, ...]

    @property
    def linked(self) -> bool:
        return self.issue_id is not None


def _snapshot(engine: Engine, ref: str) -> _Snapshot:
    with session_scope(engine) as session:
        item = find_item(session, ref)
        if item.status == Status.REMOVED.value:
            raise InputError(
                f"item {item.id} was removed from its post-mortem; edit the document instead"
            )
        issue = session.get(IssueRow, item.issue_id) if item.issue_id is not None else None
        if issue is not None and issue.gone in FINAL_GONE:
            issue = None  # the link is broken: the edit can only be local
        return _Snapshot(
            item_id=item.id,
            status=item.status,
            owner=item.owner,
            issue_id=issue.id if issue else None,
            repo=issue.repo if issue else None,
            number=issue.number if issue else None,
            ref=issue_ref(issue) if issue else None,
            state=encode_state(issue.state, issue.state_reason) if issue else None,
            assignees=tuple(issue.assignees or ()) if issue else (),
        )


def _item(session: Session, item_id: str) -> ItemRow:
    item = session.get(ItemRow, item_id)
    assert item is not None
    return item


def _pending(session: Session, item_id: str, field: str) -> PendingEditRow | None:
    return session.exec(
        select(PendingEditRow).where(
            PendingEditRow.item_id == item_id, PendingEditRow.field == field
        )
    ).first()


def _drop_pending(session: Session, item_id: str, field: str) -> None:
    row = _pending(session, item_id, field)
    if row is not None:
        session.delete(row)


# -- local changes --------------------------------------------------------------------

LocalChange = Callable[[Session, ItemRow, Changes], None]


def _status_change(status: Status) -> LocalChange:
    def change(session: Session, item: ItemRow, changes: Changes) -> None:
        if set_status(item, status, changes, at=changes.at):
            override(item, "status", "user")

    return change


def _owner_change(login: str | None) -> LocalChange:
    def change(session: Session, item: ItemRow, changes: Changes) -> None:
        if (item.owner or "").casefold() == (login or "").casefold():
            return
        changes.add(item.id, "owner", item.owner, login)
        item.owner = login
        item.updated_at = clock.now()
        override(item, "owner", "user")

    return change


def _local(engine: Engine, item_id: str, change: LocalChange) -> None:
    with session_scope(engine) as session:
        changes = Changes(source="user", at=clock.now())
        change(session, _item(session, item_id), changes)
        changes.flush(session)


def _queue(
    engine: Engine,
    snap: _Snapshot,
    field: str,
    value: str | None,
    change: LocalChange,
) -> bool:
    """Change the item here and keep the edit for the next sync; False if it cancels out."""
    assert snap.issue_id is not None
    with session_scope(engine) as session:
        issue = session.get(IssueRow, snap.issue_id)
        assert issue is not None
        waiting = _pending(session, snap.item_id, field)
        # The base stays the GitHub value the first waiting edit was made against.
        base = waiting.base if waiting is not None else _current(field, issue)
        kept = not _same(field, value, base)
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
        change(session, _item(session, snap.item_id), changes)
        changes.flush(session)
    return kept


def _store_answer(
    engine: Engine, snap: _Snapshot, field: str, remote: RemoteIssue, change: LocalChange
) -> None:
    """Record GitHub's answer to a pushed edit and settle the item on it.

    The user's change is an event at GitHub's time of it, and so is what else the
    answer shows changed on the issue (its assignees, for a reassignment).
    """
    assert snap.issue_id is not None
    with session_scope(engine) as session:
        issue = session.get(IssueRow, snap.issue_id)
        assert issue is not None
        item = _item(session, snap.item_id)
        closed = field == FIELD_STATE and remote.state == "closed" and remote.closed_at
        mine = Changes(
            source="user", at=(remote.closed_at if closed else remote.updated_at) or clock.now()
        )
        change(session, item, mine)
        theirs = IssueUpdates(session, source="user")
        theirs.apply(issue, [item], remote)
        _drop_pending(session, snap.item_id, field)
        mine.flush(session)
        theirs.flush()


# -- the edits ------------------------------------------------------------------------


def _push_state(client: GitHub, snap: _Snapshot, value: str) -> RemoteIssue:
    assert snap.repo is not None and snap.number is not None
    state, _, reason = value.partition(":")
    return rest.set_issue_state(client, snap.repo, snap.number, state, reason or None)


def _push_assignee(client: GitHub, snap: _Snapshot, value: str | None) -> RemoteIssue:
    assert snap.repo is not None and snap.number is not None
    # GitHub drops a login it cannot assign without saying so, which would leave the
    # issue with nobody: ask first.
    if value and not rest.can_be_assigned(client, snap.repo, value):
        raise InputError(
            f"GitHub did not assign {value} to {snap.ref}: they cannot be assigned issues "
            f"in {snap.repo} (they need access to it)"
        )
    return rest.set_assignees(client, snap.repo, snap.number, _logins(value))


def _edit_issue(
    engine: Engine,
    client: GitHub | None,
    snap: _Snapshot,
    *,
    field: str,
    value: str | None,
    change: LocalChange,
    shown: str,
    old: str | None,
    new: str | None,
) -> EditResult:
    """Push one edit of a linked item to GitHub, or keep it for the next sync."""
    name = "status" if field == FIELD_STATE else "owner"

    def result(outcome: Outcome, message: str) -> EditResult:
        return EditResult(snap.item_id, name, old, new, outcome, message, snap.ref)

    why = "no GitHub client"
    if client is not None:
        try:
            if field == FIELD_STATE:
                assert value is not None
                remote = _push_state(client, snap, value)
            else:
                remote = _push_assignee(client, snap, value)
        except (TransientError, RateLimited) as exc:
            why = str(exc)
        else:
            _store_answer(engine, snap, field, remote, change)
            return result("pushed", f"{snap.item_id}: {shown} on GitHub ({snap.ref})")
    if not _queue(engine, snap, field, value, change):
        return result(
            "local",
            f"{snap.item_id}: {shown} here; that is what GitHub has, so the edit "
            "waiting to be pushed is dropped",
        )
    return result(
        "queued",
        f"{snap.item_id}: {shown} here, not yet on GitHub ({why}); 'followup sync' pushes it",
    )


def _set_state(
    engine: Engine, client: GitHub | None, item_id: str, state: str, reason: str | None
) -> EditResult:
    snap = _snapshot(engine, item_id)
    value = encode_state(state, reason)
    assert value is not None
    status = target_status(snap.status, state, reason, linked=snap.linked)
    shown = f"{'closed' if state == 'closed' else 'reopened'}" + (
        f" as {REASON_WORDS[reason]}" if reason else ""
    )
    change = _status_change(status)
    if not snap.linked:
        if snap.status == status.value:
            return EditResult(
                item_id=snap.item_id,
                field="status",
                old=snap.status,
                new=snap.status,
                outcome="unchanged",
                message=f"{snap.item_id} is already {STATUS_LABEL.get(status, status)}",
            )
        _local(engine, snap.item_id, change)
        return EditResult(
            snap.item_id,
            "status",
            snap.status,
            status.value,
            "local",
            f"{snap.item_id}: {shown} (the item has no GitHub issue)",
        )
    if snap.state == value and snap.status == status.value:
        return EditResult(
            snap.item_id,
            "status",
            snap.status,
            snap.status,
            "unchanged",
            f"{snap.item_id}: {snap.ref} is already {describe_state(value)}",
            snap.ref,
        )
    return _edit_issue(
        engine,
        client,
        snap,
        field=FIELD_STATE,
        value=value,
        change=change,
        shown=shown,
        old=snap.status,
        new=status.value,
    )


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


def close_item(
    engine: Engine,
    client: GitHub | None,
    item_id: str,
    *,
    reason: CloseReason = "completed",
) -> EditResult:
    """Close an item (its issue too, as completed or not planned)."""
    if reason not in REASON_WORDS:
        raise InputError(f"a close reason is completed or not_planned, not {reason!r}")
    return _set_state(engine, client, item_id, "closed", reason)


def reopen_item(engine: Engine, client: GitHub | None, item_id: str) -> EditResult:
    """Reopen an item (and its issue)."""
    return _set_state(engine, client, item_id, "open", None)


def reassign_item(
    engine: Engine, client: GitHub | None, item_id: str, login: str | None
) -> EditResult:
    """Give an item (and its issue) to one GitHub user, or to nobody."""
    if login is not None:
        login = normalise_owner(login)
        if not is_login(login):
            raise InputError(f"not a GitHub login: {login!r}")
    snap = _snapshot(engine, item_id)
    change = _owner_change(login)
    if not snap.linked:
        if (snap.owner or "").casefold() == (login or "").casefold():
            return EditResult(
                snap.item_id,
                "owner",
                snap.owner,
                snap.owner,
                "unchanged",
                f"{snap.item_id} is already {_owned(login)}",
            )
        _local(engine, snap.item_id, change)
        return EditResult(
            snap.item_id,
            "owner",
            snap.owner,
            login,
            "local",
            f"{snap.item_id}: now {_owned(login)} (the item has no GitHub issue)",
        )
    wanted = [login] if login else []
    owner_ok = (snap.owner or "").casefold() == (login or "").casefold()
    if same_logins(snap.assignees, wanted) and owner_ok:
        return EditResult(
            snap.item_id,
            "owner",
            snap.owner,
            snap.owner,
            "unchanged",
            f"{snap.item_id}: {snap.ref} is already {_owned(login)}",
            snap.ref,
        )
    return _edit_issue(
        engine,
        client,
        snap,
        field=FIELD_ASSIGNEE,
        value=login,
        change=change,
        shown=f"assigned to {login}" if login else "unassigned",
        old=snap.owner,
        new=login,
    )


def _owned(login: str | None) -> str:
    return f"assigned to {login}" if login else "assigned to nobody"


def set_due(engine: Engine, item_id: str, due: date | None) -> EditResult:
    """Set or clear an item's due date (kept in followup only)."""
    with session_scope(engine) as session:
        item = find_item(session, item_id)
        _refuse_removed(item)
        old = item.due
        if old == due and (due is not None or item.due_text is None):
            return EditResult(item.id, "due", _iso(old), _iso(due), "unchanged", "no change")
        changes = Changes(source="user", at=clock.now())
        changes.add(item.id, "due", old, due)
        item.due = due
        # An edit beats the document and the policy, even one that clears the date.
        item.due_source = DUE_EDITED
        # The document's wording ("end of Q1") no longer describes the date.
        item.due_text = due.isoformat() if due else None
        item.updated_at = clock.now()
        override(item, "due", "user")
        override(item, "due_text", "user")
        changes.flush(session)
        shown = f"due {due.isoformat()}" if due else "no due date"
        return EditResult(item.id, "due", _iso(old), _iso(due), "local", f"{item.id}: {shown}")


def set_priority(
    engine: Engine, item_id: str, priority: str | None, *, policy: DuePolicy | None = None
) -> EditResult:
    """Set or clear an item's priority, P0 to P3 (kept in followup only).

    With the due-date policy, an item dated by it is dated again at once; without, the
    next open of the store does it.
    """
    if priority is not None:
        priority = priority.strip().upper()
        if priority not in PRIORITIES:
            raise InputError(f"a priority is one of {', '.join(PRIORITIES)}, not {priority!r}")
    with session_scope(engine) as session:
        item = find_item(session, item_id)
        _refuse_removed(item)
        old = item.priority
        if old == priority:
            return EditResult(item.id, "priority", old, priority, "unchanged", "no change")
        changes = Changes(source="user", at=clock.now())
        changes.add(item.id, "priority", old, priority)
        item.priority = priority
        item.updated_at = clock.now()
        override(item, "priority", "user")
        pm = session.get(PostMortemRow, item.postmortem_id)
        assert pm is not None
        dated = Changes(source="policy", at=changes.at)
        if policy is not None:
            work_out_item(item, pm, policy, dated)
        else:
            pm.policy_key = None
        changes.flush(session)
        dated.flush(session)
        shown = f"priority {priority}" if priority else "no priority"
        return EditResult(item.id, "priority", old, priority, "local", f"{item.id}: {shown}")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _refuse_removed(item: ItemRow) -> None:
    if item.status == Status.REMOVED.value:
        raise InputError(
            f"item {item.id} was removed from its post-mortem; edit the document instead"
        )


# -- pushing what waits ---------------------------------------------------------------


def pending_issue_ids(engine: Engine) -> list[int]:
    """Return the issues that edits are waiting on (a sync checks them before pushing)."""
    with session_scope(engine) as session:
        query = (
            select(ItemRow.issue_id)
            .join(PendingEditRow, col(PendingEditRow.item_id) == col(ItemRow.id))
            .where(col(ItemRow.issue_id).is_not(None))
            .distinct()
        )
        return [i for i in session.exec(query) if i is not None]


@dataclass(frozen=True, slots=True)
class _Waiting:
    edit_id: int
    item_id: str
    field: str
    value: str | None
    base: str | None
    snap: _Snapshot | None
    current: str | None
    gone: str | None


def _waiting(engine: Engine) -> list[_Waiting]:
    found: list[_Waiting] = []
    with session_scope(engine) as session:
        for edit in session.exec(select(PendingEditRow).order_by(col(PendingEditRow.id))):
            assert edit.id is not None
            item = session.get(ItemRow, edit.item_id)
            issue = (
                session.get(IssueRow, item.issue_id)
                if item is not None and item.issue_id is not None
                else None
            )
            snap = None
            if item is not None and issue is not None:
                snap = _Snapshot(
                    item_id=item.id,
                    status=item.status,
                    owner=item.owner,
                    issue_id=issue.id,
                    repo=issue.repo,
                    number=issue.number,
                    ref=issue_ref(issue),
                    state=encode_state(issue.state, issue.state_reason),
                    assignees=tuple(issue.assignees or ()),
                )
            found.append(
                _Waiting(
                    edit_id=edit.id,
                    item_id=edit.item_id,
                    field=edit.field,
                    value=edit.value,
                    base=edit.base,
                    snap=snap,
                    current=_current(edit.field, issue) if issue is not None else None,
                    gone=issue.gone if issue is not None else None,
                )
            )
    return found


def _forget(engine: Engine, edit_id: int, *, settle_item: str | None = None) -> None:
    """Delete a waiting edit; with settle_item, give the item GitHub's values back."""
    with session_scope(engine) as session:
        edit = session.get(PendingEditRow, edit_id)
        if edit is not None:
            session.delete(edit)
        if settle_item is None:
            return
        item = session.get(ItemRow, settle_item)
        issue = session.get(IssueRow, item.issue_id) if item and item.issue_id else None
        if item is None or issue is None:
            return
        changes = Changes(source="github", at=clock.now())
        remote = remote_from_row(issue)
        if set_status(item, status_from_issue(item, remote), changes, at=issue.updated_at):
            override(item, "status", "github")
        if remote.assignees and (item.owner or "").casefold() != remote.assignees[0].casefold():
            changes.add(item.id, "owner", item.owner, remote.assignees[0], at=issue.updated_at)
            item.owner = remote.assignees[0]
            override(item, "owner", "github")
        changes.flush(session)


def push_pending(
    engine: Engine,
    client: GitHub,
    *,
    fresh: Collection[int] | None = None,
    repos: Collection[str] | None = None,
    progress: Progress | None = None,
) -> list[PendingOutcome]:
    """Push the edits waiting for GitHub, oldest first.

    fresh names the issues whose GitHub values this sync has just read; an edit on any
    other issue waits (its base cannot be checked). An edit GitHub already shows is
    confirmed; one whose field GitHub changed since the edit was made is dropped and
    the item takes GitHub's value.
    """
    progress = progress or SilentProgress()
    waiting = _waiting(engine)
    progress.start(len(waiting), "Pushing local edits")
    outcomes: list[PendingOutcome] = []
    stopped: str | None = None
    for edit in waiting:
        snap = edit.snap

        def done(outcome: PushOutcome, message: str, w: _Waiting = edit) -> None:
            ref = w.snap.ref if w.snap else None
            outcomes.append(PendingOutcome(w.item_id, w.field, w.value, outcome, message, ref))
            progress.advance(w.item_id)

        what = "status" if edit.field == FIELD_STATE else "assignee"
        wanted = _describe(edit.field, edit.value)
        if snap is None or snap.status == Status.REMOVED.value:
            _forget(engine, edit.edit_id)
            done("dropped", f"{edit.item_id}: no longer linked to an issue; edit dropped")
            continue
        if repos is not None and snap.repo not in repos:
            continue
        if edit.gone in FINAL_GONE:
            _forget(engine, edit.edit_id)
            done("dropped", f"{edit.item_id}: {snap.ref} was {edit.gone}; edit dropped")
            continue
        if stopped is not None or (fresh is not None and snap.issue_id not in fresh):
            why = stopped or f"{snap.ref} could not be read in this sync"
            done("kept", f"{edit.item_id}: {what} → {wanted} waits ({why})")
            continue
        if _same(edit.field, edit.current, edit.value):
            _forget(engine, edit.edit_id)
            done("confirmed", f"{edit.item_id}: {snap.ref} shows {what} {wanted}")
            continue
        if not _same(edit.field, edit.current, edit.base):
            _forget(engine, edit.edit_id, settle_item=edit.item_id)
            done(
                "dropped",
                f"{edit.item_id}: GitHub changed the {what} of {snap.ref} too (now "
                f"{_describe(edit.field, edit.current)}); your edit ({wanted}) was dropped",
            )
            continue
        try:
            if edit.field == FIELD_STATE:
                assert edit.value is not None
                remote = _push_state(client, snap, edit.value)
                status = target_status(snap.status, remote.state, remote.state_reason, linked=True)
                change = _status_change(status)
            else:
                remote = _push_assignee(client, snap, edit.value)
                change = _owner_change(edit.value)
        except RateLimited as exc:
            stopped = str(exc)
            done("kept", f"{edit.item_id}: {what} → {wanted} waits ({exc})")
            continue
        except TransientError as exc:
            done("kept", f"{edit.item_id}: {what} → {wanted} waits ({exc})")
            continue
        except (GitHubError, InputError) as exc:
            _forget(engine, edit.edit_id, settle_item=edit.item_id)
            done("failed", f"{edit.item_id}: {exc}; edit dropped")
            continue
        _store_answer(engine, snap, edit.field, remote, change)
        done("pushed", f"{edit.item_id}: {what} → {wanted} pushed to {snap.ref}")
    return outcomes
