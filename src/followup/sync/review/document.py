"""The report as one JSON document with the same numbers (docs/schemas/review.schema.json)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from followup.policy import PRIORITIES
from followup.store.report_model import ItemList, OnTime, ReportItem, ReviewReport
from followup.sync.review.words import ReportContext

SCHEMA_VERSION = 1


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 3)


def _item(item: ReportItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "postmortem": item.postmortem,
        "owner": item.owner,
        "priority": item.priority,
        "status": item.status,
        "due": _day(item.due),
        "due_source": item.due_source,
        "policy_due": _day(item.policy_due),
        "issue": {"ref": item.issue_ref, "url": item.issue_url} if item.issue_ref else None,
        "closed_on": _day(item.closed_on),
        "note": item.note,
    }


def _list(listed: ItemList) -> dict[str, Any]:
    return {"count": listed.count, "items": [_item(item) for item in listed.items]}


def _on_time(on_time: OnTime) -> dict[str, Any]:
    return {"due": on_time.due, "in_time": on_time.in_time, "rate": on_time.rate}


def report_document(
    report: ReviewReport, context: ReportContext, *, posted: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return the report as the JSON document `followup report --format json` prints."""
    scope, totals = report.scope, report.totals
    return {
        "schema_version": SCHEMA_VERSION,
        "command": "report",
        "today": report.today.isoformat(),
        "period": {
            "since": scope.since.isoformat(),
            "until": scope.until.isoformat(),
            "days": scope.days,
            "key": context.period.key,
            "label": context.period.label,
        },
        "scope": {"postmortems": list(scope.postmortems), "owner": scope.owner},
        "policy": {name: context.policy.days(name) for name in PRIORITIES},
        "totals": {
            "total": totals.total,
            "open": totals.open,
            "done": totals.done,
            "wont_do": totals.wont_do,
            "closed": totals.closed,
            "overdue": totals.overdue,
            "past_policy": totals.past_policy,
            "regressed": totals.regressed,
            "suggested": totals.suggested,
            "completion": round(totals.completion, 4),
        },
        "backlog": {
            "at_start": report.backlog.at_start,
            "now": report.backlog.now,
            "change": report.backlog.change,
            "trend": report.backlog.trend,
        },
        "closed": _list(report.closed),
        "opened": _list(report.opened),
        "reopened": report.reopened,
        "on_time": _on_time(report.on_time),
        "on_time_in_period": _on_time(report.on_time_in_period),
        "close_times": [
            {
                "priority": row.priority,
                "closed": row.closed,
                "median_seconds": _seconds(row.median),
                "p90_seconds": _seconds(row.p90),
            }
            for row in report.close_times
        ],
        "overdue_by_owner": [
            {"owner": o.owner, **_list(o.overdue)} for o in report.overdue_by_owner
        ],
        "past_policy": _list(report.past_policy),
        "regressed": _list(report.regressed),
        "postmortems": [
            {
                "slug": pm.slug,
                "title": pm.title,
                "incident_date": _day(pm.incident_date),
                "total": pm.total,
                "closed": pm.closed,
                "open": pm.open,
                "overdue": pm.overdue,
                "past_policy": pm.past_policy,
                "completion": round(pm.completion, 4),
            }
            for pm in report.postmortems
        ],
        "closed_per_week": [
            {"week": week.week.isoformat(), "closed": week.closed}
            for week in report.closed_per_week
        ],
        "posted": posted,
    }
