"""Edits that land while filing creates an item's issue: kept, and queued for GitHub.

Filing builds the issue (its assignee, priority label, Due line) from the item as it
reads it, then creates it. A person may edit the item in between (a TUI, the CLI): the
item was not linked yet, so the edit stayed local, and the issue GitHub created shows
the older value. When the run records the issue, it compares the item with what the
issue was built from and queues each field changed since as a waiting edit, which the
next `followup sync` (or the next edit) sends to the issue. A close stays a close:
linking to the open issue does not reopen the item (tests/sync/test_concurrency_filing.py).

The issue the item ends linked to need not be the one the run built: an unconfirmed
create is found on a second look (the list, not the answer), and converging moves the
item to another run's issue, built from that run's store. Whenever a listing links an
item of the run to another issue, the edits made since the run built the item's issue
are queued again, for the issue it is linked to now, against what that issue shows
(`Late`, `requeue`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from followup import clock
from followup.github.issue_mapping import is_login
from followup.policy import DUE_POLICY
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PendingEditRow, Status
from followup.sync.edit_fields import (
    FIELD_ASSIGNEE,
    FIELD_DUE,
    FIELD_PRIORITY,
    FIELD_STATE,
    FIELD_WORDS,
    current,
    iso,
    pending,
    same,
)
from followup.sync.links import issue_ref, set_status

_CLOSED = {Status.DONE.value: "closed:completed", Status.WONT_DO.value: "closed:not_planned"}


@dataclass(frozen=True, slots=True)
class Built:
    """The item's values an issue was built from."""

    status: str
    owner: str | None
    priority: str | None
    due: str | None

    @classmethod
    def of(cls, item: ItemRow) -> Built:
        """Return the values of the item as it is now."""
        return cls(item.status, item.owner, item.priority, iso(item.due))


def late_edits(item: ItemRow, built: Built) -> dict[str, str | None]:
    """Return GitHub's field -> value for each edit made to the item since built."""
    now = Built.of(item)
    late: dict[str, str | None] = {}
    if now.status != built.status and now.status in _CLOSED:
        late[FIELD_STATE] = _CLOSED[now.status]
    moved = (now.owner or "").casefold() != (built.owner or "").casefold()
    if moved and (now.owner is None or is_login(now.owner)):
        late[FIELD_ASSIGNEE] = now.owner
    if now.priority != built.priority:
        late[FIELD_PRIORITY] = now.priority
    if now.due != built.due and item.due_source != DUE_POLICY:
        # A date the policy set is queued by the sync itself (policy_mirror).
        late[FIELD_DUE] = now.due
    return late


def queue_late_edits(
    session: Session, item: ItemRow, issue: IssueRow, late: dict[str, str | None]
) -> list[str]:
    """Keep each late edit as a waiting edit of the issue; return the fields' words."""
    queued: list[str] = []
    for field, value in late.items():
        base = current(field, issue)
        if same(field, value, base) and not (field == FIELD_DUE and base is None):
            continue  # the issue has it already
        waiting = pending(session, item.id, field)
        if waiting is None:
            session.add(
                PendingEditRow(
                    item_id=item.id, field=field, value=value, base=base, created_at=clock.now()
                )
            )
        else:
            # Made against this issue now: an edit queued for another issue (the one a
            # converge moved the item away from) takes this issue's value as its base.
            waiting.value = value
            waiting.base = base
            waiting.created_at = clock.now()
        queued.append(FIELD_WORDS[field])
    return queued


@dataclass(frozen=True, slots=True)
class Late:
    """An item's edits since its issue was built, and its status, read before a listing links it."""

    item_id: str
    status: str
    edits: dict[str, str | None]

    @classmethod
    def of(cls, item: ItemRow, built: Built) -> Late:
        """Return what the item holds that the issue built from `built` does not."""
        return cls(item.id, item.status, late_edits(item, built))


def requeue(
    session: Session, item: ItemRow, issue: IssueRow, late: Late, changes: Changes
) -> list[str]:
    """Queue the late edits of an item a listing just linked to issue; return the fields' words.

    Linking took the issue's status; a close made meanwhile stays a close, as in keep.
    """
    if not late.edits:
        return []
    if FIELD_STATE in late.edits:
        set_status(item, Status(late.status), changes, detail={"issue": issue_ref(issue)})
    return queue_late_edits(session, item, issue, late.edits)


__all__ = ["Built", "Late", "late_edits", "queue_late_edits", "requeue"]
