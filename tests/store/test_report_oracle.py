"""The review report's figures against a plain Python count of the same rows, on varied stores.

store/report.py counts with grouped scans and ranks lists partly in the database, partly
in Python; here every figure is worked out again the slow, obvious way from the rows as
stored (each item, each event), on generated stores full of the awkward cases: tied due
dates, no dates at all, priorities the policy gives no window, items closed late, closed
twice, reopened, closed before they were created, imported already done, suggestions,
removed items, unknown owners, an owner with more overdue items than a list names. Both
backends, several scopes and periods.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from followup.store import session_scope
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow
from followup.store.report import review_report
from followup.store.report_model import (
    ITEM_LIMIT,
    ReportScope,
    ReviewReport,
    chart_start,
    percentile,
    week_buckets,
)

TODAY = date(2026, 3, 18)
DONE = ("done", "wont_do")
NOT_COUNTED = ("removed", "suggested", "dismissed")
OPEN = ("open", "filed", "in_progress", "regressed")
STATUSES = (*OPEN, *DONE, *NOT_COUNTED)
OWNERS = ("dana", "Lee", "kim", None)
PRIORITIES = ("P0", "P1", "P2", "P3", None)
START = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)


def _moment(rng: random.Random, after: datetime, days: int) -> datetime:
    # Microseconds too: a duration is not always a whole number of seconds.
    return (
        after
        + timedelta(days=rng.randrange(days), seconds=rng.randrange(86_400))
        + (timedelta(microseconds=rng.randrange(1_000_000)))
    )


def build(engine: Engine, seed: int) -> None:
    """Fill a store with post-mortems, items and histories drawn at random."""
    rng = random.Random(seed)
    pms: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    for p in range(8):
        incident = None if p == 5 else (START + timedelta(days=rng.randrange(150))).date()
        imported = START + timedelta(days=rng.randrange(150), hours=p)
        pms.append(
            {
                "id": p + 1,
                # Two post-mortems share an incident date, so the slug breaks the tie.
                "slug": f"pm-{7 - p}",
                "path": f"/pm/{p}.md",
                "title": f"Post-mortem {p}",
                "incident_date": incident if p != 6 else pms[0]["incident_date"],
                "source": "# text\n",
                "content_hash": str(p),
                "imported_at": imported,
                "updated_at": imported,
            }
        )
        for i in range(rng.randrange(0, 30) if p != 3 else 40):
            item_id = f"{p}{i:03d}x"
            # Few distinct dates: ties in every order that uses them.
            due = rng.choice([None, date(2026, 1, 5), date(2026, 2, 20), date(2026, 3, 18)])
            deadline = rng.choice([None, date(2025, 12, 1), date(2026, 3, 12), date(2026, 3, 17)])
            owner = "dana" if p == 3 else rng.choice(OWNERS)
            created = _moment(rng, imported, 3)
            history: list[tuple[datetime, str | None, str]] = []
            status = rng.choice(STATUSES)
            first = status if rng.random() < 0.15 else "open"  # imported done, say
            history.append((created, None, first))
            current = first
            moment = created
            for _ in range(rng.randrange(4)):
                # Some closures land before the item was created (a clock skew).
                moment = _moment(rng, moment - timedelta(days=2), 40)
                new = rng.choice(STATUSES)
                if new != current:
                    history.append((moment, current, new))
                    current = new
            if current != status:
                history.append((_moment(rng, moment, 5), current, status))
            if p == 3 and i < 25:
                status, due = "open", date(2026, 2, 20)  # one owner, many overdue, all tied
            issue_id = None
            if rng.random() < 0.4:
                issue_id = len(issues) + 1
                issues.append(
                    {
                        "id": issue_id,
                        "repo": "acme/web",
                        "number": issue_id,
                        "url": f"https://github.com/acme/web/issues/{issue_id}",
                        "title": item_id,
                        "state": "open",
                        "assignees": [],
                        "labels": [],
                    }
                )
            items.append(
                {
                    "id": item_id,
                    "postmortem_id": p + 1,
                    "position": i,
                    "title": f"Item {item_id}",
                    "text": "- x",
                    "fingerprint": item_id,
                    "line": i + 1,
                    "owner": owner,
                    "due": due,
                    "due_source": "document" if due else None,
                    "policy_due": deadline,
                    "priority": rng.choice(PRIORITIES),
                    "kind": "branch_protection" if rng.random() < 0.2 else "issue",
                    "status": status,
                    "doc_done": False,
                    "references": [],
                    "overrides": {},
                    "issue_id": issue_id,
                    "protection": {"repo": "acme/web", "branch": "main"},
                    "created_at": created,
                    "updated_at": _moment(rng, created, 90),
                }
            )
            for at, old, new in history:
                events.append(
                    {"item_id": item_id, "at": at, "field": "status", "old": old, "new": new}
                )
                if rng.random() < 0.3:  # other fields change too; the report ignores them
                    events.append(
                        {"item_id": item_id, "at": at, "field": "owner", "old": None, "new": "x"}
                    )
    with session_scope(engine) as session:
        conn = session.connection()
        for table, rows in ((PostMortemRow, pms), (IssueRow, issues), (ItemRow, items)):
            if rows:
                conn.execute(insert(table), rows)
        conn.execute(insert(EventRow), [{"source": "test", **event} for event in events])


@dataclass
class Item:
    id: str
    pm: int
    owner: str | None
    status: str
    due: date | None
    policy_due: date | None
    priority: str | None
    kind: str
    created: datetime
    updated: datetime


def expected(engine: Engine, scope: ReportScope) -> dict[str, Any]:
    """Work every figure out from the stored rows one by one."""
    with session_scope(engine) as session:
        conn = session.connection()
        pm_rows = conn.execute(select(PostMortemRow.__table__)).mappings().all()  # type: ignore[attr-defined]
        rows = conn.execute(select(ItemRow.__table__)).mappings().all()  # type: ignore[attr-defined]
        event_rows = conn.execute(select(EventRow.__table__)).mappings().all()  # type: ignore[attr-defined]
    slugs = {pm["id"]: pm["slug"] for pm in pm_rows}
    who = (scope.owner or "").removeprefix("@").lower()
    items = {
        r["id"]: Item(
            r["id"],
            r["postmortem_id"],
            r["owner"],
            r["status"],
            r["due"],
            r["policy_due"],
            r["priority"],
            r["kind"],
            r["created_at"],
            r["updated_at"],
        )
        for r in rows
        if (not scope.postmortems or slugs[r["postmortem_id"]] in scope.postmortems)
        and (not who or (r["owner"] or "").lower() == who)
    }
    events = sorted(
        (e["at"], e["item_id"], e["old"], e["new"])
        for e in event_rows
        if e["field"] == "status" and e["item_id"] in items
    )
    start = datetime.combine(scope.since, time.min, tzinfo=UTC)
    closures = [
        (at, item_id) for at, item_id, old, new in events if new in DONE and old and old not in DONE
    ]
    last_closure: dict[str, datetime] = {}
    for at, item_id in closures:
        last_closure[item_id] = max(at, last_closure.get(item_id, at))
    live = [i for i in items.values() if i.status not in NOT_COUNTED]
    outstanding = [i for i in live if i.status in OPEN]
    overdue = [i for i in outstanding if i.due and i.due < TODAY]
    past_policy = [i for i in outstanding if i.policy_due and i.policy_due < TODAY]

    per_pm = []
    for pm in pm_rows:
        mine = [i for i in live if i.pm == pm["id"]]
        if mine:
            day = pm["incident_date"]
            per_pm.append(
                (
                    (day is None, -(day or date.min).toordinal(), pm["slug"]),
                    (
                        pm["slug"],
                        len(mine),
                        sum(i.status in DONE for i in mine),
                        sum(i.status in OPEN for i in mine),
                        sum(i in overdue for i in mine),
                        sum(i in past_policy for i in mine),
                    ),
                )
            )
    owners: dict[str | None, list[Item]] = defaultdict(list)
    for i in overdue:
        owners[i.owner].append(i)
    by_owner = sorted(
        (
            (owner, len(theirs), [i.id for i in sorted(theirs, key=lambda i: (i.due, i.id))])
            for owner, theirs in owners.items()
        ),
        key=lambda o: (-o[1], o[0] is None, o[0] or ""),
    )

    recent: dict[str, datetime] = {}
    for at, item_id in closures:
        if at >= start:
            recent[item_id] = max(at, recent.get(item_id, at))
    closed = sorted(((recent[i], i) for i in recent if items[i].status in DONE), reverse=True)
    moves = [(at, item_id, old, new) for at, item_id, old, new in events if at >= start]
    arrivals = sorted(
        (
            (at, item_id)
            for at, item_id, old, new in moves
            if new in OPEN and old in (None, "suggested")
        ),
        key=lambda a: (-a[0].timestamp(), a[1]),
    )
    change = sum((new in OPEN) - (old in OPEN) for _at, _id, old, new in moves)

    durations: dict[str | None, list[float]] = defaultdict(list)
    for i in live:
        at = last_closure.get(i.id)
        if i.status in DONE and at is not None and at >= i.created:
            durations[i.priority].append((at - i.created).total_seconds())
    passed = [i for i in live if i.policy_due and i.policy_due < TODAY]
    met = [
        i
        for i in passed
        if i.status in DONE and (last_closure.get(i.id) or i.created).date() <= i.policy_due  # type: ignore[operator]
    ]
    first = chart_start(scope)
    regressed = [i for i in live if i.status == "regressed" and i.kind == "branch_protection"]
    return {
        "totals": (
            len(live),
            len(outstanding),
            sum(i.status == "done" for i in live),
            sum(i.status == "wont_do" for i in live),
            len(overdue),
            len(past_policy),
            sum(i.status == "regressed" for i in live),
            sum(i.status == "suggested" for i in items.values()),
        ),
        "postmortems": [figures for _key, figures in sorted(per_pm)],
        "overdue_by_owner": [(o, n, ids[:ITEM_LIMIT]) for o, n, ids in by_owner],
        "closed": (len(closed), [(i, at.date()) for at, i in closed[:ITEM_LIMIT]]),
        "opened": (
            len(arrivals),
            list(dict.fromkeys(i for _at, i in arrivals[:ITEM_LIMIT])),
        ),
        "reopened": sum(new in OPEN and old in DONE for _at, _id, old, new in moves),
        "backlog": (len(outstanding) - change, len(outstanding)),
        "close_times": {
            priority: (
                len(taken),
                percentile(taken, 0.5),
                percentile(taken, 0.9),
            )
            for priority, taken in durations.items()
        },
        "on_time": (len(passed), len(met)),
        "on_time_in_period": (
            sum(i.policy_due >= scope.since for i in passed),  # type: ignore[operator]
            sum(i.policy_due >= scope.since for i in met),  # type: ignore[operator]
        ),
        "past_policy": (
            len(past_policy),
            [i.id for i in sorted(past_policy, key=lambda i: (i.policy_due, i.id))][:ITEM_LIMIT],
        ),
        "regressed": (
            len(regressed),
            [i.id for i in sorted(regressed, key=lambda i: (-i.updated.timestamp(), i.id))][
                :ITEM_LIMIT
            ],
        ),
        "closed_per_week": week_buckets(
            (
                at.date()
                for at, _i in closures
                if at >= datetime.combine(first, time.min, tzinfo=UTC)
            ),
            first=first,
            last=TODAY,
        ),
    }


def figures(report: ReviewReport) -> dict[str, Any]:
    """Return the report's figures in the shape expected() gives them."""
    t = report.totals
    return {
        "totals": (
            t.total,
            t.open,
            t.done,
            t.wont_do,
            t.overdue,
            t.past_policy,
            t.regressed,
            t.suggested,
        ),
        "postmortems": [
            (p.slug, p.total, p.closed, p.open, p.overdue, p.past_policy)
            for p in report.postmortems
        ],
        "overdue_by_owner": [
            (o.owner, o.overdue.count, [i.id for i in o.overdue.items])
            for o in report.overdue_by_owner
        ],
        "closed": (report.closed.count, [(i.id, i.closed_on) for i in report.closed.items]),
        "opened": (report.opened.count, [i.id for i in report.opened.items]),
        "reopened": report.reopened,
        "backlog": (report.backlog.at_start, report.backlog.now),
        "close_times": {
            c.priority: (
                c.closed,
                c.median.total_seconds() if c.median is not None else None,
                c.p90.total_seconds() if c.p90 is not None else None,
            )
            for c in report.close_times
        },
        "on_time": (report.on_time.due, report.on_time.in_time),
        "on_time_in_period": (report.on_time_in_period.due, report.on_time_in_period.in_time),
        "past_policy": (report.past_policy.count, [i.id for i in report.past_policy.items]),
        "regressed": (report.regressed.count, [i.id for i in report.regressed.items]),
        "closed_per_week": report.closed_per_week,
    }


SCOPES = [
    {"since": date(2026, 3, 12)},
    {"since": date(2025, 9, 1)},
    {"since": date(2026, 1, 1), "owner": "@LEE"},
    {"since": date(2026, 2, 1), "postmortems": ("pm-4", "pm-2")},
    {"since": date(2026, 3, 18), "owner": "nobody"},
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_matches_a_plain_count(engine: Engine, seed: int) -> None:
    build(engine, seed)
    for given in SCOPES:
        scope = ReportScope(until=TODAY, **given)  # type: ignore[arg-type]
        with session_scope(engine) as session:
            got = figures(review_report(session, scope, today=TODAY))
        want = expected(engine, scope)
        # SQLite measures durations by Julian day, to the millisecond.
        got_times, want_times = got.pop("close_times"), want.pop("close_times")
        assert list(got_times) == sorted(
            want_times, key=lambda p: (p is None, {"P0": 0, "P1": 1, "P2": 2, "P3": 3}.get(p, 9))
        ), given
        for priority, (n, median, p90) in want_times.items():
            assert got_times[priority] == (
                n,
                pytest.approx(median, abs=2e-3),
                pytest.approx(p90, abs=2e-3),
            )
        assert got == want, given


def test_the_generated_stores_have_the_awkward_cases(engine: Engine) -> None:
    """Guard the generator: the cases the comparison is for are really in the data."""
    build(engine, 1)
    with session_scope(engine) as session:
        report = review_report(
            session, ReportScope(since=date(2025, 9, 1), until=TODAY), today=TODAY
        )
    assert any(o.overdue.more for o in report.overdue_by_owner)
    assert any(o.owner is None for o in report.overdue_by_owner)
    assert report.reopened and report.closed.count and report.opened.count
    assert None in {c.priority for c in report.close_times}
    assert 0 < report.on_time.in_time < report.on_time.due
    assert any(p.incident_date is None for p in report.postmortems)
    assert Counter(p.incident_date for p in report.postmortems).most_common(1)[0][1] > 1
    assert report.regressed.count and report.past_policy.more
