"""Numbers a team reviews weekly: completion, overdue per owner, time to close, closures."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from followup.errors import NotFoundError
from followup.store.models import UNACCEPTED_STATUSES, EventRow, ItemRow, PostMortemRow
from followup.store.queries import DONE_STATUSES, OPEN_STATUSES, postmortems
from followup.store.views import PostMortemView

# How far back the closures chart reaches by default.
DEFAULT_WEEKS = 12


@dataclass(frozen=True, slots=True)
class OwnerLoad:
    """What one owner still has to do; owner None means nobody was named."""

    owner: str | None
    outstanding: int
    overdue: int


@dataclass(frozen=True, slots=True)
class WeekCount:
    """Items closed in the week that starts on a Monday."""

    week: date
    closed: int


@dataclass(frozen=True, slots=True)
class PostMortemSummary:
    """Where one post-mortem's items stand and how long they have taken."""

    slug: str
    total: int
    done: int
    outstanding: int
    overdue: int
    median_time_to_close: timedelta | None
    # Since the incident (or the first import): to today while items are outstanding,
    # to the last closure once none is.
    elapsed: timedelta | None

    @property
    def finished(self) -> bool:
        """Tell whether every item is done or won't be done."""
        return self.total > 0 and self.outstanding == 0


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the weekly review looks at, computed in one pass over the store."""

    postmortems: list[PostMortemView]
    owners: list[OwnerLoad]
    median_time_to_close: timedelta | None
    closed_items: int
    closed_per_week: list[WeekCount]
    # Outstanding items whose due-date policy deadline has passed.
    past_policy: int = 0

    @property
    def total(self) -> int:
        """Return how many live items there are."""
        return sum(pm.total for pm in self.postmortems)

    @property
    def done(self) -> int:
        """Return how many items are done or won't be done."""
        return sum(pm.done for pm in self.postmortems)

    @property
    def overdue(self) -> int:
        """Return how many items are past due and still outstanding."""
        return sum(pm.overdue for pm in self.postmortems)

    @property
    def completion(self) -> float:
        """Return the share of all items done, from 0 to 1."""
        return self.done / self.total if self.total else 0.0


def _status_events(session: Session, item_ids: Iterable[str] | None = None) -> list[EventRow]:
    query = select(EventRow).where(EventRow.field == "status")
    if item_ids is not None:
        query = query.where(col(EventRow.item_id).in_(list(item_ids)))
    return list(session.exec(query.order_by(col(EventRow.at), col(EventRow.id))))


def is_closure(old: str | None, new: str | None) -> bool:
    """Tell whether a status change closes an item that was outstanding."""
    # An item imported already checked off (old None) was never open here: no closure;
    # nor was a suggestion nobody accepted.
    return (
        old is not None
        and old not in DONE_STATUSES
        and old not in UNACCEPTED_STATUSES
        and new in DONE_STATUSES
    )


def close_times(
    events: Sequence[EventRow], closed_items: set[str], created: dict[str, datetime]
) -> dict[str, timedelta]:
    """Return, for each closed item, the time from its creation to its latest closure."""
    closed_at: dict[str, datetime] = {}
    for event in events:
        if event.item_id in closed_items and is_closure(event.old, event.new):
            closed_at[event.item_id] = event.at
    return {
        item_id: at - created[item_id]
        for item_id, at in closed_at.items()
        if item_id in created and at >= created[item_id]
    }


def median(durations: Iterable[timedelta]) -> timedelta | None:
    """Return the median of some durations, or None when there are none."""
    seconds = [d.total_seconds() for d in durations]
    if not seconds:
        return None
    return timedelta(seconds=statistics.median(seconds))


def closed_per_week(
    events: Iterable[EventRow], *, today: date, weeks: int = DEFAULT_WEEKS
) -> list[WeekCount]:
    """Count closures per week, oldest first, ending with the week that holds today."""
    this_week = today - timedelta(days=today.weekday())
    starts = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for event in events:
        if not is_closure(event.old, event.new):
            continue
        day = event.at.date()
        week = day - timedelta(days=day.weekday())
        if week in counts:
            counts[week] += 1
    return [WeekCount(week, counts[week]) for week in starts]


def overdue_by_owner(session: Session, *, today: date) -> list[OwnerLoad]:
    """Return outstanding and overdue counts per owner, most overdue first."""
    outstanding = col(ItemRow.status).in_(OPEN_STATUSES)
    overdue = case(
        (outstanding & col(ItemRow.due).is_not(None) & (col(ItemRow.due) < today), 1), else_=0
    )
    query = (
        select(ItemRow.owner, func.count(), func.sum(overdue))
        .where(outstanding)
        .group_by(ItemRow.owner)
    )
    loads = [
        OwnerLoad(owner, int(n), int(late or 0)) for owner, n, late in session.exec(query).all()
    ]
    return sorted(loads, key=lambda o: (-o.overdue, -o.outstanding, o.owner or "\uffff"))


def _created(session: Session, slug: str | None = None) -> tuple[dict[str, datetime], set[str]]:
    query = select(ItemRow.id, ItemRow.created_at, ItemRow.status)
    if slug is not None:
        query = query.join(
            PostMortemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id)
        ).where(PostMortemRow.slug == slug)
    created: dict[str, datetime] = {}
    closed: set[str] = set()
    for item_id, created_at, status in session.exec(query).all():
        created[item_id] = created_at
        if status in DONE_STATUSES:
            closed.add(item_id)
    return created, closed


def dashboard(session: Session, *, today: date, weeks: int = DEFAULT_WEEKS) -> Dashboard:
    """Compute the weekly review's numbers for the whole store."""
    created, closed = _created(session)
    events = _status_events(session)
    times = close_times(events, closed, created)
    return Dashboard(
        postmortems=postmortems(session, today=today),
        owners=overdue_by_owner(session, today=today),
        median_time_to_close=median(times.values()),
        closed_items=len(times),
        closed_per_week=closed_per_week(events, today=today, weeks=weeks),
        past_policy=past_policy_count(session, today=today),
    )


def past_policy_count(session: Session, *, today: date) -> int:
    """Return how many outstanding items are past their policy deadline."""
    query = select(func.count()).where(
        col(ItemRow.policy_due).is_not(None),
        col(ItemRow.policy_due) < today,
        col(ItemRow.status).in_(OPEN_STATUSES),
    )
    return int(session.exec(query).one())


def postmortem_summary(session: Session, slug: str, *, today: date) -> PostMortemSummary:
    """Compute one post-mortem's counts and time to close so far."""
    view = next((pm for pm in postmortems(session, today=today) if pm.slug == slug), None)
    if view is None:
        raise NotFoundError(f"no post-mortem {slug!r} in the store")
    created, closed = _created(session, slug)
    events = _status_events(session, created)
    times = close_times(events, closed, created)
    outstanding = view.total - view.done
    elapsed: timedelta | None = None
    if created:
        start = view.incident_date or min(created.values()).date()
        if outstanding:
            elapsed = timedelta(days=(today - start).days)
        else:
            closures = [e.at.date() for e in events if is_closure(e.old, e.new)]
            end = max(closures) if closures else start
            elapsed = timedelta(days=max(0, (end - start).days))
    return PostMortemSummary(
        slug=slug,
        total=view.total,
        done=view.done,
        outstanding=outstanding,
        overdue=view.overdue,
        median_time_to_close=median(times.values()),
        elapsed=elapsed,
    )
