"""The weekly review's numbers, as SQL aggregates over the items and their history.

Every figure is counted by the database; only the short lists the report names (at most
ITEM_LIMIT items each) and two small columns per closed item (for percentiles and
deadlines) come back to Python. No query reads a document's text, and none joins the
whole item table to another: a scope is a condition on the items' own columns, details
are joined only for the few items a list names, and history is read through the
event table's time index. 100,000 items report in under two seconds
(benchmarks/report.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Float, Integer, Select, String, and_, case, cast, func, type_coerce
from sqlalchemy import select as columns
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
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
    week_buckets,
)


class day_of(FunctionElement[Any]):
    """The calendar day of a stored time, comparable with a stored date on each backend."""

    inherit_cache = True


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: day_of, compiler: Any, **kw: Any) -> str:
    # SQLite keeps times as ISO text: the day is its first ten characters.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(day_of)
def _day_of(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


class seconds_between(FunctionElement[Any]):
    """The seconds from a first stored time to a second, on each backend."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({second}) - julianday({first})) * 86400.0)"


@compiles(seconds_between)
def _seconds(element: seconds_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({second} - {first}))"


DONE = (Status.DONE.value, Status.WONT_DO.value)
# Statuses that are no commitment (yet): removed from the document, or a suggestion nobody
# accepted.
NOT_COUNTED = (Status.REMOVED.value, Status.SUGGESTED.value, Status.DISMISSED.value)
SUGGESTED = Status.SUGGESTED.value
OPEN = tuple(s.value for s in Status if s.value not in DONE and s.value not in NOT_COUNTED)
PRIORITY_ORDER = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}


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
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _raw(column: Any) -> Any:
    """Return a column read as the driver gives it: SQLite's text is not parsed per row.

    Reading tens of thousands of times through the ORM's types costs more than the
    queries; what the report needs of them (a day, a difference) is worked out below.
    """
    return type_coerce(column, String)


def _day_text(value: Any) -> str:
    """Return the YYYY-MM-DD of a stored date or time, as text (ISO text sorts as dates)."""
    return value[:10] if isinstance(value, str) else value.isoformat()[:10]


class _Query:
    """The scope's conditions, for any statement over items or their events."""

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

    @property
    def narrowed(self) -> bool:
        """Tell whether the scope leaves some items out."""
        return bool(self.scope.postmortems or self.scope.owner)

    def where(self) -> list[ColumnElement[bool]]:
        """Return the conditions on an item's own columns that keep the scope's items."""
        conditions: list[ColumnElement[bool]] = []
        if self.scope.postmortems:
            chosen = columns(col(PostMortemRow.id)).where(
                col(PostMortemRow.slug).in_(self.scope.postmortems)
            )
            conditions.append(col(ItemRow.postmortem_id).in_(chosen))
        if self.scope.owner:
            owner = self.scope.owner.strip().removeprefix("@").lower()
            conditions.append(func.lower(col(ItemRow.owner)) == owner)
        return conditions

    def items(self, *what: Any) -> Select[Any]:
        """Return a select over the scope's items alone."""
        return columns(*what).select_from(ItemRow).where(*self.where())

    def events(self, *what: Any) -> Select[Any]:
        """Return a select over the status events of the scope's items."""
        query = columns(*what).where(col(EventRow.field) == "status")
        if self.narrowed:
            query = query.where(col(EventRow.item_id).in_(self.items(col(ItemRow.id))))
        return query


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# A move from outstanding into done or won't do; an item imported checked off has none.
_CLOSURE = and_(
    col(EventRow.new).in_(DONE), col(EventRow.old).is_not(None), col(EventRow.old).not_in(DONE)
)


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
    col(ItemRow.status_reason),
    col(ItemRow.protection),
)


def _item(row: Sequence[Any]) -> ReportItem:
    (item_id, title, slug, owner, priority, status, due, source, deadline) = row[:9]
    repo, number, url, reason, protection = row[9:14]
    note = None
    if isinstance(protection, dict) and status == Status.REGRESSED.value:
        note = f"{protection.get('repo') or '?'}:{protection.get('branch') or '?'}"
        note = f"{note}: {reason}" if reason else note
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
        note=note,
    )


def _details(conn: Connection, item_ids: Sequence[str]) -> dict[str, ReportItem]:
    """Return the few items a list names, with their post-mortem and issue."""
    if not item_ids:
        return {}
    query = (
        columns(*_ITEM_COLUMNS)
        .select_from(ItemRow)
        .join(PostMortemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(col(ItemRow.id).in_(list(item_ids)))
    )
    return {row[0]: _item(row) for row in conn.execute(query)}


def _item_list(
    conn: Connection, q: _Query, count: int, condition: ColumnElement[bool], *order: Any
) -> ItemList:
    """Return the first ITEM_LIMIT items that meet a condition, in an order, and the count."""
    if not count:
        return ItemList(0)
    chosen = [
        item_id
        for (item_id,) in conn.execute(
            q.items(col(ItemRow.id))
            .where(condition)
            .order_by(*order, col(ItemRow.id))
            .limit(ITEM_LIMIT)
        )
    ]
    found = _details(conn, chosen)
    return ItemList(count, tuple(found[item_id] for item_id in chosen if item_id in found))


# -- the figures ----------------------------------------------------------------------


def _counts(conn: Connection, q: _Query) -> tuple[Totals, tuple[PostMortemCompletion, ...]]:
    """Return the totals and each post-mortem's figures, from one grouped scan of the items."""
    figures = (
        _count(q.live),
        _count(q.outstanding),
        _count(q.status == Status.DONE.value),
        _count(q.status == Status.WONT_DO.value),
        _count(q.overdue),
        _count(q.past_policy),
        _count(q.status == Status.REGRESSED.value),
        _count(q.status == SUGGESTED),
    )
    grouped = conn.execute(
        q.items(col(ItemRow.postmortem_id), *figures).group_by(col(ItemRow.postmortem_id))
    ).all()
    per_pm = {pm_id: tuple(int(n) for n in numbers) for pm_id, *numbers in grouped}
    sums = [sum(numbers[n] for numbers in per_pm.values()) for n in range(len(figures))]
    totals = Totals(*sums)
    counted = [pm_id for pm_id, numbers in per_pm.items() if numbers[0]]
    named: list[tuple[Any, ...]] = []
    for chunk in range(0, len(counted), 500):
        named.extend(
            conn.execute(
                columns(
                    col(PostMortemRow.id),
                    col(PostMortemRow.slug),
                    col(PostMortemRow.title),
                    col(PostMortemRow.incident_date),
                ).where(col(PostMortemRow.id).in_(counted[chunk : chunk + 500]))
            ).all()
        )
    # Newest incident first, undated last, then by slug.
    named.sort(key=lambda row: (row[3] is None, _neg_day(row[3]), row[1]))
    postmortems = []
    for pm_id, slug, title, day in named:
        live, outstanding, done, wont_do, overdue, late = per_pm[pm_id][:6]
        postmortems.append(
            PostMortemCompletion(
                slug, title, _as_date(day), live, done + wont_do, outstanding, overdue, late
            )
        )
    return totals, tuple(postmortems)


def _neg_day(day: Any) -> int:
    return -(_as_date(day) or date.min).toordinal()


def _overdue_by_owner(conn: Connection, q: _Query) -> tuple[OwnerOverdue, ...]:
    counts = conn.execute(
        q.items(col(ItemRow.owner), func.count()).where(q.overdue).group_by(col(ItemRow.owner))
    ).all()
    if not counts:
        return ()
    # The first ITEM_LIMIT overdue items of each owner, most overdue first: ranked over
    # the items' own columns, details read for those alone.
    rank = (
        func.row_number()
        .over(partition_by=col(ItemRow.owner), order_by=(col(ItemRow.due), col(ItemRow.id)))
        .label("rank")
    )
    ranked = q.items(col(ItemRow.id).label("id"), rank).where(q.overdue).subquery()
    chosen = [
        item_id
        for (item_id,) in conn.execute(
            columns(ranked.c.id).where(ranked.c.rank <= ITEM_LIMIT).order_by(ranked.c.rank)
        ).all()
    ]
    found = _details(conn, chosen)
    listed: dict[str | None, list[ReportItem]] = defaultdict(list)
    for item_id in chosen:
        if item_id in found:
            listed[found[item_id].owner].append(found[item_id])
    owners = [
        OwnerOverdue(owner, ItemList(int(n), tuple(listed.get(owner, ())))) for owner, n in counts
    ]
    return tuple(sorted(owners, key=lambda o: (-o.overdue.count, o.owner is None, o.owner or "")))


def _closures(conn: Connection, q: _Query, since: datetime | None = None) -> dict[str, Any]:
    """Return each item's last closure (since a moment, when given), as the driver gives it."""
    query = q.events(col(EventRow.item_id), _raw(col(EventRow.at))).where(_CLOSURE)
    if since is not None:
        query = query.where(col(EventRow.at) >= since)
    last: dict[str, Any] = {}
    for item_id, at in conn.execute(query).all():
        # One backend's values all have one form, so they compare as times.
        if item_id not in last or at > last[item_id]:
            last[item_id] = at
    return last


def _closed_in_period(conn: Connection, q: _Query, start: datetime) -> ItemList:
    recent = _closures(conn, q, start)
    if not recent:
        return ItemList(0)
    # Closed in the period and closed still (not reopened since).
    still: list[str] = []
    ids = list(recent)
    for chunk in range(0, len(ids), 500):
        query = columns(col(ItemRow.id)).where(
            col(ItemRow.id).in_(ids[chunk : chunk + 500]), col(ItemRow.status).in_(DONE)
        )
        still.extend(item_id for (item_id,) in conn.execute(query))
    latest = sorted(still, key=lambda item_id: (_as_datetime(recent[item_id]), item_id))
    latest.reverse()
    found = _details(conn, latest[:ITEM_LIMIT])
    items = tuple(
        replace(found[i], closed_on=_as_datetime(recent[i]).date())
        for i in latest[:ITEM_LIMIT]
        if i in found
    )
    return ItemList(len(still), items)


def _opened_and_backlog(
    conn: Connection, q: _Query, start: datetime, open_now: int
) -> tuple[ItemList, int, Backlog]:
    moves = conn.execute(
        q.events(col(EventRow.old), col(EventRow.new), func.count())
        .where(col(EventRow.at) >= start)
        .group_by(col(EventRow.old), col(EventRow.new))
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
            q.events(col(EventRow.item_id), col(EventRow.at))
            .where(
                col(EventRow.at) >= start,
                col(EventRow.new).in_(OPEN),
                (col(EventRow.old).is_(None)) | (col(EventRow.old) == SUGGESTED),
            )
            .order_by(col(EventRow.at).desc(), col(EventRow.item_id))
            .limit(ITEM_LIMIT)
        ).all()
        chosen = list(dict.fromkeys(item_id for item_id, _at in arrivals))
        found = _details(conn, chosen)
        listed = ItemList(opened, tuple(found[i] for i in chosen if i in found))
    return listed, reopened, Backlog(at_start=open_now - change, now=open_now)


def _last_closures(q: _Query) -> Any:
    """Return a subquery: each item's last closure."""
    return (
        q.events(col(EventRow.item_id).label("item_id"), func.max(col(EventRow.at)).label("at"))
        .where(_CLOSURE)
        .group_by(col(EventRow.item_id))
        .subquery()
    )


def _on_time(conn: Connection, q: _Query, since: date) -> tuple[OnTime, OnTime]:
    """Return the items whose policy deadline passed and how many were closed by it.

    An item imported already done was done when it arrived.
    """
    closures = _last_closures(q)
    deadline = col(ItemRow.policy_due)
    met = and_(
        q.status.in_(DONE),
        day_of(func.coalesce(closures.c.at, col(ItemRow.created_at))) <= deadline,
    )
    in_period = deadline >= since
    row = conn.execute(
        q.items(
            func.count(),
            _count(met),
            _count(in_period),
            _count(and_(met, in_period)),
        )
        .outerjoin(closures, closures.c.item_id == col(ItemRow.id))
        .where(q.live, deadline.is_not(None), deadline < q.today)
    ).one()
    due, in_time, due_in_period, in_time_in_period = (int(n or 0) for n in row)
    return OnTime(due, in_time), OnTime(due_in_period, in_time_in_period)


QUANTILES = (0.5, 0.9)


def _close_times(conn: Connection, q: _Query) -> tuple[CloseTime, ...]:
    """Return the median and 90th-percentile time to close per priority.

    The database sorts each priority's durations and hands back only the ranks the two
    quantiles fall between; they are interpolated here (report_model.percentile's way).
    """
    closures = _last_closures(q)
    taken = (
        q.items(
            col(ItemRow.priority).label("priority"),
            seconds_between(col(ItemRow.created_at), closures.c.at).label("seconds"),
        )
        .join(closures, closures.c.item_id == col(ItemRow.id))
        .where(q.status.in_(DONE), closures.c.at >= col(ItemRow.created_at))
        .subquery()
    )
    ranked = columns(
        taken.c.priority,
        taken.c.seconds,
        func.row_number()
        .over(partition_by=taken.c.priority, order_by=taken.c.seconds)
        .label("rank"),
        func.count().over(partition_by=taken.c.priority).label("n"),
    ).subquery()
    # The two ranks around each quantile's position. CAST truncates on SQLite and rounds on
    # PostgreSQL, so one rank either side of it is asked for.
    wanted = [
        (ranked.c.rank - 1 >= near - 1) & (ranked.c.rank - 1 <= near + 1)
        for near in (cast((ranked.c.n - 1) * quantile, Integer) for quantile in QUANTILES)
    ]
    rows = conn.execute(
        columns(ranked.c.priority, ranked.c.n, ranked.c.rank, ranked.c.seconds).where(
            wanted[0] | wanted[1]
        )
    ).all()
    found: dict[str | None, tuple[int, dict[int, float]]] = {}
    for priority, n, rank, seconds in rows:
        count, at_rank = found.setdefault(priority, (int(n), {}))
        at_rank[int(rank) - 1] = float(seconds)
    out = []
    for priority, (count, at_rank) in sorted(
        found.items(), key=lambda kv: PRIORITY_ORDER.get(kv[0] or "", 9)
    ):
        shown = [_interpolate(at_rank, count, quantile) for quantile in QUANTILES]
        out.append(CloseTime(priority, count, *shown))
    return tuple(out)


def _interpolate(at_rank: dict[int, float], count: int, quantile: float) -> timedelta:
    position = (count - 1) * quantile
    low = int(position)
    high = min(low + 1, count - 1)
    value = at_rank[low] + (at_rank[high] - at_rank[low]) * (position - low)
    return timedelta(seconds=value)


def _regressed(conn: Connection, q: _Query) -> ItemList:
    condition = and_(q.status == Status.REGRESSED.value, col(ItemRow.kind) == "branch_protection")
    count = int(conn.execute(q.items(func.count()).where(condition)).scalar_one())
    return _item_list(conn, q, count, condition, col(ItemRow.updated_at).desc())


def review_report(session: Session, scope: ReportScope, *, today: date) -> ReviewReport:
    """Compute the review report of a scope and period from the store."""
    conn = session.connection()
    q = _Query(scope, today)
    start = _day_start(scope.since)
    totals, postmortems = _counts(conn, q)
    opened, reopened, backlog = _opened_and_backlog(conn, q, start, totals.open)
    on_time, on_time_in_period = _on_time(conn, q, scope.since)
    first = chart_start(scope)
    chart_from = _day_start(first)
    return ReviewReport(
        scope=scope,
        today=today,
        totals=totals,
        postmortems=postmortems,
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
        closed_per_week=week_buckets(_closure_days(conn, q, chart_from), first=first, last=today),
    )


def _closure_days(conn: Connection, q: _Query, since: datetime) -> list[date]:
    """Return the day of every closure since a moment (each one, not just the last)."""
    query = q.events(_raw(col(EventRow.at))).where(_CLOSURE, col(EventRow.at) >= since)
    return [date.fromisoformat(_day_text(at)) for (at,) in conn.execute(query).all()]


def known_postmortems(session: Session, slugs: Sequence[str]) -> set[str]:
    """Return which of these slugs name a post-mortem in the store."""
    if not slugs:
        return set()
    rows = session.connection().execute(
        columns(col(PostMortemRow.slug)).where(col(PostMortemRow.slug).in_(list(slugs)))
    )
    return {slug for (slug,) in rows}
