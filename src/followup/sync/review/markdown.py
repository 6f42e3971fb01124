"""The report as GitHub-flavoured Markdown, to paste into an issue or post as a comment.

Text from documents is data: every title is escaped so it can neither format the
comment, break a table, link an issue (#12) nor ping anyone (@name). Owners are named
without an @, so a posted report notifies nobody; `followup remind` is for that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from followup.store.report_model import ItemList, ReportItem, ReviewReport
from followup.sync.review import words
from followup.sync.review.words import ReportContext

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
BAR_WIDTH = 10
WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Return text that Markdown shows as written: no formatting, links or mentions."""
    flat = " ".join(text.split()).replace("&", "&amp;")
    escaped = _SPECIAL.sub(r"\\\1", flat)
    # A word joiner after @ keeps GitHub from reading a mention, and shows nothing.
    return escaped.replace("@", "@" + WORD_JOINER)


def bar(part: int, whole: int) -> str:
    """Return a text bar of the share part/whole: ▰▰▰▱▱▱▱▱▱▱."""
    filled = round(BAR_WIDTH * part / whole) if whole else 0
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


def _item_line(item: ReportItem, facts: Sequence[str]) -> str:
    issue = ""
    if item.issue_url:
        issue = f" · [{escape(item.issue_ref or 'issue')}]({item.issue_url})"
    elif item.issue_ref:
        issue = f" · {escape(item.issue_ref)}"
    detail = " · ".join(escape(fact) for fact in facts)
    return f"- `{item.id}` {escape(item.title)} — {detail}{issue}"


def _items(
    listed: ItemList,
    lines: list[str],
    facts: Callable[[ReportItem], list[str]],
    *,
    noun: str = "item",
) -> None:
    for item in listed.items:
        lines.append(_item_line(item, facts(item)))
    if listed.more:
        lines.append(f"- … and {words.plural(listed.more, f'more {noun}', f'more {noun}s')}")


def render_markdown(
    report: ReviewReport, context: ReportContext, *, html_footer: bool = True
) -> str:
    """Return the report as Markdown (with html_footer false, no HTML tag at all)."""
    today = report.today
    totals = report.totals
    lines = [f"## {escape(words.title(report, context))}", ""]
    scope = words.scope_line(report)
    if scope:
        lines += [f"_{escape(scope)}_", ""]
    lines += [
        "| Open | Done | Won't do | Overdue | Past policy | Suggested | Completion |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | :--- |",
        f"| {totals.open:,} | {totals.done:,} | {totals.wont_do:,} | {totals.overdue:,} "
        f"| {totals.past_policy:,} | {totals.suggested:,} "
        f"| {bar(totals.closed, totals.total)} {words.percent(totals.closed, totals.total)} "
        f"({totals.closed:,}/{totals.total:,}) |",
        "",
        f"**{words.backlog_sentence(report)}** {words.movement_sentence(report)}",
        words.on_time_sentence(report),
        "",
    ]

    lines += ["### Overdue by owner", ""]
    if not report.overdue_by_owner:
        lines += ["Nothing is overdue.", ""]
    for owner in report.overdue_by_owner:
        name = f"**{escape(owner.owner)}**" if owner.owner else "**nobody named**"
        lines.append(f"{name} — {words.plural(owner.overdue.count, 'overdue item')}")
        lines.append("")
        _items(owner.overdue, lines, lambda i: words.item_facts(i, today, show_owner=False))
        lines.append("")

    if report.past_policy.count:
        lines += ["### Past their policy deadline", ""]
        _items(report.past_policy, lines, lambda i: words.policy_facts(i, today))
        lines.append("")

    if report.regressed.count:
        lines += ["### Branch protection regressed", ""]
        _items(report.regressed, lines, lambda i: words.item_facts(i, today, show_due=False))
        lines.append("")

    lines += ["### Completion by post-mortem", ""]
    if not report.postmortems:
        lines += ["No post-mortems with action items.", ""]
    else:
        lines += [
            "| Post-mortem | Done | Open | Overdue | Completion |",
            "| :--- | ---: | ---: | ---: | :--- |",
        ]
        shown = report.postmortems[: words.POSTMORTEM_LIMIT]
        for pm in shown:
            when = f" ({pm.incident_date.isoformat()})" if pm.incident_date else ""
            lines.append(
                f"| {escape(pm.title)}{when} | {pm.closed:,}/{pm.total:,} | {pm.open:,} "
                f"| {pm.overdue:,} | {bar(pm.closed, pm.total)} "
                f"{words.percent(pm.closed, pm.total)} |"
            )
        rest = len(report.postmortems) - len(shown)
        if rest:
            lines.append(f"| … and {words.plural(rest, 'more post-mortem')} | | | | |")
        lines.append("")

    lines += ["### Time to close", ""]
    if not report.close_times:
        lines += ["Nothing has been closed yet.", ""]
    else:
        lines += [
            "| Priority | Closed | Median | 90th percentile |",
            "| :--- | ---: | ---: | ---: |",
        ]
        for row in report.close_times:
            lines.append(
                f"| {row.priority or 'none'} | {row.closed:,} | {words.duration(row.median)} "
                f"| {words.duration(row.p90)} |"
            )
        lines.append("")

    lines += ["### Closed in the period", ""]
    if report.closed.count:
        _items(report.closed, lines, lambda i: words.item_facts(i, today, show_due=False))
    else:
        lines.append("Nothing was closed.")
    lines.append("")
    lines += ["### Opened in the period", ""]
    if report.opened.count:
        _items(report.opened, lines, lambda i: words.item_facts(i, today))
    else:
        lines.append("Nothing new.")
    lines.append("")
    footer = escape(words.footer(report, context))
    lines.append(f"<sub>{footer}</sub>" if html_footer else f"_{footer}_")
    return "\n".join(lines) + "\n"
