"""Read the store: filtered item lists, one item, its history, post-mortem summaries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from followup.errors import InputError, NotFoundError
from followup.store.models import (
    CLOSED_STATUSES,
    UNACCEPTED_STATUSES,
    EventRow,
    IssueRow,
    ItemRow,
    PostMortemRow,
    Status,
)
from followup.store.views import EventView, ItemView, PostMortemView, item_view
from followup.text import clean

DONE_STATUSES = (Status.DONE.value, Status.WONT_DO.value)
OPEN_STATUSES = tuple(
    s.value for s in Status if s not in CLOSED_STATUSES and s not in UNACCEPTED_STATUSES
)
# Statuses hidden unless asked for: removed from the document, or a dismissed suggestion.
HIDDEN_STATUSES = (Status.REMOVED.value, Status.DISMISSED.value)


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Which items to list; every criterion given must hold."""

    statuses: frozenset[str] = frozenset()
    owner: str | None = None
    postmortem: str | None = None
    kind: str | None = None
    repo: str | None = None
    overdue: bool = False
    past_policy: bool = False
    text: str | None = None
    include_removed: bool = False


def normalise_owner(owner: str) -> str:
    """Return an owner as stored: a login without its @."""
    return owner.strip().removeprefix("@")


def parse_statuses(values: Iterable[str]) -> frozenset[str]:
    """Validate status names given by a user; "won't do" spellings are accepted."""
    known = {s.value for s in Status}
    out: set[str] = set()
    for raw in values:
        for part in raw.split(","):
            name = part.strip().lower().replace(" ", "_").replace("-", "_").replace("'", "")
            if not name:
                continue
            if name not in known:
                raise InputError(
                    f"unknown status {part.strip()!r}; use one of {', '.join(sorted(known))}"
                )
            out.add(name)
    return frozenset(out)


def list_items(
    session: Session, flt: ItemFilter, *, today: date, limit: int | None = None
) -> list[ItemView]:
    """Return the items that pass the filter, by post-mortem and document order."""
    query = (
        select(ItemRow, PostMortemRow, IssueRow)
        .join(PostMortemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
    )
    if flt.statuses:
        query = query.where(col(ItemRow.status).in_(sorted(flt.statuses)))
    elif not flt.include_removed:
        query = query.where(col(ItemRow.status).not_in(HIDDEN_STATUSES))
    if flt.owner:
        query = query.where(func.lower(ItemRow.owner) == normalise_owner(flt.owner).lower())
    if flt.postmortem:
        query = query.where(PostMortemRow.slug == flt.postmortem)
    if flt.kind:
        query = query.where(ItemRow.kind == flt.kind)
    if flt.repo:
        query = query.where(ItemRow.repo == flt.repo.lower())
    if flt.overdue:
        query = query.where(
            col(ItemRow.due).is_not(None),
            col(ItemRow.due) < today,
            col(ItemRow.status).in_(OPEN_STATUSES),
        )
    if flt.past_policy:
        query = query.where(
            col(ItemRow.policy_due).is_not(None),
            col(ItemRow.policy_due) < today,
            col(ItemRow.status).in_(OPEN_STATUSES),
        )
    if flt.text:
        # The user's text is literal: % and _ must not act as LIKE wildcards.
        escaped = flt.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        needle = f"%{escaped}%"
        query = query.where(
            or_(
                func.lower(ItemRow.title).like(needle, escape="\\"),
                func.lower(ItemRow.owner).like(needle, escape="\\"),
                col(ItemRow.id).like(needle, escape="\\"),
            )
        )
    query = query.order_by(
        col(PostMortemRow.incident_date).desc().nulls_last(),
        col(PostMortemRow.slug),
        col(ItemRow.position),
    )
    if limit is not None:
        query = query.limit(limit)
    return [item_view(item, pm, issue) for item, pm, issue in session.exec(query)]


def find_item(session: Session, ref: str) -> ItemRow:
    """Return the item whose id is ref or starts with it."""
    ref = ref.strip().lower()
    if not ref:
        raise InputError("an item id is required")
    exact = session.get(ItemRow, ref)
    if exact is not None:
        return exact
    matches = list(session.exec(select(ItemRow).where(col(ItemRow.id).startswith(ref)).limit(6)))
    if not matches:
        raise NotFoundError(f"no item with id {ref!r} (see 'followup list')")
    if len(matches) > 1:
        ids = ", ".join(m.id for m in matches[:5])
        raise InputError(f"item id {ref!r} is ambiguous: {ids}")
    return matches[0]


def get_item(session: Session, ref: str) -> ItemView:
    """Return one item as a view."""
    item = find_item(session, ref)
    pm = session.get(PostMortemRow, item.postmortem_id)
    assert pm is not None
    issue = session.get(IssueRow, item.issue_id) if item.issue_id is not None else None
    return item_view(item, pm, issue)


def item_events(session: Session, item_id: str) -> list[EventView]:
    """Return an item's history, oldest first."""
    rows = session.exec(
        select(EventRow)
        .where(EventRow.item_id == item_id)
        .order_by(col(EventRow.at), col(EventRow.id))
    )
    return [EventView(r.at, r.field, r.old, r.new, r.source, r.detail) for r in rows]


def postmortem_source(session: Session, slug: str) -> str:
    """Return the text of a post-mortem as last imported, made safe to show."""
    row = session.exec(select(PostMortemRow).where(PostMortemRow.slug == slug)).first()
    if row is None:
        raise NotFoundError(f"no post-mortem {slug!r} in the store")
    # The store keeps the file's exact text (write-back compares it); only what is shown
    # has its control characters made visible.
    return clean(row.source)


def postmortems(session: Session, *, today: date) -> list[PostMortemView]:
    """Return every post-mortem with its item counts, newest first."""
    # Suggestions count apart: they are no commitment until someone accepts them.
    live = col(ItemRow.status).not_in(
        [Status.REMOVED.value, *(s.value for s in UNACCEPTED_STATUSES)]
    )
    done = case((col(ItemRow.status).in_(DONE_STATUSES), 1), else_=0)
    overdue = case(
        (
            col(ItemRow.due).is_not(None)
            & (col(ItemRow.due) < today)
            & col(ItemRow.status).in_(OPEN_STATUSES),
            1,
        ),
        else_=0,
    )
    waiting = (
        select(ItemRow.postmortem_id, func.count())
        .where(ItemRow.status == Status.SUGGESTED.value)
        .group_by(col(ItemRow.postmortem_id))
    )
    suggested = {pm_id: int(n) for pm_id, n in session.exec(waiting)}
    query = (
        select(
            PostMortemRow,
            func.count(col(ItemRow.id)).filter(live),
            func.coalesce(func.sum(done), 0),
            func.coalesce(func.sum(overdue), 0),
        )
        .outerjoin(ItemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .group_by(col(PostMortemRow.id))
        .order_by(col(PostMortemRow.incident_date).desc().nulls_last(), col(PostMortemRow.slug))
    )
    return [
        PostMortemView(
            slug=pm.slug,
            title=pm.title,
            path=pm.path,
            incident_date=pm.incident_date,
            status=pm.status,
            repo=pm.repo,
            total=int(total),
            done=int(n_done),
            overdue=int(n_overdue),
            imported_at=pm.imported_at,
            updated_at=pm.updated_at,
            suggested=suggested.get(pm.id or 0, 0),
        )
        for pm, total, n_done, n_overdue in session.exec(query)
    ]
