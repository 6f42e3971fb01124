"""Local edits of an item: close, reopen, reassign, due date, priority.

An edit of a linked item goes to GitHub first and the store then records what GitHub
answered, with an event from the "user" and an override so a re-import of the
document does not undo it. What reaches GitHub: the issue's state and assignees (one
PATCH, never re-sent), the priority as a `priority:P1` label, the due date as the Due
line of followup's block in the issue body, and both in each GitHub Project the issue
is in (sync/mirror.py). Without a client, or when GitHub cannot be reached, the item
changes here at once and a PendingEditRow keeps the edit with the GitHub value it was
made against (`base`); the next sync pushes it (sync/pending.py). If GitHub's value
moved away from `base` in the meantime, GitHub wins: the edit is dropped and the sync
says so. Unlinked items, and due dates of issues whose body has no block of
followup's, change only in the store.

Every function reads and writes in short transactions and never holds one open while
it waits for GitHub, so the TUI can call them from worker threads while a sync runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from sqlalchemy import Engine

from followup.display import STATUS_LABEL
from followup.errors import InputError
from followup.github.client import GitHub
from followup.github.errors import RateLimited, TransientError
from followup.github.issue_fields import PRIORITIES, priority_of
from followup.github.issue_mapping import is_login
from followup.policy import DuePolicy
from followup.store.queries import normalise_owner
from followup.sync.edit_fields import (
    FIELD_ASSIGNEE,
    FIELD_DUE,
    FIELD_PRIORITY,
    FIELD_STATE,
    ITEM_FIELD,
    REASON_WORDS,
    Answer,
    LocalChange,
    Snapshot,
    apply_local,
    describe_state,
    due_change,
    iso,
    keep_policy_date,
    owner_change,
    priority_change,
    push_assignee,
    push_label,
    push_state,
    queue,
    same,
    snapshot,
    status_change,
    store_answer,
    target_status,
)
from followup.sync.issue_state import encode_state, same_logins
from followup.sync.mirror import NoBlock, mirror_to_projects, push_due, read_issue
from followup.sync.pending import PendingOutcome, PushOutcome, pending_issue_ids, push_pending

Outcome = Literal["pushed", "queued", "local", "unchanged"]
CloseReason = Literal["completed", "not_planned"]


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
    warnings: tuple[str, ...] = ()


def _write(client: GitHub, snap: Snapshot, field: str, value: str | None) -> Answer:
    """Send one edit to the item's issue; return GitHub's answer."""
    if field == FIELD_STATE:
        assert value is not None
        return push_state(client, snap, value)
    if field == FIELD_ASSIGNEE:
        return push_assignee(client, snap, value)
    if field == FIELD_PRIORITY:
        return push_label(client, snap, value)
    assert snap.repo is not None and snap.number is not None
    return push_due(client, read_issue(client, snap.repo, snap.number), value)


def _edit_issue(
    engine: Engine,
    client: GitHub | None,
    snap: Snapshot,
    *,
    field: str,
    value: str | None,
    change: LocalChange,
    shown: str,
    old: str | None,
    new: str | None,
) -> EditResult:
    """Push one edit of a linked item to GitHub, or keep it for the next sync."""
    name = ITEM_FIELD[field]

    def result(outcome: Outcome, message: str, warnings: tuple[str, ...] = ()) -> EditResult:
        return EditResult(snap.item_id, name, old, new, outcome, message, snap.ref, warnings)

    why = "no GitHub client"
    if client is not None:
        try:
            answer = _write(client, snap, field, value)
        except (TransientError, RateLimited) as exc:
            why = str(exc)
        except NoBlock as exc:
            apply_local(engine, snap.item_id, change)
            return result("local", f"{snap.item_id}: {shown} here only ({exc})")
        else:
            store_answer(engine, snap, field, answer, change)
            notes: list[str] = []
            if field in (FIELD_PRIORITY, FIELD_DUE) and snap.issue_id is not None:
                notes = mirror_to_projects(engine, client, snap.issue_id, field, value)
            return result("pushed", f"{snap.item_id}: {shown} on GitHub ({snap.ref})", tuple(notes))
    if not queue(engine, snap, field, value, change):
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
    snap = snapshot(engine, item_id)
    value = encode_state(state, reason)
    assert value is not None
    status = target_status(snap.status, state, reason, linked=snap.linked)
    shown = f"{'closed' if state == 'closed' else 'reopened'}" + (
        f" as {REASON_WORDS[reason]}" if reason else ""
    )
    change = status_change(status)
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
        apply_local(engine, snap.item_id, change)
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
    snap = snapshot(engine, item_id)
    change = owner_change(login)
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
        apply_local(engine, snap.item_id, change)
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


def set_due(engine: Engine, client: GitHub | None, item_id: str, due: date | None) -> EditResult:
    """Set or clear an item's due date (and the Due line of its issue's block)."""
    snap = snapshot(engine, item_id)
    value = iso(due)
    old = iso(snap.due)
    here = snap.due == due and (due is not None or snap.due_text is None)
    shown = f"due {value}" if value else "no due date"
    change = due_change(due)
    if not snap.linked:
        if here:
            return EditResult(snap.item_id, "due", old, value, "unchanged", "no change")
        apply_local(engine, snap.item_id, change)
        return EditResult(
            snap.item_id,
            "due",
            old,
            value,
            "local",
            f"{snap.item_id}: {shown} (the item has no GitHub issue)",
        )
    if here and snap.body_due is not None and same(FIELD_DUE, snap.body_due, value):
        return EditResult(
            snap.item_id,
            "due",
            old,
            value,
            "unchanged",
            f"{snap.item_id}: {snap.ref} already shows {shown}",
            snap.ref,
        )
    return _edit_issue(
        engine,
        client,
        snap,
        field=FIELD_DUE,
        value=value,
        change=change,
        shown=shown,
        old=old,
        new=value,
    )


def check_priority(priority: str | None) -> str | None:
    """Return a priority as followup writes it (P0…P3), or fail with one line."""
    if priority is None:
        return None
    value = priority.strip().upper()
    if value not in PRIORITIES:
        raise InputError(f"a priority is one of {', '.join(PRIORITIES)}, not {value!r}")
    return value


def set_priority(
    engine: Engine,
    client: GitHub | None,
    item_id: str,
    priority: str | None,
    *,
    policy: DuePolicy | None = None,
) -> EditResult:
    """Set or clear an item's priority, P0 to P3 (and its issue's priority label).

    With the due-date policy, an item dated by it is dated again at once; without, the
    next open of the store does it.
    """
    priority = check_priority(priority)
    snap = snapshot(engine, item_id)
    shown = f"priority {priority}" if priority else "no priority"
    change = priority_change(priority, policy)
    if not snap.linked:
        if snap.priority == priority:
            return EditResult(
                snap.item_id, "priority", priority, priority, "unchanged", "no change"
            )
        apply_local(engine, snap.item_id, change)
        return EditResult(
            snap.item_id,
            "priority",
            snap.priority,
            priority,
            "local",
            f"{snap.item_id}: {shown} (the item has no GitHub issue)",
        )
    if snap.priority == priority and priority_of(snap.labels) == priority:
        return EditResult(
            snap.item_id,
            "priority",
            priority,
            priority,
            "unchanged",
            f"{snap.item_id}: {snap.ref} already has {shown}",
            snap.ref,
        )
    result = _edit_issue(
        engine,
        client,
        snap,
        field=FIELD_PRIORITY,
        value=priority,
        change=change,
        shown=shown,
        old=snap.priority,
        new=priority,
    )
    return _with_policy_due(engine, client, snap, result)


def _with_policy_due(
    engine: Engine, client: GitHub | None, before: Snapshot, result: EditResult
) -> EditResult:
    """Send the due date the policy gave the item for its new priority, as its Due line.

    The line says the policy set it, as filing writes it; a date someone set is never
    touched. The priority's result gains what happened to the date.
    """
    after = snapshot(engine, before.item_id)
    wanted = after.policy_line
    if not after.linked or (wanted is None and before.policy_line is None):
        return result
    if after.body_due is not None and same(FIELD_DUE, after.body_due, wanted):
        return result
    due = _edit_issue(
        engine,
        client,
        after,
        field=FIELD_DUE,
        value=wanted,
        change=keep_policy_date,
        shown=f"due {wanted}" if wanted else "no due date",
        old=iso(before.due),
        new=iso(after.due),
    )
    said = due.message.removeprefix(f"{after.item_id}: ")
    return replace(
        result, message=f"{result.message}; {said}", warnings=result.warnings + due.warnings
    )


__all__ = [
    "PRIORITIES",
    "CloseReason",
    "EditResult",
    "Outcome",
    "PendingOutcome",
    "PushOutcome",
    "check_priority",
    "close_item",
    "describe_state",
    "pending_issue_ids",
    "push_pending",
    "reassign_item",
    "reopen_item",
    "set_due",
    "set_priority",
    "target_status",
]
