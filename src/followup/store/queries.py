"""Read the store: filtered item lists, one item, its history, post-mortem summaries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from followup.errors import InputError, NotFoundError

# Re-exported: the filter lives apart so the lean reader (store/direct.py) shares it.
from followup.store.filters import DONE_STATUSES as DONE_STATUSES  # noqa: PLC0414
from followup.store.filters import HIDDEN_STATUSES as HIDDEN_STATUSES  # noqa: PLC0414
from followup.store.filters import OPEN_STATUSES as OPEN_STATUSES  # noqa: PLC0414
from followup.store.filters import ItemFilter as ItemFilter  # noqa: PLC0414
from followup.store.filters import like_pattern
from followup.store.filters import normalise_owner as normalise_owner  # noqa: PLC0414
from followup.store.filters import parse_statuses as parse_statuses  # noqa: PLC0414
from followup.store.listing import (
    BRIEF_COLUMNS,
    ISSUE_COLUMNS,
    ITEM_COLUMNS,
    POSTMORTEM_COLUMNS,
    brief_views,
    view_from_row,
    views,
)
from followup.store.models import (
    LISTING_ORDER,
    UNACCEPTED_STATUSES,
    EventRow,
    IssueRow,
    ItemRow,
    PostMortemRow,
    Status,
)
from followup.store.views import EventView, ItemView, PostMortemView
from followup.text import clean

# Rows fetched at a time when items are streamed.
FETCH_BATCH = 2_000


def _item_query(flt: ItemFilter, today: date) -> Select[Any]:
    """Return the filtered, ordered query of the columns an ItemView needs.

    Columns, not rows: a post-mortem's text never travels with its items, and no ORM
    object is built for a row that only becomes a view.
    """
    query = (
        select(*ITEM_COLUMNS, *POSTMORTEM_COLUMNS, *ISSUE_COLUMNS)
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
        query = query.where(col(PostMortemRow.slug) == flt.postmortem)
    if flt.kind:
        query = query.where(col(ItemRow.kind) == flt.kind)
    if flt.repo:
        query = query.where(col(ItemRow.repo) == flt.repo.lower())
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
        needle = like_pattern(flt.text)
        query = query.where(
            or_(
                func.lower(ItemRow.title).like(needle, escape="\\"),
                func.lower(ItemRow.owner).like(needle, escape="\\"),
                col(ItemRow.id).like(needle, escape="\\"),
            )
        )
    ordered: Select[Any] = query.order_by(*LISTING_ORDER, col(ItemRow.position))
    return ordered


def iter_items(
    session: Session,
    flt: ItemFilter,
    *,
    today: date,
    limit: int | None = None,
    brief: bool = False,
) -> Iterator[ItemView]:
    """Yield the items that pass the filter, by post-mortem and document order.

    Rows are fetched in batches as they are consumed, so a caller that writes each item
    out holds a batch, not the whole store (PostgreSQL streams them from the server).
    Brief views hold only what `followup list` shows (listing.brief_views).
    """
    query = _item_query(flt, today)
    if brief:
        query = query.with_only_columns(*BRIEF_COLUMNS)
    if limit is not None:
        query = query.limit(limit)
    # On the connection: plain rows, without the ORM's per-row bookkeeping.
    result = session.connection().execute(query, execution_options={"yield_per": FETCH_BATCH})
    yield from brief_views(result) if brief else views(result)


def list_items(
    session: Session, flt: ItemFilter, *, today: date, limit: int | None = None
) -> list[ItemView]:
    """Return the items that pass the filter, by post-mortem and document order."""
    return list(iter_items(session, flt, today=today, limit=limit))


def find_item_id(session: Session, ref: str) -> str:
    """Return the id of the item whose id is ref or starts with it."""
    ref = ref.strip().lower()
    if not ref:
        raise InputError("an item id is required")
    matches = list(
        session.exec(
            select(ItemRow.id)
            .where(col(ItemRow.id).startswith(ref))
            .order_by(col(ItemRow.id))
            .limit(6)
        )
    )
    if ref in matches:
        return ref
    if not matches:
        raise NotFoundError(f"no item with id {ref!r} (see 'followup list')")
    if len(matches) > 1:
        raise InputError(f"item id {ref!r} is ambiguous: {', '.join(matches[:5])}")
    return matches[0]


def find_item(session: Session, ref: str) -> ItemRow:
    """Return the item whose id is ref or starts with it."""
    item = session.get(ItemRow, find_item_id(session, ref))
    assert item is not None
    return item


def get_item(session: Session, ref: str) -> ItemView:
    """Return one item as a view."""
    item_id = find_item_id(session, ref)
    query = (
        select(*ITEM_COLUMNS, *POSTMORTEM_COLUMNS, *ISSUE_COLUMNS)
        .join(PostMortemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(col(ItemRow.id) == item_id)
    )
    return view_from_row(session.connection().execute(query).one())


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
    source = session.exec(select(PostMortemRow.source).where(PostMortemRow.slug == slug)).first()
    if source is None:
        raise NotFoundError(f"no post-mortem {slug!r} in the store")
    # The store keeps the file's exact text (write-back compares it); only what is shown
    # has its control characters made visible.
    return clean(source)


def postmortems(
    session: Session, *, today: date, names: dict[Any, Any] | None = None
) -> list[PostMortemView]:
    """Return every post-mortem with its item counts, newest first.

    Each value recurring in `names` (or among the post-mortems) is held once: the TUI
    keeps 10,000 post-mortems beside their items, which name the same slugs and titles.
    """
    seen: dict[Any, Any] = {} if names is None else names
    one = seen.setdefault
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
    # Columns, not rows: the sidebar of 10,000 post-mortems must not read their texts.
    waiting = (
        select(ItemRow.postmortem_id, func.count())
        .where(ItemRow.status == Status.SUGGESTED.value)
        .group_by(col(ItemRow.postmortem_id))
    )
    suggested = {pm_id: int(n) for pm_id, n in session.exec(waiting)}
    query = (
        sa_select(
            col(PostMortemRow.id),
            col(PostMortemRow.slug),
            col(PostMortemRow.title),
            col(PostMortemRow.path),
            col(PostMortemRow.incident_date),
            col(PostMortemRow.status),
            col(PostMortemRow.repo),
            col(PostMortemRow.imported_at),
            col(PostMortemRow.updated_at),
            func.count(col(ItemRow.id)).filter(live),
            func.coalesce(func.sum(done), 0),
            func.coalesce(func.sum(overdue), 0),
        )
        .outerjoin(ItemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .group_by(col(PostMortemRow.id))
        .order_by(*LISTING_ORDER)
    )
    return [
        PostMortemView(
            slug=one(slug, slug),
            title=one(title, title),
            path=one(path, path),
            incident_date=one(incident_date, incident_date),
            status=one(status, status),
            repo=one(repo, repo),
            total=int(total),
            done=int(n_done),
            overdue=int(n_overdue),
            imported_at=one(imported_at, imported_at),
            updated_at=one(updated_at, updated_at),
            suggested=suggested.get(pm_id, 0),
        )
        for (
            pm_id,
            slug,
            title,
            path,
            incident_date,
            status,
            repo,
            imported_at,
            updated_at,
            total,
            n_done,
            n_overdue,
        ) in session.execute(query)
    ]


def unfiled_in(postmortem_id: int | None, repo: str) -> tuple[Any, ...]:
    """Return the conditions on ItemRow for a post-mortem's issue items still to file in repo."""
    return (
        ItemRow.postmortem_id == postmortem_id,
        ItemRow.kind == "issue",
        col(ItemRow.issue_id).is_(None),
        ItemRow.repo == repo,
        ItemRow.status != Status.REMOVED.value,
    )
