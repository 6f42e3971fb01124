"""The weekly review's numbers, as SQL aggregates over the items and their history.

Every figure is counted by the database; only the short lists the report names (at most
ITEM_LIMIT items each) and a few columns per closed item (for percentiles) come back
to Python. No query reads a document's text: 100,000 items report in well under two
seconds (benchmarks/report.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_
from sqlalchemy import select as columns
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

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
    duration_percentile,
    week_buckets,
)

DONE = (Status.DONE.value, Status.WONT_DO.value)
# Statuses that are no commitment (yet): removed from the document, or a suggestion nobody
# accepted (issue 10's suggested and dismissed). Written out so the report counts them
# apart whether or not this version of the store knows them.
NOT_COUNTED = (Status.REMOVED.value, "suggested", "dismissed")
SUGGESTED = "suggested"
OPEN = tuple(s.value for s in Status if s.value not in DONE and s.value not in NOT_COUNTED)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


class _Query:
    """The scope's conditions, for any statement over items."""

    def __init__(self, scope: ReportScope, today: date) -> None:
        self.scope = scope
        self.today = today
        self.status = col(ItemRow.status)
        self.live = self.status.not_in(NOT_COUNTED)
        self.outstanding = self.status.in_(OPEN)
        self.overdue = and_(
            self.outstanding, col(ItemRow.due).is_not(None), col(ItemRow.due) < today
        )
        self.past_policy = and_(
            self.outstanding, col(ItemRow.policy_due).is_not(None), col(ItemRow.policy_due) < today
        )

    def where(self) -> list[ColumnElement[bool]]:
        """Return the conditions that keep the scope's items (the post-mortem joined)."""
        conditions: list[ColumnElement[bool]] = []
        if self.scope.postmortems:
            conditions.append(col(PostMortemRow.slug).in_(self.scope.postmortems))
        if self.scope.owner:
            owner = self.scope.owner.strip().removeprefix("@").lower()
            conditions.append(func.lower(col(ItemRow.owner)) == owner)
        return conditions

    def items(self, *what: Any) -> Select[Any]:
        """Return a select over the scope's items, their post-mortem joined."""
        return (
            columns(*what)
            .select_from(ItemRow)
            .join(PostMortemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
            .where(*self.where())
        )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# -- the item lists -------------------------------------------------------------------

_ITEM_COLUMNS = (
    col(ItemRow.id),
    col(ItemRow.title),
    col(PostMortemRow.slug),
    col(ItemRow.owner),
    col(ItemRow.priority),
    col(ItemRow.status),
    col(ItemRow.due),
    col(ItemRow.due_source),
    col(ItemRow.policy_due),
    col(IssueRow.repo),
    col(IssueRow.number),
    col(IssueRow.url),
)


def _item(
    row: Sequence[Any], *, closed_on: date | None = None, note: str | None = None
) -> ReportItem:
    (item_id, title, slug, owner, priority, status, due, source, deadline) = row[:9]
    repo, number, url = row[9:12]
    return ReportItem(
        id=item_id,
        title=title,
        postmortem=slug,
        owner=owner,
        priority=priority,
        status=status,
        due=_as_date(due),
        due_source=source,
        policy_due=_as_date(deadline),
        issue_ref=f"{repo}#{number}" if repo and number else None,
        issue_url=url,
        closed_on=closed_on,
        note=note,
    )


def _listed(q: _Query, condition: ColumnElement[bool], *order: Any) -> Select[Any]:
    return (
        q.items(*_ITEM_COLUMNS)
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(condition)
        .order_by(*order, col(ItemRow.id))
        .limit(ITEM_LIMIT)
    )


def _item_list(
    conn: Connection, q: _Query, count: int, condition: ColumnElement[bool], *order: Any
) -> ItemList:
    if not count:
        return ItemList(0)
    rows = conn.execute(_listed(q, condition, *order)).all()
    return ItemList(count, tuple(_item(row) for row in rows))


# -- the figures ----------------------------------------------------------------------


def _totals(conn: Connection, q: _Query) -> Totals:
    row = conn.execute(
        q.items(
            _count(q.live),
            _count(q.outstanding),
            _count(q.status == Status.DONE.value),
            _count(q.status == Status.WONT_DO.value),
            _count(q.overdue),
            _count(q.past_policy),
            _count(q.status == Status.REGRESSED.value),
            _count(q.status == SUGGESTED),
        )
    ).one()
    return Totals(*(int(value) for value in row))


def _postmortems(conn: Connection, q: _Query) -> tuple[PostMortemCompletion, ...]:
    query = (
        q.items(
            col(PostMortemRow.slug),
            col(PostMortemRow.title),
            col(PostMortemRow.incident_date),
            _count(q.live),
            _count(q.status.in_(DONE)),
            _count(q.outstanding),
            _count(q.overdue),
            _count(q.past_policy),
        )
        .group_by(col(PostMortemRow.id))
        .order_by(col(PostMortemRow.incident_date).desc().nulls_last(), col(PostMortemRow.slug))
    )
    return tuple(
        PostMortemCompletion(slug, title, _as_date(day), *(int(n) for n in counts))
        for slug, title, day, *counts in conn.execute(query)
        if counts[0]
    )


def _overdue_by_owner(conn: Connection, q: _Query) -> tuple[OwnerOverdue, ...]:
    counts = conn.execute(
        q.items(col(ItemRow.owner), func.count()).where(q.overdue).group_by(col(ItemRow.owner))
    ).all()
    if not counts:
        return ()
    # The first ITEM_LIMIT overdue items of each owner, most overdue first, in one query.
    rank = (
        func.row_number()
        .over(partition_by=col(ItemRow.owner), order_by=(col(ItemRow.due), col(ItemRow.id)))
        .label("rank")
    )
    ranked = (
        q.items(*_ITEM_COLUMNS, rank)
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(q.overdue)
        .subquery()
    )
    rows = conn.execute(
        columns(ranked).where(ranked.c.rank <= ITEM_LIMIT).order_by(ranked.c.rank)
    ).all()
    listed: dict[str | None, list[ReportItem]] = defaultdict(list)
    for row in rows:
        item = _item(row)
        listed[item.owner].append(item)
    owners = [
        OwnerOverdue(owner, ItemList(int(n), tuple(listed.get(owner, ())))) for owner, n in counts
    ]
    return tuple(sorted(owners, key=lambda o: (-o.overdue.count, o.owner is None, o.owner or "")))


def _closures() -> Any:
    """Return a subquery: each closed item's last closure (a move from open into done)."""
    event = col(EventRow.new)
    return (
        columns(col(EventRow.item_id).label("item_id"), func.max(col(EventRow.at)).label("at"))
        .where(
            col(EventRow.field) == "status",
            event.in_(DONE),
            col(EventRow.old).is_not(None),
            col(EventRow.old).not_in(DONE),
        )
        .group_by(col(EventRow.item_id))
        .subquery()
    )


def _closed_in_period(conn: Connection, q: _Query, start: datetime) -> ItemList:
    closures = _closures()
    when = closures.c.at
    base = q.items(func.count()).join(closures, closures.c.item_id == col(ItemRow.id))
    condition = and_(when >= start, q.status.in_(DONE))
    count = int(conn.execute(base.where(condition)).scalar_one())
    if not count:
        return ItemList(0)
    query = (
        q.items(*_ITEM_COLUMNS, when)
        .join(closures, closures.c.item_id == col(ItemRow.id))
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(condition)
        .order_by(when.desc(), col(ItemRow.id))
        .limit(ITEM_LIMIT)
    )
    items = tuple(_item(row, closed_on=_as_date(row[12])) for row in conn.execute(query))
    return ItemList(count, items)


def _status_moves(q: _Query, start: datetime) -> Select[Any]:
    return (
        q.items(col(EventRow.old), col(EventRow.new), func.count())
        .join(EventRow, col(EventRow.item_id) == col(ItemRow.id))
        .where(col(EventRow.field) == "status", col(EventRow.at) >= start)
        .group_by(col(EventRow.old), col(EventRow.new))
    )


def _opened_and_backlog(
    conn: Connection, q: _Query, start: datetime, open_now: int
) -> tuple[ItemList, int, Backlog]:
    moves = conn.execute(_status_moves(q, start)).all()
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
    # New items, and suggestions someone accepted, in the period.
    arrived = exists().where(
        col(EventRow.item_id) == col(ItemRow.id),
        col(EventRow.field) == "status",
        col(EventRow.at) >= start,
        or_(col(EventRow.old).is_(None), col(EventRow.old) == SUGGESTED),
        col(EventRow.new).in_(OPEN),
    )
    listed = _item_list(conn, q, opened, arrived, col(ItemRow.created_at).desc())
    return listed, reopened, Backlog(at_start=open_now - change, now=open_now)


def _close_times(conn: Connection, q: _Query) -> tuple[CloseTime, ...]:
    closures = _closures()
    rows = conn.execute(
        q.items(col(ItemRow.priority), col(ItemRow.created_at), closures.c.at)
        .join(closures, closures.c.item_id == col(ItemRow.id))
        .where(q.status.in_(DONE))
    ).all()
    taken: dict[str | None, list[timedelta]] = defaultdict(list)
    for priority, created, closed in rows:
        elapsed = _as_datetime(closed) - _as_datetime(created)
        if elapsed >= timedelta(0):
            taken[priority].append(elapsed)
    order = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
    return tuple(
        CloseTime(
            priority,
            len(times),
            duration_percentile(times, 0.5),
            duration_percentile(times, 0.9),
        )
        for priority, times in sorted(taken.items(), key=lambda kv: order.get(kv[0] or "", 9))
    )


def _on_time(conn: Connection, q: _Query, since: date) -> tuple[OnTime, OnTime]:
    closures = _closures()
    passed = and_(
        q.live,
        col(ItemRow.policy_due).is_not(None),
        col(ItemRow.policy_due) < q.today,
    )
    rows = conn.execute(
        q.items(col(ItemRow.policy_due), q.status.in_(DONE), col(ItemRow.created_at), closures.c.at)
        .outerjoin(closures, closures.c.item_id == col(ItemRow.id))
        .where(passed)
    ).all()
    due = in_time = due_in_period = in_time_in_period = 0
    for deadline, closed, created, closed_at in rows:
        deadline_day = _as_date(deadline)
        assert deadline_day is not None
        # An item imported already done was done when it arrived.
        finished = _as_date(closed_at if closed_at is not None else created)
        ok = bool(closed) and finished is not None and finished <= deadline_day
        due += 1
        in_time += ok
        if deadline_day >= since:
            due_in_period += 1
            in_time_in_period += ok
    return OnTime(due, in_time), OnTime(due_in_period, in_time_in_period)


def _regressed(conn: Connection, q: _Query) -> ItemList:
    condition = and_(q.status == Status.REGRESSED.value, col(ItemRow.kind) == "branch_protection")
    count = int(conn.execute(q.items(func.count()).where(condition)).scalar_one())
    if not count:
        return ItemList(0)
    query = (
        q.items(*_ITEM_COLUMNS, col(ItemRow.status_reason), col(ItemRow.protection))
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(condition)
        .order_by(col(ItemRow.updated_at).desc(), col(ItemRow.id))
        .limit(ITEM_LIMIT)
    )
    items = []
    for row in conn.execute(query):
        protection = row[13] if isinstance(row[13], dict) else {}
        where = f"{protection.get('repo') or '?'}:{protection.get('branch') or '?'}"
        items.append(_item(row, note=f"{where}: {row[12]}" if row[12] else where))
    return ItemList(count, tuple(items))


def _closed_days(conn: Connection, q: _Query, first: date) -> list[date]:
    query = (
        q.items(col(EventRow.at))
        .join(EventRow, col(EventRow.item_id) == col(ItemRow.id))
        .where(
            col(EventRow.field) == "status",
            col(EventRow.at) >= _day_start(first),
            col(EventRow.new).in_(DONE),
            col(EventRow.old).is_not(None),
            col(EventRow.old).not_in(DONE),
        )
    )
    return [day for (at,) in conn.execute(query) if (day := _as_date(at)) is not None]


def review_report(session: Session, scope: ReportScope, *, today: date) -> ReviewReport:
    """Compute the review report of a scope and period from the store."""
    conn = session.connection()
    q = _Query(scope, today)
    start = _day_start(scope.since)
    totals = _totals(conn, q)
    opened, reopened, backlog = _opened_and_backlog(conn, q, start, totals.open)
    on_time, on_time_in_period = _on_time(conn, q, scope.since)
    first = chart_start(scope)
    return ReviewReport(
        scope=scope,
        today=today,
        totals=totals,
        postmortems=_postmortems(conn, q),
        overdue_by_owner=_overdue_by_owner(conn, q),
        closed=_closed_in_period(conn, q, start),
        opened=opened,
        reopened=reopened,
        close_times=_close_times(conn, q),
        on_time=on_time,
        on_time_in_period=on_time_in_period,
        backlog=backlog,
        past_policy=_item_list(conn, q, totals.past_policy, q.past_policy, col(ItemRow.policy_due)),
        regressed=_regressed(conn, q) if totals.regressed else ItemList(0),
        closed_per_week=week_buckets(_closed_days(conn, q, first), first=first, last=today),
    )


def known_postmortems(session: Session, slugs: Sequence[str]) -> set[str]:
    """Return which of these slugs name a post-mortem in the store."""
    if not slugs:
        return set()
    rows = session.connection().execute(
        columns(col(PostMortemRow.slug)).where(col(PostMortemRow.slug).in_(list(slugs)))
    )
    return {slug for (slug,) in rows}
