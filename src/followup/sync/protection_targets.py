"""Which items branch protection works on: shared by planning, applying and verifying."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from followup.errors import InputError
from followup.postmortem.model import Kind, ProtectionSpec
from followup.store import session_scope
from followup.store.models import ItemRow, PostMortemRow, Status
from followup.store.queries import find_item

# Statuses of items whose protection followup applied: the ones verification re-reads.
VERIFIED_STATUSES = (Status.DONE.value, Status.REGRESSED.value)


@dataclass(frozen=True, slots=True)
class Target:
    """A protection item as plan, apply and verify see it."""

    item_id: str
    title: str
    status: str
    repo: str | None
    spec: ProtectionSpec
    applied: dict[str, Any] | None

    @property
    def branch(self) -> str:
        """Return the branch or pattern asked for."""
        return self.spec.branch

    @property
    def where(self) -> str:
        """Return repo:branch, for messages."""
        return f"{self.repo or '?'}:{self.branch}"


def target_of(item: ItemRow) -> Target:
    """Return the stored item as a Target."""
    stored = dict(item.protection or {})
    spec = ProtectionSpec.from_dict({**stored, "branch": stored.get("branch") or ""})
    return Target(
        item_id=item.id,
        title=item.title,
        status=item.status,
        repo=spec.repo or item.repo,
        spec=spec,
        applied=dict(item.protection_applied) if item.protection_applied else None,
    )


def items_by_ids(session: Session, item_ids: Iterable[str]) -> list[ItemRow]:
    """Return the protection items named (ids or prefixes), refusing any other item."""
    rows: list[ItemRow] = []
    for ref in item_ids:
        item = find_item(session, ref)
        if item.kind != Kind.BRANCH_PROTECTION.value or not item.protection:
            raise InputError(f"item {item.id} is not a branch-protection item")
        if item.status == Status.REMOVED.value:
            raise InputError(f"item {item.id} was removed from its post-mortem")
        if item.status == Status.SUGGESTED.value:
            raise InputError(
                f"item {item.id} is a suggestion found in prose: accept it first "
                f"(followup accept {item.id})"
            )
        if item.status == Status.DISMISSED.value:
            raise InputError(f"item {item.id} is a dismissed suggestion")
        if all(r.id != item.id for r in rows):
            rows.append(item)
    return rows


def items_by_status(session: Session, statuses: Sequence[str]) -> list[ItemRow]:
    """Return the protection items with these statuses, by post-mortem and position."""
    query = (
        select(ItemRow)
        .join(PostMortemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .where(ItemRow.kind == Kind.BRANCH_PROTECTION.value, col(ItemRow.status).in_(statuses))
        .order_by(col(PostMortemRow.slug), col(ItemRow.position))
    )
    return list(session.exec(query))


def protected_items(engine: Engine) -> list[str]:
    """Return the ids of the items verify_protection checks when given none."""
    with session_scope(engine) as session:
        rows = items_by_status(session, VERIFIED_STATUSES)
        return [row.id for row in rows if row.protection_applied]
