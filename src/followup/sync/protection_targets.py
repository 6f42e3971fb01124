"""Which items branch protection works on: shared by planning, applying and verifying."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from followup.errors import InputError
from followup.postmortem.model import Kind, ProtectionSpec
from followup.store import session_scope
from followup.store.models import ItemRow, PostMortemRow, Status
from followup.store.protection import AppliedProtection, BranchProtection, protection_of
from followup.store.queries import OPEN_STATUSES, find_item

# Statuses of items whose protection followup applied: the ones verification re-reads.
VERIFIED_STATUSES = (Status.DONE.value, Status.REGRESSED.value)


@dataclass(frozen=True, slots=True)
class Target:
    """A protection item as plan, apply and verify see it."""

    item_id: str
    title: str
    status: str
    protection: BranchProtection

    @property
    def repo(self) -> str | None:
        """Return the repository: the recommendation's, else the item's."""
        return self.protection.repo

    @property
    def branch(self) -> str:
        """Return the branch or pattern asked for."""
        return self.protection.branch

    @property
    def spec(self) -> ProtectionSpec:
        """Return the branch and the settings asked for."""
        return self.protection.spec

    @property
    def requested_contexts(self) -> tuple[str, ...]:
        """Return the status checks asked for."""
        return self.protection.spec.contexts

    @property
    def applied(self) -> AppliedProtection | None:
        """Return what followup last applied, if anything."""
        return self.protection.applied

    @property
    def where(self) -> str:
        """Return repo:branch, for messages."""
        return self.protection.where


def target_of(item: ItemRow) -> Target:
    """Return the stored protection item as a Target."""
    protection = protection_of(item)
    if protection is None:
        raise InputError(f"item {item.id} is not a branch-protection item")
    return Target(item.id, item.title, item.status, protection)


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


def protected_items(engine: Engine, repos: Collection[str] | None = None) -> list[str]:
    """Return the ids of the items verify_protection checks when given none (in repos).

    Those followup protected, and those an interrupted protect run left an intent on.
    """
    with session_scope(engine) as session:
        rows = items_by_status(session, [*OPEN_STATUSES, *VERIFIED_STATUSES])
        targets = [target_of(row) for row in rows if row.protection_applied]
    return [
        t.item_id
        for t in targets
        if (t.status in VERIFIED_STATUSES or t.protection.intent is not None)
        and (repos is None or (t.repo or "").lower() in repos)
    ]
