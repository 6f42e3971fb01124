"""The words every rendering of a report shares: headings, figures, one line per item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from followup.display import STATUS_LABEL
from followup.durations import format_duration
from followup.policy import DUE_POLICY, DuePolicy
from followup.store.report_model import ReportItem, ReviewReport
from followup.sync.review.period import Period

# Post-mortems a rendering lists before it counts the rest.
POSTMORTEM_LIMIT = 25


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What a rendering says beside the numbers: the period and the policy in effect."""

    period: Period
    policy: DuePolicy


def percent(part: int, whole: int) -> str:
    """Return part of whole as a whole percentage, '—' when whole is 0."""
    return f"{round(100 * part / whole)}%" if whole else "—"


def rate(value: float | None) -> str:
    """Return a share from 0 to 1 as a percentage, '—' when unknown."""
    return "—" if value is None else f"{round(100 * value)}%"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """Return '1 item', '3 items'."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def title(report: ReviewReport, context: ReportContext) -> str:
    """Return the report's title line."""
    scope = report.scope
    return (
        f"Post-mortem follow-ups: {context.period.label} "
        f"({scope.since.isoformat()} to {scope.until.isoformat()})"
    )


def scope_line(report: ReviewReport) -> str | None:
    """Return which items the report covers, when not all of them."""
    parts = []
    if report.scope.postmortems:
        parts.append("post-mortem " + ", ".join(report.scope.postmortems))
    if report.scope.owner:
        parts.append(f"owner {report.scope.owner.removeprefix('@')}")
    return "Only " + " and ".join(parts) if parts else None


def backlog_sentence(report: ReviewReport) -> str:
    """Return whether the open backlog grew or shrank, and from what to what."""
    backlog = report.backlog
    if backlog.trend == "unchanged":
        return f"The open backlog is unchanged at {plural(backlog.now, 'item')}."
    return (
        f"The open backlog {backlog.trend} by {abs(backlog.change):,} "
        f"({backlog.at_start:,} → {backlog.now:,} outstanding)."
    )


def movement_sentence(report: ReviewReport) -> str:
    """Return what happened in the period: closed, opened, reopened."""
    parts = [
        f"{report.closed.count:,} closed",
        f"{report.opened.count:,} opened",
        f"{report.reopened:,} reopened",
    ]
    return "In the period: " + ", ".join(parts) + "."


def on_time_sentence(report: ReviewReport) -> str:
    """Return how many items met their policy deadline, overall and in the period."""
    overall, period = report.on_time, report.on_time_in_period
    if not overall.due:
        return "No policy deadline has passed yet."
    text = (
        f"Closed by their policy deadline: {overall.in_time:,} of {overall.due:,} "
        f"({rate(overall.rate)})"
    )
    if period.due:
        text += f"; of those due in the period, {period.in_time:,} of {period.due:,}"
        text += f" ({rate(period.rate)})"
    return text + "."


def late_by(item: ReportItem, today: date) -> str:
    """Return how late an item is, or when it is due."""
    if item.due is None:
        return "no due date"
    days = (today - item.due).days
    if days > 0:
        return f"due {item.due.isoformat()}, {plural(days, 'day')} late"
    return f"due {item.due.isoformat()}"


def item_facts(
    item: ReportItem, today: date, *, show_due: bool = True, show_owner: bool = True
) -> list[str]:
    """Return what a list shows after an item's title: due, priority, owner, status."""
    facts = []
    if show_due:
        due = late_by(item, today)
        if item.due is not None and item.due_source == DUE_POLICY:
            due += " (policy)"
        facts.append(due)
    if item.priority:
        facts.append(item.priority)
    if item.owner and show_owner:
        facts.append(item.owner)
    if item.closed_on is not None:
        facts.append(f"closed {item.closed_on.isoformat()}")
    elif item.status not in ("open", "filed"):
        facts.append(STATUS_LABEL.get(item.status, item.status))
    if item.note:
        facts.append(item.note)
    return facts


def policy_facts(item: ReportItem, today: date) -> list[str]:
    """Return the facts of an item past its policy deadline."""
    facts = []
    if item.policy_due is not None:
        days = (today - item.policy_due).days
        facts.append(f"policy deadline {item.policy_due.isoformat()}, {plural(days, 'day')} ago")
    if item.due is not None and item.due_source != DUE_POLICY:
        facts.append(f"own due date {item.due.isoformat()}")
    return facts + item_facts(item, today, show_due=False)


def duration(value: timedelta | None) -> str:
    """Return a duration for a table cell: '3.5 days', '—'."""
    return format_duration(value)


def footer(report: ReviewReport, context: ReportContext) -> str:
    """Return the closing line: the policy in effect and when the report was made."""
    return (
        f"Due-date policy: {context.policy.describe()}, counted from each post-mortem's "
        f"date. Made by followup on {report.today.isoformat()}."
    )
