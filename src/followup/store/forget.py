"""Remove post-mortems and everything the store keeps of their items (`followup forget`).

GitHub is not touched: an item already filed keeps its issue there. The store forgets
the issue too unless another item or post-mortem still points at it; a later import and
`followup file` link the items to their issues again by the marker in each issue body.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from followup.errors import InputError, NotFoundError
from followup.store.display_paths import display_path
from followup.store.models import EventRow, IssueRow, ItemRow, PendingEditRow, PostMortemRow


@dataclass(frozen=True, slots=True)
class FiledItem:
    """An item that has a GitHub issue, which stays on GitHub when the item is forgotten."""

    item_id: str
    title: str
    repo: str
    number: int
    url: str | None

    @property
    def ref(self) -> str:
        """Return the issue as owner/name#12."""
        return f"{self.repo}#{self.number}"


@dataclass(frozen=True, slots=True)
class Forgettable:
    """A post-mortem as forgetting it would remove it: its items, and those filed."""

    slug: str
    title: str
    path: str
    items: int
    filed: tuple[FiledItem, ...]
    # Items a killed filing run was creating an issue for: GitHub may have one.
    unconfirmed: tuple[str, ...] = ()


def find_postmortems(session: Session, refs: Iterable[str]) -> list[PostMortemRow]:
    """Return the post-mortems named by slug or file path, each once, in the order given."""
    found: list[PostMortemRow] = []
    for ref in refs:
        row = _one(session, ref)
        if all(other.id != row.id for other in found):
            found.append(row)
    return found


def _one(session: Session, ref: str) -> PostMortemRow:
    text = ref.strip()
    if not text:
        raise InputError("a post-mortem's slug or file path is required")
    row = session.exec(select(PostMortemRow).where(PostMortemRow.slug == text)).first()
    if row is not None:
        return row
    # Paths are stored resolved (absolute); one typed relative to here means the same file.
    paths = {text, str(Path(text).expanduser().resolve())}
    matches = list(session.exec(select(PostMortemRow).where(col(PostMortemRow.path).in_(paths))))
    if len(matches) == 1:
        return matches[0]
    if matches:
        slugs = ", ".join(sorted(m.slug for m in matches))
        raise InputError(f"{text!r} names several post-mortems ({slugs}): give a slug")
    raise NotFoundError(f"no post-mortem {text!r} in the store (see 'followup list')")


def describe(session: Session, rows: Sequence[PostMortemRow]) -> list[Forgettable]:
    """Return what forgetting these post-mortems would remove, and which items are filed."""
    out = []
    for pm in rows:
        count = session.exec(
            select(func.count()).select_from(ItemRow).where(ItemRow.postmortem_id == pm.id)
        ).one()
        filed = session.exec(
            select(ItemRow, IssueRow)
            .join(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
            .where(ItemRow.postmortem_id == pm.id)
            .order_by(col(ItemRow.position))
        )
        unconfirmed = session.exec(
            select(ItemRow.id)
            .where(
                ItemRow.postmortem_id == pm.id,
                col(ItemRow.issue_id).is_(None),
                col(ItemRow.filing_intent_at).is_not(None),
            )
            .order_by(col(ItemRow.position))
        )
        out.append(
            Forgettable(
                slug=pm.slug,
                title=pm.title,
                path=display_path(pm.path),
                items=int(count),
                filed=tuple(
                    FiledItem(item.id, item.title, issue.repo, issue.number, issue.url)
                    for item, issue in filed
                ),
                unconfirmed=tuple(unconfirmed),
            )
        )
    return out


def filing_repos(session: Session, rows: Sequence[PostMortemRow]) -> set[str]:
    """Return the repositories a filing run may be creating these post-mortems' issues in.

    The items are locked for the rest of the transaction (FOR UPDATE on PostgreSQL; on
    SQLite the caller holds the write lock), so a run that has not yet noted its intent
    to create finds the item gone instead of creating its issue.
    """
    pm_ids = [pm.id for pm in rows if pm.id is not None]
    if not pm_ids:
        return set()
    found = session.exec(
        select(ItemRow.repo, ItemRow.filing_intent_at)
        .where(col(ItemRow.postmortem_id).in_(pm_ids))
        .with_for_update()
    )
    return {repo for repo, intent in found if intent is not None and repo}


def forget_postmortems(session: Session, rows: Sequence[PostMortemRow]) -> None:
    """Delete the post-mortems, their items and the items' history; the caller commits."""
    pm_ids = [pm.id for pm in rows if pm.id is not None]
    if not pm_ids:
        return
    item_ids = select(ItemRow.id).where(col(ItemRow.postmortem_id).in_(pm_ids))
    issue_ids = {
        issue_id
        for issue_id in session.exec(
            select(ItemRow.issue_id).where(col(ItemRow.postmortem_id).in_(pm_ids))
        )
        if issue_id is not None
    }
    issue_ids |= {pm.tracking_issue_id for pm in rows if pm.tracking_issue_id is not None}
    session.flush()
    run = session.connection().execute
    run(delete(EventRow).where(col(EventRow.item_id).in_(item_ids)))
    run(delete(PendingEditRow).where(col(PendingEditRow.item_id).in_(item_ids)))
    run(delete(ItemRow).where(col(ItemRow.postmortem_id).in_(pm_ids)))
    run(delete(PostMortemRow).where(col(PostMortemRow.id).in_(pm_ids)))
    if issue_ids:
        # Issues other items or post-mortems still point at stay known.
        still = select(ItemRow.issue_id).where(col(ItemRow.issue_id).is_not(None))
        tracking = select(PostMortemRow.tracking_issue_id).where(
            col(PostMortemRow.tracking_issue_id).is_not(None)
        )
        run(
            delete(IssueRow).where(
                col(IssueRow.id).in_(issue_ids),
                ~or_(col(IssueRow.id).in_(still), col(IssueRow.id).in_(tracking)),
            )
        )
    session.expire_all()
