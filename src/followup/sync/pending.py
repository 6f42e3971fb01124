"""Push the local edits that wait for GitHub, oldest first; a sync calls this last.

Each waiting edit holds the value GitHub had when it was made (`base`). GitHub already
showing the edit confirms it; GitHub having moved away from the base means someone
changed the field there too, and GitHub wins: the edit is dropped, the item keeps (or
takes back) GitHub's value, and the sync says so. The state, assignees and priority
label are checked against what this sync just read; the due date against the issue's
body, read right before the write (GraphQL polls carry no bodies).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from followup import clock
from followup.errors import InputError
from followup.github.client import GitHub
from followup.github.errors import GitHubError, RateLimited, TransientError
from followup.github.issue_fields import body_due
from followup.store import retry, session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PendingEditRow, Status
from followup.sync.edit_fields import (
    FIELD_ASSIGNEE,
    FIELD_DUE,
    FIELD_PRIORITY,
    FIELD_STATE,
    FIELD_WORDS,
    Answer,
    LocalChange,
    Snapshot,
    changed_since,
    current,
    describe,
    due_value_change,
    owner_change,
    priority_change,
    push_assignee,
    push_label,
    push_state,
    same,
    snapshot_of,
    status_change,
    store_answer,
    store_read,
    target_status,
)
from followup.sync.issue_state import FINAL_GONE, override
from followup.sync.links import remote_from_row, set_status, status_from_issue
from followup.sync.mirror import NoBlock, mirror_to_projects, push_due, read_issue
from followup.sync.progress import Progress, SilentProgress

PushOutcome = Literal["pushed", "confirmed", "dropped", "kept", "failed"]


@dataclass(frozen=True, slots=True)
class PendingOutcome:
    """What a sync did with one edit that was waiting to be pushed."""

    item_id: str
    field: str  # state, assignee, priority, due
    value: str | None
    outcome: PushOutcome
    message: str
    issue: str | None = None


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
    snap: Snapshot | None
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
            snap = snapshot_of(item, issue) if item is not None and issue is not None else None
            found.append(
                _Waiting(
                    edit_id=edit.id,
                    item_id=edit.item_id,
                    field=edit.field,
                    value=edit.value,
                    base=edit.base,
                    snap=snap,
                    current=current(edit.field, issue) if issue is not None else None,
                    gone=issue.gone if issue is not None else None,
                )
            )
    return found


def _forget(
    engine: Engine,
    w: _Waiting,
    *,
    settle_item: str | None = None,
    shown: tuple[str | None] | None = None,
) -> None:
    """Delete a waiting edit; with settle_item, give the item GitHub's state and owner back.

    A priority or due date is not settled here: when GitHub changed it, the sync that
    read the change gave it to the item already; otherwise the item's is the only one.

    An edit a person changed again since this sync read it is newer than what the sync
    judged: it stays for the next sync, and the item stays as they left it. shown (what
    GitHub shows now, when it confirmed the older value) becomes its base.
    """

    def work(session: Session) -> None:
        newer = changed_since(session, (w.edit_id, w.value))
        if newer is not None:
            if shown is not None:
                newer.base = shown[0]
            return
        edit = session.get(PendingEditRow, w.edit_id)
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

    retry.write(engine, work)


def _write(
    client: GitHub, snap: Snapshot, field: str, value: str | None
) -> tuple[Answer, LocalChange]:
    """Send one edit of the state, assignee or priority; return the answer and its change."""
    if field == FIELD_STATE:
        assert value is not None
        remote = push_state(client, snap, value)
        status = target_status(snap.status, remote.state, remote.state_reason, linked=True)
        return remote, status_change(status)
    if field == FIELD_PRIORITY:
        return push_label(client, snap, value), priority_change(value)
    assert field == FIELD_ASSIGNEE
    return push_assignee(client, snap, value), owner_change(value)


class _Pusher:
    """One pass over the waiting edits."""

    def __init__(
        self,
        engine: Engine,
        client: GitHub,
        fresh: Collection[int] | None,
        progress: Progress,
    ) -> None:
        self.engine = engine
        self.client = client
        self.fresh = fresh
        self.progress = progress
        self.outcomes: list[PendingOutcome] = []
        self.stopped: str | None = None

    def done(self, w: _Waiting, outcome: PushOutcome, message: str) -> None:
        ref = w.snap.ref if w.snap else None
        self.outcomes.append(PendingOutcome(w.item_id, w.field, w.value, outcome, message, ref))
        self.progress.advance(w.item_id)

    def push(self, edit: _Waiting) -> None:
        snap = edit.snap
        assert snap is not None and snap.issue_id is not None
        what = FIELD_WORDS.get(edit.field, edit.field)
        wanted = describe(edit.field, edit.value)
        waits = f"{edit.item_id}: {what} → {wanted} waits"
        if self.stopped is not None:
            self.done(edit, "kept", f"{waits} ({self.stopped})")
            return
        try:
            if edit.field == FIELD_DUE:
                self.push_due(edit, snap)
                return
            if self.fresh is not None and snap.issue_id not in self.fresh:
                self.done(edit, "kept", f"{waits} ({snap.ref} could not be read in this sync)")
                return
            if same(edit.field, edit.current, edit.value):
                _forget(self.engine, edit, shown=(edit.current,))
                self.done(edit, "confirmed", f"{edit.item_id}: {snap.ref} shows {what} {wanted}")
                return
            if not same(edit.field, edit.current, edit.base):
                self.overruled(edit, snap, edit.current)
                return
            answer, change = _write(self.client, snap, edit.field, edit.value)
        except RateLimited as exc:
            self.stopped = str(exc)
            self.done(edit, "kept", f"{waits} ({exc})")
            return
        except TransientError as exc:
            self.done(edit, "kept", f"{waits} ({exc})")
            return
        except (GitHubError, InputError) as exc:
            settle = edit.item_id if edit.field in (FIELD_STATE, FIELD_ASSIGNEE) else None
            _forget(self.engine, edit, settle_item=settle)
            self.done(edit, "failed", f"{edit.item_id}: {exc}; edit dropped")
            return
        store_answer(
            self.engine, snap, edit.field, answer, change, waited=(edit.edit_id, edit.value)
        )
        self.pushed(edit, snap)

    def overruled(self, edit: _Waiting, snap: Snapshot, now: str | None) -> None:
        settle = edit.item_id if edit.field in (FIELD_STATE, FIELD_ASSIGNEE) else None
        _forget(self.engine, edit, settle_item=settle)
        what = FIELD_WORDS.get(edit.field, edit.field)
        self.done(
            edit,
            "dropped",
            f"{edit.item_id}: GitHub changed the {what} of {snap.ref} too (now "
            f"{describe(edit.field, now)}); your edit ({describe(edit.field, edit.value)}) "
            "was dropped",
        )

    def push_due(self, edit: _Waiting, snap: Snapshot) -> None:
        """Read the body, check the block's Due line against the base, then write it."""
        assert snap.repo is not None and snap.number is not None
        read = read_issue(self.client, snap.repo, snap.number)
        issue = read.issue
        now = body_due(issue.body)
        if now is None:
            _forget(self.engine, edit)
            self.done(
                edit,
                "dropped",
                f"{edit.item_id}: {snap.ref} has no block of followup's in its body; "
                "the due date stays here only",
            )
            return
        change = due_value_change(edit.value)
        if same(FIELD_DUE, now, edit.value):
            store_read(self.engine, snap, issue)
            _forget(self.engine, edit, shown=(now,))
            self.done(edit, "confirmed", f"{edit.item_id}: {snap.ref} shows due {edit.value}")
            return
        if edit.base is not None and not same(FIELD_DUE, now, edit.base):
            # The item takes the block's date from the issue just read, as a sync would.
            store_read(self.engine, snap, issue)
            self.overruled(edit, snap, now)
            return
        try:
            answer = push_due(self.client, read, edit.value)
        except NoBlock as exc:
            _forget(self.engine, edit)
            self.done(edit, "dropped", f"{edit.item_id}: {exc}; the due date stays here only")
            return
        store_answer(
            self.engine, snap, FIELD_DUE, answer, change, waited=(edit.edit_id, edit.value)
        )
        self.pushed(edit, snap)

    def pushed(self, edit: _Waiting, snap: Snapshot) -> None:
        what = FIELD_WORDS.get(edit.field, edit.field)
        message = (
            f"{edit.item_id}: {what} → {describe(edit.field, edit.value)} pushed to {snap.ref}"
        )
        if edit.field in (FIELD_PRIORITY, FIELD_DUE) and snap.issue_id is not None:
            notes = mirror_to_projects(
                self.engine, self.client, snap.issue_id, edit.field, edit.value
            )
            if notes:
                message += f" ({'; '.join(notes)})"
        self.done(edit, "pushed", message)


def push_pending(
    engine: Engine,
    client: GitHub,
    *,
    fresh: Collection[int] | None = None,
    repos: Collection[str] | None = None,
    progress: Progress | None = None,
) -> list[PendingOutcome]:
    """Push the edits waiting for GitHub, oldest first (see the module doc).

    fresh names the issues whose GitHub values this sync has just read; an edit of the
    state, assignees or priority of any other issue waits (its base cannot be checked).
    """
    progress = progress or SilentProgress()
    waiting = _waiting(engine)
    progress.start(len(waiting), "Pushing local edits")
    pusher = _Pusher(engine, client, fresh, progress)
    for edit in waiting:
        snap = edit.snap
        if snap is None or snap.status == Status.REMOVED.value:
            _forget(engine, edit)
            pusher.done(
                edit, "dropped", f"{edit.item_id}: no longer linked to an issue; edit dropped"
            )
            continue
        if repos is not None and snap.repo not in repos:
            continue
        if edit.gone in FINAL_GONE:
            _forget(engine, edit)
            pusher.done(
                edit, "dropped", f"{edit.item_id}: {snap.ref} was {edit.gone}; edit dropped"
            )
            continue
        pusher.push(edit)
    return pusher.outcomes
