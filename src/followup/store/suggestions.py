"""Accept or dismiss suggested items: commitments the reader found only in prose."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from followup import clock
from followup.store.history import Changes
from followup.store.models import ItemRow, Status
from followup.store.queries import find_item


@dataclass(frozen=True, slots=True)
class Decision:
    """What accepting or dismissing did to one item; reason says why nothing changed."""

    item_id: str
    title: str
    before: str
    after: str
    reason: str = ""

    @property
    def changed(self) -> bool:
        """Tell whether the item's status changed."""
        return self.before != self.after


def _items(session: Session, ids: Iterable[str]) -> list[ItemRow]:
    """Return the items named (ids or unique prefixes), each once, in the order given."""
    rows: list[ItemRow] = []
    for ref in ids:
        item = find_item(session, ref)
        if all(row.id != item.id for row in rows):
            rows.append(item)
    return rows


def _decide(
    session: Session,
    ids: Iterable[str],
    action: str,
    decide: dict[str, Status | str],
    hint: str = "",
) -> list[Decision]:
    changes = Changes(source="user", at=clock.now())
    out: list[Decision] = []
    for item in _items(session, ids):
        before = item.status
        outcome = decide.get(before, "")
        if not isinstance(outcome, Status):
            out.append(
                Decision(item.id, item.title, before, before, outcome or _why(before) + hint)
            )
            continue
        after = Status.DONE if outcome is Status.OPEN and item.doc_done else outcome
        changes.add(item.id, "status", before, after.value, detail={"action": action})
        item.status = after.value
        item.updated_at = changes.at
        session.add(item)
        out.append(Decision(item.id, item.title, before, after.value))
    changes.flush(session)
    return out


def _why(status: str) -> str:
    if status == Status.REMOVED.value:
        return "removed from its post-mortem"  # no hint applies to it either
    return f"not a suggestion (it is {status.replace('_', ' ')})"


def accept_items(session: Session, ids: Iterable[str]) -> list[Decision]:
    """Make suggested (or dismissed) items ordinary open items; the caller commits."""
    return _decide(
        session,
        ids,
        "accept",
        {Status.SUGGESTED.value: Status.OPEN, Status.DISMISSED.value: Status.OPEN},
    )


def dismiss_items(session: Session, ids: Iterable[str]) -> list[Decision]:
    """Turn suggested items down; re-imports keep them dismissed. The caller commits."""
    return _decide(
        session,
        ids,
        "dismiss",
        {
            Status.SUGGESTED.value: Status.DISMISSED,
            Status.DISMISSED.value: "already dismissed",
        },
        hint="; close it as won't do instead",
    )
