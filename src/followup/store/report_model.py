"""What the weekly review report says: plain numbers and short item lists, and their math.

store/report.py fills these from the store with SQL aggregates; sync/review/ renders
them as Markdown, HTML and JSON. The helpers here (percentiles, week buckets) are pure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

# How many items each list of the report names; the rest are counted.
ITEM_LIMIT = 20
# How many weeks the closures chart reaches back at least.
CHART_WEEKS = 12


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which items the report covers and the period it looks back on (both days included)."""

    since: date
    until: date
    postmortems: tuple[str, ...] = ()
    owner: str | None = None

    @property
    def days(self) -> int:
        """Return how many days the period spans."""
        return (self.until - self.since).days + 1


@dataclass(frozen=True, slots=True)
class Totals:
    """How many items there are and where they stand; suggestions are counted apart."""

    total: int
    open: int
    done: int
    wont_do: int
    overdue: int
    past_policy: int
    regressed: int
    suggested: int

    @property
    def closed(self) -> int:
        """Return how many items are done or won't be done."""
        return self.done + self.wont_do

    @property
    def completion(self) -> float:
        """Return the share of items done or won't do, from 0 to 1."""
        return self.closed / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One item as the report names it."""

    id: str
    title: str
    postmortem: str
    owner: str | None
    priority: str | None
    status: str
    due: date | None
    due_source: str | None
    policy_due: date | None
    issue_ref: str | None = None
    issue_url: str | None = None
    closed_on: date | None = None
    note: str | None = None  # a regression's cause, say


@dataclass(frozen=True, slots=True)
class ItemList:
    """A list the report shows: its first items and how many there are in all."""

    count: int
    items: tuple[ReportItem, ...] = ()

    @property
    def more(self) -> int:
        """Return how many items the list leaves out."""
        return max(0, self.count - len(self.items))


@dataclass(frozen=True, slots=True)
class PostMortemCompletion:
    """One post-mortem's items: how many, done, open, late."""

    slug: str
    title: str
    incident_date: date | None
    total: int
    closed: int
    open: int
    overdue: int
    past_policy: int

    @property
    def completion(self) -> float:
        """Return the share of items done or won't do, from 0 to 1."""
        return self.closed / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class OwnerOverdue:
    """One owner's overdue items (owner None: nobody was named)."""

    owner: str | None
    overdue: ItemList


@dataclass(frozen=True, slots=True)
class CloseTime:
    """How long items of one priority took to close, from creation to their last closure."""

    priority: str | None
    closed: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True, slots=True)
class OnTime:
    """Items whose policy deadline passed, and how many of them were closed by it."""

    due: int
    in_time: int

    @property
    def rate(self) -> float | None:
        """Return the share closed in time, or None when no deadline passed."""
        return self.in_time / self.due if self.due else None


@dataclass(frozen=True, slots=True)
class Backlog:
    """Outstanding items at the start of the period and now."""

    at_start: int
    now: int

    @property
    def change(self) -> int:
        """Return how much the backlog grew (positive) or shrank (negative)."""
        return self.now - self.at_start

    @property
    def trend(self) -> str:
        """Return 'grew', 'shrank' or 'unchanged'."""
        if self.change > 0:
            return "grew"
        return "shrank" if self.change < 0 else "unchanged"


@dataclass(frozen=True, slots=True)
class WeekCount:
    """Items closed in the week that starts on a Monday."""

    week: date
    closed: int


@dataclass(frozen=True, slots=True)
class ReviewReport:
    """Everything the weekly review looks at, for one scope and period."""

    scope: ReportScope
    today: date
    totals: Totals
    postmortems: tuple[PostMortemCompletion, ...]
    overdue_by_owner: tuple[OwnerOverdue, ...]
    closed: ItemList
    opened: ItemList
    reopened: int
    close_times: tuple[CloseTime, ...]
    on_time: OnTime
    on_time_in_period: OnTime
    backlog: Backlog
    past_policy: ItemList
    regressed: ItemList
    closed_per_week: tuple[WeekCount, ...]
    notes: tuple[str, ...] = field(default=())


# -- math -----------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-th quantile (0 to 1) by linear interpolation between closest ranks.

    The same as numpy's default and `statistics.quantiles(method="inclusive")`: the
    median of 1, 2, 3, 4 is 2.5, and its 90th percentile is 3.7.
    """
    if not values:
        return None
    if not 0 <= q <= 1:
        raise ValueError(f"a quantile is between 0 and 1, not {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def duration_percentile(durations: Sequence[timedelta], q: float) -> timedelta | None:
    """Return a quantile of some durations, or None when there are none."""
    seconds = percentile([d.total_seconds() for d in durations], q)
    return None if seconds is None else timedelta(seconds=seconds)


def week_start(day: date) -> date:
    """Return the Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def week_buckets(days: Iterable[date], *, first: date, last: date) -> tuple[WeekCount, ...]:
    """Count days per week, from first's week to last's, empty weeks included."""
    return week_totals(((day, 1) for day in days), first=first, last=last)


def week_totals(
    counted: Iterable[tuple[date, int]], *, first: date, last: date
) -> tuple[WeekCount, ...]:
    """Add up counts per day into weeks, from first's week to last's, empty weeks included."""
    start, end = week_start(first), week_start(last)
    weeks = [start + timedelta(weeks=n) for n in range((end - start).days // 7 + 1)]
    counts = dict.fromkeys(weeks, 0)
    for day, n in counted:
        week = week_start(day)
        if week in counts:
            counts[week] += n
    return tuple(WeekCount(week, counts[week]) for week in weeks)


def chart_start(scope: ReportScope, *, weeks: int = CHART_WEEKS) -> date:
    """Return the first day the closures chart covers: the period, and at least `weeks`."""
    return min(scope.since, week_start(scope.until) - timedelta(weeks=weeks - 1))
