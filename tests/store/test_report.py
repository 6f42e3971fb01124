"""The review report's numbers: hand-counted on a small store with a known history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from followup.postmortem.model import PostMortem
from followup.store import session_scope
from followup.store.importer import import_all
from followup.store.report import review_report
from followup.store.report_model import (
    ITEM_LIMIT,
    ReportScope,
    ReviewReport,
    WeekCount,
    chart_start,
    duration_percentile,
    percentile,
    week_buckets,
    week_start,
)
from tests.store.report_world import POLICY, SINCE, TODAY, act, seed


@pytest.fixture
def seeded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    return seed(engine, monkeypatch)


def report(engine: Engine, **scope: Any) -> ReviewReport:
    with session_scope(engine) as session:
        return review_report(session, ReportScope(since=SINCE, until=TODAY, **scope), today=TODAY)


# -- the math -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 0.5, 2.5),
        ([1, 2, 3, 4], 0.9, 3.7),  # position 2.7: 3 + 0.7 × (4 − 3)
        ([4, 1, 3, 2], 0.9, 3.7),  # order does not matter
        ([10], 0.9, 10),
        ([1, 9], 0.5, 5),
        ([2, 4, 6, 8, 10], 0.0, 2),
        ([2, 4, 6, 8, 10], 1.0, 10),
        ([2, 4, 6, 8, 10], 0.25, 4),
    ],
)
def test_percentiles_interpolate_between_closest_ranks(
    values: list[float], q: float, expected: float
) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentiles_of_nothing_are_none_and_q_must_be_a_share() -> None:
    assert percentile([], 0.5) is None
    assert duration_percentile([], 0.9) is None
    assert duration_percentile([timedelta(days=1), timedelta(days=5)], 0.9) == timedelta(days=4.6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1], 90)


def test_weeks_start_on_monday_and_empty_weeks_are_kept() -> None:
    assert week_start(date(2026, 3, 15)) == date(2026, 3, 9)  # a Sunday
    assert week_start(date(2026, 3, 16)) == date(2026, 3, 16)  # a Monday
    days = [date(2026, 3, 2), date(2026, 3, 8), date(2026, 3, 18), date(2026, 2, 1)]
    assert week_buckets(days, first=date(2026, 3, 4), last=date(2026, 3, 18)) == (
        WeekCount(date(2026, 3, 2), 2),
        WeekCount(date(2026, 3, 9), 0),
        WeekCount(date(2026, 3, 16), 1),
    )


def test_the_chart_covers_the_period_and_at_least_twelve_weeks() -> None:
    week = ReportScope(since=SINCE, until=TODAY)
    assert chart_start(week) == date(2025, 12, 29)  # 03-16 minus 11 weeks
    year = ReportScope(since=date(2025, 3, 19), until=TODAY)
    assert chart_start(year) == date(2025, 3, 19)


# -- the store ------------------------------------------------------------------------


def test_totals_count_suggestions_apart(seeded: Engine) -> None:
    totals = report(seeded).totals
    assert (totals.total, totals.open, totals.done, totals.wont_do) == (10, 5, 4, 1)
    assert (totals.overdue, totals.past_policy, totals.regressed, totals.suggested) == (3, 4, 1, 1)
    assert totals.completion == 0.5


def test_completion_per_post_mortem_newest_incident_first(seeded: Engine) -> None:
    rows = [
        (p.slug, p.total, p.closed, p.open, p.overdue, p.past_policy)
        for p in report(seeded).postmortems
    ]
    assert rows == [("cdn", 3, 1, 2, 1, 1), ("db", 7, 4, 3, 2, 3)]


def test_overdue_items_per_owner_most_overdue_first(seeded: Engine) -> None:
    owners = report(seeded).overdue_by_owner
    assert [(o.owner, o.overdue.count) for o in owners] == [("lee", 2), (None, 1)]
    lee = owners[0].overdue.items
    assert [(i.title, i.due, i.due_source) for i in lee] == [
        ("Write the runbook", date(2026, 3, 1), "document"),
        ("Tune the alerts", date(2026, 3, 2), "policy"),
    ]


def test_what_moved_in_the_period(seeded: Engine) -> None:
    r = report(seeded)
    assert [(i.title, i.closed_on) for i in r.closed.items] == [
        ("Rotate the certificate", date(2026, 3, 15))
    ]
    assert r.closed.count == 1
    assert sorted(i.title for i in r.opened.items) == [
        "Nobody's task",
        "Protect main",
        "Rotate the certificate",
    ]
    assert r.reopened == 1
    # Outstanding on 03-12: the lag page and the runbook; now five.
    assert (r.backlog.at_start, r.backlog.now, r.backlog.trend) == (2, 5, "grew")


def test_time_to_close_per_priority(seeded: Engine) -> None:
    rows = {c.priority: (c.closed, c.median, c.p90) for c in report(seeded).close_times}
    assert rows == {
        "P0": (1, timedelta(days=3), timedelta(days=3)),
        # The dashboard took a day, the cache five: median 3, 90th percentile 1 + 0.9 × 4.
        "P1": (2, timedelta(days=3), timedelta(days=4.6)),
        "P2": (1, timedelta(days=2), timedelta(days=2)),
    }


def test_policy_deadlines_met(seeded: Engine) -> None:
    r = report(seeded)
    # Seven deadlines passed; the index, the cache and the dashboard were closed by theirs.
    assert (r.on_time.due, r.on_time.in_time) == (7, 3)
    assert r.on_time.rate == pytest.approx(3 / 7)
    assert (r.on_time_in_period.due, r.on_time_in_period.in_time) == (1, 0)
    assert [i.title for i in r.past_policy.items] == [
        "Page on replica lag",
        "Write the runbook",
        "Tune the alerts",
        "Nobody's task",
    ]


def test_regressed_protection_names_its_branch(seeded: Engine) -> None:
    (item,) = report(seeded).regressed.items
    assert (item.title, item.note) == ("Protect main", "acme/web:main")


def test_closures_per_week(seeded: Engine) -> None:
    weeks = {w.week: w.closed for w in report(seeded).closed_per_week}
    assert len(weeks) == 12
    assert weeks[date(2026, 2, 2)] == 4
    assert weeks[date(2026, 3, 9)] == 1
    assert sum(weeks.values()) == 5


def test_a_scope_narrows_every_figure(seeded: Engine) -> None:
    lee = report(seeded, owner="@Lee")
    assert (lee.totals.total, lee.totals.done, lee.totals.overdue) == (3, 1, 2)
    assert [p.slug for p in lee.postmortems] == ["db"]
    cdn = report(seeded, postmortems=("cdn",))
    assert (cdn.totals.total, cdn.totals.suggested, cdn.closed.count) == (3, 1, 1)
    assert [o.owner for o in cdn.overdue_by_owner] == [None]


def test_long_lists_name_a_few_and_count_the_rest(engine: Engine) -> None:
    many = PostMortem(
        title="Many",
        slug="many",
        source="# many\n",
        date=date(2026, 1, 5),
        items=tuple(act(f"Task {n:02d}", owner="dana", priority="P0") for n in range(30)),
    )
    with session_scope(engine) as session:
        import_all(session, [many], policy=POLICY)
    r = report(engine)
    (dana,) = r.overdue_by_owner
    assert (dana.overdue.count, len(dana.overdue.items), dana.overdue.more) == (
        30,
        ITEM_LIMIT,
        30 - ITEM_LIMIT,
    )
    assert r.past_policy.more == 30 - ITEM_LIMIT
