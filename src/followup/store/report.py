"""The weekly review's numbers, from a few scans of the items and their history.

Three scans of the item table give every figure: one grouped by post-mortem and status
(the totals, each post-mortem's completion, the deadlines that passed), one over the
items done or won't do with their closures (time to close per priority, deadlines met),
one over the overdue items (per owner). The short lists the report names (at most
ITEM_LIMIT items each) are read with their details for those items alone; the history
is read through the event table's time index. No query reads a document's text.

What comes back to Python is a row per post-mortem and status, per closed item and per
overdue item; the database's rows are taken as the driver gives them (no ORM, no
per-row parsing of times) and the ordering of the few rows each list names is done
here. 100,000 items report in well under two seconds (benchmarks/report.py).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, Table, and_, case, func, type_coerce
from sqlalchemy import select as columns
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from followup import collector
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow, Status
from followup.store.report_model import (
    ITEM_LIMIT,
    Backlog,
    CloseTime,
    ItemList,
    OnTime,
    OwnerOverdue,
    PostMortemCompletion,
    ReportItem,
    ReportScope,
    ReviewReport,
    Totals,
    chart_start,
    percentile,
    week_totals,
)
from followup.store.report_sql import as_date, day_of, seconds_between

# The tables themselves: statements over them compile as plain SQL, without the ORM.
ITEM: Table = ItemRow.__table__  # type: ignore[attr-defined]
EVENT: Table = EventRow.__table__  # type: ignore[attr-defined]
POSTMORTEM: Table = PostMortemRow.__table__  # type: ignore[attr-defined]
ISSUE: Table = IssueRow.__table__  # type: ignore[attr-defined]
IT, EV = ITEM.c, EVENT.c

DONE_STATUS, WONT_DO, REGRESSED = Status.DONE.value, Status.WONT_DO.value, Status.REGRESSED.value
DONE = (DONE_STATUS, WONT_DO)
# Statuses that are no commitment (yet): removed from the document, or a suggestion nobody
# accepted.
NOT_COUNTED = (Status.REMOVED.value, Status.SUGGESTED.value, Status.DISMISSED.value)
SUGGESTED = Status.SUGGESTED.value
OPEN = tuple(s.value for s in Status if s.value not in DONE and s.value not in NOT_COUNTED)
PRIORITY_ORDER = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
QUANTILES = (0.5, 0.9)
# How many ids one IN (...) names at most.
CHUNK = 500


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _raw(column: Any) -> Any:
    """Return a column read as the driver gives it: SQLite's text is not parsed per row.

    Dates and times only get compared and ordered here, which ISO text does as well as
    parsed values (and PostgreSQL's driver gives dates and times anyway).
    """
    return type_coerce(column, String)


class _Query:
    """The scope's conditions, for any statement over items or their events."""

    def __init__(self, scope: ReportScope, today: date) -> None:
        self.scope = scope
        self.today = today
        self.outstanding = IT.status.in_(OPEN)
        self.overdue = and_(self.outstanding, IT.due.is_not(None), IT.due < today)
        self.past_policy = and_(self.outstanding, IT.policy_due.is_not(None), IT.policy_due < today)

    @property
    def narrowed(self) -> bool:
        """Tell whether the scope leaves some items out."""
        return bool(self.scope.postmortems or self.scope.owner)

    def where(self) -> list[ColumnElement[bool]]:
        """Return the conditions on an item's own columns that keep the scope's items."""
        conditions: list[ColumnElement[bool]] = []
        if self.scope.postmortems:
            chosen = columns(POSTMORTEM.c.id).where(POSTMORTEM.c.slug.in_(self.scope.postmortems))
            conditions.append(IT.postmortem_id.in_(chosen))
        if self.scope.owner:
            owner = self.scope.owner.strip().removeprefix("@").lower()
            conditions.append(func.lower(IT.owner) == owner)
        return conditions

    def items(self, *what: Any) -> Select[Any]:
        """Return a select over the scope's items alone."""
        return columns(*what).select_from(ITEM).where(*self.where())

    def events(self, *what: Any) -> Select[Any]:
        """Return a select over the status events of the scope's items."""
        query = columns(*what).where(EV.field == "status")
        if self.narrowed:
            query = query.where(EV.item_id.in_(self.items(IT.id)))
        return query


# A move from outstanding into done or won't do; an item imported checked off has none.
_CLOSURE = and_(EV.new.in_(DONE), EV.old.is_not(None), EV.old.not_in(DONE))


# -- the item lists -------------------------------------------------------------------

_ITEM_COLUMNS = (
    IT.id,
    IT.title,
    POSTMORTEM.c.slug,
    IT.owner,
    IT.priority,
    IT.status,
    IT.due,
    IT.due_source,
    IT.policy_due,
    ISSUE.c.repo,
    ISSUE.c.number,
    ISSUE.c.url,
    IT.status_reason,
    IT.protection,
)


def _with_details(query: Select[Any]) -> Select[Any]:
    """Return a select joined to what an item's details name: its post-mortem and issue."""
    return query.join(POSTMORTEM, IT.postmortem_id == POSTMORTEM.c.id).outerjoin(
        ISSUE, IT.issue_id == ISSUE.c.id
    )


def _item(row: Sequence[Any], closed_on: date | None = None) -> ReportItem:
    (item_id, title, slug, owner, priority, status, due, source, deadline) = row[:9]
    repo, number, url, reason, protection = row[9:14]
    note = None
    if isinstance(protection, dict) and status == REGRESSED:
        note = f"{protection.get('repo') or '?'}:{protection.get('branch') or '?'}"
        note = f"{note}: {reason}" if reason else note
    return ReportItem(
        id=item_id,
        title=title,
        postmortem=slug,
        owner=owner,
        priority=priority,
        status=status,
        due=as_date(due),
        due_source=source,
        policy_due=as_date(deadline),
        issue_ref=f"{repo}#{number}" if repo and number else None,
        issue_url=url,
        closed_on=closed_on,
        note=note,
    )


def _details(conn: Connection, item_ids: Sequence[str]) -> dict[str, ReportItem]:
    """Return the few items a list names, with their post-mortem and issue."""
    found: dict[str, ReportItem] = {}
    query = _with_details(columns(*_ITEM_COLUMNS).select_from(ITEM))
    for start in range(0, len(item_ids), CHUNK):
        chunk = list(item_ids[start : start + CHUNK])
        found.update((row[0], _item(row)) for row in conn.execute(query.where(IT.id.in_(chunk))))
    return found


def _item_list(
    conn: Connection, q: _Query, count: int, condition: ColumnElement[bool], *order: Any
) -> ItemList:
    """Return the first ITEM_LIMIT items that meet a condition, in an order, and the count."""
    if not count:
        return ItemList(0)
    query = q.items(IT.id).where(condition).order_by(*order, IT.id).limit(ITEM_LIMIT)
    chosen = [item_id for (item_id,) in conn.execute(query)]
    found = _details(conn, chosen)
    return ItemList(count, tuple(found[item_id] for item_id in chosen if item_id in found))


# -- the figures ----------------------------------------------------------------------

# Where each status's items count: (live, outstanding, done, won't do, regressed,
# suggested). A status the report does not know counts as live only.
_FIGURES = 10  # those six, then overdue, past policy, deadline passed, passed in period
_KINDS = dict.fromkeys(OPEN, (1, 1, 0, 0, 0, 0))
_KINDS |= {DONE_STATUS: (1, 0, 1, 0, 0, 0), WONT_DO: (1, 0, 0, 1, 0, 0)}
_KINDS |= {REGRESSED: (1, 1, 0, 0, 1, 0), SUGGESTED: (0, 0, 0, 0, 0, 1)}
_KINDS |= dict.fromkeys(set(NOT_COUNTED) - {SUGGESTED}, (0, 0, 0, 0, 0, 0))
_LIVE_ONLY = (1, 0, 0, 0, 0, 0)


def _counts(
    conn: Connection, q: _Query, since: date
) -> tuple[list[int], tuple[PostMortemCompletion, ...]]:
    """Return the figures of all items and each post-mortem's, from one grouped scan.

    The figures are those of _FIGURES, in its order.
    """
    deadline, today = IT.policy_due, q.today
    grouped = conn.execute(
        q.items(
            IT.postmortem_id,
            IT.status,
            func.count(),
            func.count().filter(IT.due < today),
            func.count().filter(deadline < today),
            func.count().filter(and_(deadline < today, deadline >= since)),
        ).group_by(IT.postmortem_id, IT.status)
    ).all()
    per_pm: dict[int, list[int]] = {}
    for pm_id, status, n, overdue, passed, passed_in_period in grouped:
        figures = per_pm.get(pm_id)
        if figures is None:
            figures = per_pm[pm_id] = [0] * _FIGURES
        live, outstanding, done, wont_do, regressed, suggested = _KINDS.get(status, _LIVE_ONLY)
        if not live:
            figures[5] += suggested * n
            continue
        figures[0] += n
        # A deadline that passed counts towards the on-time rate whatever became of it.
        figures[8] += passed
        figures[9] += passed_in_period
        if outstanding:
            figures[1] += n
            figures[6] += overdue
            figures[7] += passed
            figures[4] += regressed * n
        else:
            figures[2] += done * n
            figures[3] += wont_do * n
    every = [sum(column) for column in zip(*per_pm.values(), strict=True)] or [0] * _FIGURES
    counted = {pm_id for pm_id, figures in per_pm.items() if figures[0]}
    return every, _completion(conn, per_pm, counted)


def _completion(
    conn: Connection, per_pm: dict[int, list[int]], counted: set[int]
) -> tuple[PostMortemCompletion, ...]:
    """Return each counted post-mortem's completion: newest incident first, undated last."""
    named = columns(
        POSTMORTEM.c.id, POSTMORTEM.c.slug, POSTMORTEM.c.title, POSTMORTEM.c.incident_date
    )
    rows: Sequence[Any] = ()
    if len(counted) > CHUNK:
        # Most post-mortems: reading them all costs less than naming them.
        rows = [row for row in conn.execute(named).all() if row[0] in counted]
    elif counted:
        rows = conn.execute(named.where(POSTMORTEM.c.id.in_(sorted(counted)))).all()
    listed = [(as_date(day), slug, title, pm_id) for pm_id, slug, title, day in rows]
    listed.sort(key=lambda row: (row[0] is None, -(row[0] or date.min).toordinal(), row[1]))
    out = []
    for day, slug, title, pm_id in listed:
        live, outstanding, done, wont_do, _r, _s, overdue, past_policy = per_pm[pm_id][:8]
        out.append(
            PostMortemCompletion(
                slug, title, day, live, done + wont_do, outstanding, overdue, past_policy
            )
        )
    return tuple(out)


def _closed_items(
    conn: Connection, q: _Query, since: date
) -> tuple[tuple[CloseTime, ...], int, int]:
    """Return the time to close per priority, and how many items met a passed deadline.

    The items done or won't do, each with its closures; an item's last closure counts
    (how long it took, for the percentiles, worked out as report_model.percentile does;
    whether it came by the deadline). An item imported already done was done when it
    arrived. Returns the close times and the deadlines met, all and in the period.
    """
    created, deadline, at = IT.created_at, IT.policy_due, EV.at
    met = and_(deadline < q.today, day_of(func.coalesce(at, created)) <= deadline)
    closures = and_(EV.item_id == IT.id, EV.field == "status", _CLOSURE)
    rows = conn.execute(
        q.items(
            IT.id,
            IT.priority,
            _raw(at),
            case((at >= created, seconds_between(created, at))),
            case((and_(met, deadline >= since), 2), (met, 1), else_=0),
        )
        .outerjoin(EVENT, closures)
        .where(IT.status.in_(DONE))
    ).all()
    last: dict[str, Any] = {}
    for row in rows:
        seen = last.get(row[0])
        # One backend's times all have one form, so they compare as times.
        if seen is None or (row[2] is not None and (seen[2] is None or row[2] > seen[2])):
            last[row[0]] = row
    taken: dict[str | None, list[float]] = defaultdict(list)
    in_time = [0, 0, 0]
    for _id, priority, _at, seconds, on_time in last.values():
        if seconds is not None:
            taken[priority].append(float(seconds))
        in_time[on_time] += 1
    out = []
    for priority in sorted(taken, key=_priority_order):
        durations = sorted(taken[priority])
        shown = [_duration(durations, quantile) for quantile in QUANTILES]
        out.append(CloseTime(priority, len(durations), *shown))
    return tuple(out), in_time[1] + in_time[2], in_time[2]


def _duration(ordered: list[float], quantile: float) -> timedelta:
    seconds = percentile(ordered, quantile)
    return timedelta(seconds=seconds if seconds is not None else 0.0)


def _priority_order(priority: str | None) -> tuple[int, str]:
    """Order priorities P0 to P3, then any other, then none."""
    if priority is None:
        return (10, "")
    return (PRIORITY_ORDER.get(priority, 9), priority)


def _overdue_by_owner(conn: Connection, q: _Query) -> tuple[OwnerOverdue, ...]:
    """Return each owner's overdue items: how many, and the most overdue few."""
    rows = conn.execute(q.items(IT.owner, _raw(IT.due), IT.id).where(q.overdue)).all()
    theirs: dict[str | None, list[tuple[Any, str]]] = defaultdict(list)
    for owner, due, item_id in rows:
        theirs[owner].append((due, item_id))
    # Most overdue first, then by id: the order the database would give.
    first = {owner: heapq.nsmallest(ITEM_LIMIT, items) for owner, items in theirs.items()}
    found = _details(conn, [item_id for items in first.values() for _due, item_id in items])
    owners = [
        OwnerOverdue(
            owner, ItemList(len(theirs[owner]), tuple(found[i] for _d, i in items if i in found))
        )
        for owner, items in first.items()
    ]
    return tuple(sorted(owners, key=lambda o: (-o.overdue.count, o.owner is None, o.owner or "")))


def _closed_in_period(conn: Connection, q: _Query, start: datetime) -> ItemList:
    """Return the items closed in the period and closed still (not reopened since)."""
    recent = (
        q.events(EV.item_id.label("item_id"), func.max(EV.at).label("at"))
        .where(_CLOSURE, EV.at >= start)
        .group_by(EV.item_id)
        .subquery()
    )
    query = (
        columns(func.count().over(), day_of(recent.c.at), *_ITEM_COLUMNS)
        .select_from(recent)
        .join(ITEM, IT.id == recent.c.item_id)
        .where(IT.status.in_(DONE))
        .order_by(recent.c.at.desc(), IT.id.desc())
        .limit(ITEM_LIMIT)
    )
    rows = conn.execute(_with_details(query)).all()
    if not rows:
        return ItemList(0)
    items = tuple(_item(details, as_date(day)) for _n, day, *details in rows)
    return ItemList(int(rows[0][0]), items)


def _opened_and_backlog(
    conn: Connection, q: _Query, start: datetime, open_now: int
) -> tuple[ItemList, int, Backlog]:
    moves = conn.execute(
        q.events(EV.old, EV.new, func.count()).where(EV.at >= start).group_by(EV.old, EV.new)
    ).all()
    # Counting the moves into and out of the outstanding statuses since the start tells
    # how large the backlog was then, without replaying anyone's history.
    change = opened = reopened = 0
    for old, new, n in moves:
        was, now = old in OPEN, new in OPEN
        change += int(n) * (int(now) - int(was))
        if now and old in (None, SUGGESTED):
            opened += int(n)
        elif now and old in DONE:
            reopened += int(n)
    listed = ItemList(0)
    if opened:
        # New items, and suggestions someone accepted, in the period: newest first.
        arrivals = conn.execute(
            q.events(EV.item_id, EV.at)
            .where(
                EV.at >= start,
                EV.new.in_(OPEN),
                (EV.old.is_(None)) | (EV.old == SUGGESTED),
            )
            .order_by(EV.at.desc(), EV.item_id)
            .limit(ITEM_LIMIT)
        ).all()
        chosen = list(dict.fromkeys(item_id for item_id, _at in arrivals))
        found = _details(conn, chosen)
        listed = ItemList(opened, tuple(found[i] for i in chosen if i in found))
    return listed, reopened, Backlog(at_start=open_now - change, now=open_now)


def _regressed(conn: Connection, q: _Query) -> ItemList:
    condition = and_(IT.status == REGRESSED, IT.kind == "branch_protection")
    count = int(conn.execute(q.items(func.count()).where(condition)).scalar_one())
    return _item_list(conn, q, count, condition, IT.updated_at.desc())


def _closures_per_day(conn: Connection, q: _Query, since: datetime) -> Iterable[tuple[date, int]]:
    """Return how many closures (each, not only an item's last) each day since a moment saw."""
    day = day_of(EV.at)
    query = q.events(day, func.count()).where(_CLOSURE, EV.at >= since).group_by(day)
    return [(as_date(on) or date.min, int(n)) for on, n in conn.execute(query)]


def review_report(session: Session, scope: ReportScope, *, today: date) -> ReviewReport:
    """Compute the review report of a scope and period from the store."""
    with collector.paused():
        return _review_report(session.connection(), scope, today)


def _review_report(conn: Connection, scope: ReportScope, today: date) -> ReviewReport:
    """Compute the review report of a scope and period over a connection."""
    q = _Query(scope, today)
    start = _day_start(scope.since)
    every, postmortems = _counts(conn, q, scope.since)
    totals = Totals(*every[:2], *every[2:4], *every[6:8], *every[4:6])
    opened, reopened, backlog = _opened_and_backlog(conn, q, start, totals.open)
    close_times, in_time, in_time_in_period = _closed_items(conn, q, scope.since)
    first = chart_start(scope)
    per_day = _closures_per_day(conn, q, _day_start(first))
    return ReviewReport(
        scope=scope,
        today=today,
        totals=totals,
        postmortems=postmortems,
        overdue_by_owner=_overdue_by_owner(conn, q) if totals.overdue else (),
        closed=_closed_in_period(conn, q, start),
        opened=opened,
        reopened=reopened,
        close_times=close_times,
        on_time=OnTime(every[8], in_time),
        on_time_in_period=OnTime(every[9], in_time_in_period),
        backlog=backlog,
        past_policy=_item_list(conn, q, totals.past_policy, q.past_policy, IT.policy_due),
        regressed=_regressed(conn, q) if totals.regressed else ItemList(0),
        closed_per_week=week_totals(per_day, first=first, last=today),
    )


def known_postmortems(session: Session, slugs: Sequence[str]) -> set[str]:
    """Return which of these slugs name a post-mortem in the store."""
    if not slugs:
        return set()
    rows = session.connection().execute(
        columns(POSTMORTEM.c.slug).where(POSTMORTEM.c.slug.in_(list(slugs)))
    )
    return {slug for (slug,) in rows}
