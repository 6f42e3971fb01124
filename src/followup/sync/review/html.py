"""The report as one standalone HTML page: inline CSS, inline SVG charts, no scripts.

It opens in any browser, from a file or an attachment, and reads on a phone: the layout
follows the width, long titles wrap, wide tables scroll inside their own box, so the
page itself never scrolls sideways. Every piece of text is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from html import escape
from pathlib import Path

from followup.store.report_model import ItemList, ReportItem, ReviewReport
from followup.sync.review import charts, words
from followup.sync.review.words import ReportContext

# The page's styles live in report.css, next to this module, and are inlined into it.
STYLE_FILE = Path(__file__).with_name("report.css")


@cache
def style() -> str:
    """Return the page's CSS."""
    return STYLE_FILE.read_text(encoding="utf-8")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _item(item: ReportItem, facts: Sequence[str]) -> str:
    issue = ""
    if item.issue_url:
        issue = f' · <a href="{_e(item.issue_url)}">{_e(item.issue_ref or "issue")}</a>'
    elif item.issue_ref:
        issue = f" · {_e(item.issue_ref)}"
    detail = " · ".join(_e(fact) for fact in facts)
    return (
        f"<li><code>{_e(item.id)}</code> {_e(item.title)} "
        f'<span class="muted">— {detail}</span>{issue}</li>'
    )


def _items(listed: ItemList, facts: Callable[[ReportItem], list[str]]) -> str:
    lines = [_item(item, facts(item)) for item in listed.items]
    if listed.more:
        lines.append(f'<li class="muted">… and {_e(words.plural(listed.more, "more item"))}</li>')
    return '<ul class="items">' + "".join(lines) + "</ul>"


def _card(label: str, value: str, style: str = "") -> str:
    cls = f' class="value {style}"' if style else ' class="value"'
    return f'<li><span class="label">{_e(label)}</span><span{cls}>{_e(value)}</span></li>'


def _postmortem_table(report: ReviewReport) -> str:
    shown = report.postmortems[: words.POSTMORTEM_LIMIT]
    rows = []
    for pm in shown:
        when = pm.incident_date.isoformat() if pm.incident_date else "—"
        rows.append(
            f"<tr><td>{_e(pm.title)}<br><code>{_e(pm.slug)}</code></td><td class=n>{_e(when)}</td>"
            f"<td class=n>{pm.closed:,}/{pm.total:,}</td><td class=n>{pm.open:,}</td>"
            f"<td class=n>{pm.overdue:,}</td>"
            f"<td class=n>{_e(words.percent(pm.closed, pm.total))}</td></tr>"
        )
    rest = len(report.postmortems) - len(shown)
    if rest:
        rows.append(f'<tr><td colspan=6 class="muted">… and {rest:,} more</td></tr>')
    return (
        '<div class="table-wrap"><table><thead><tr><th>Post-mortem</th><th class=n>Date</th>'
        "<th class=n>Done</th><th class=n>Open</th><th class=n>Overdue</th>"
        "<th class=n>Completion</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def _close_table(report: ReviewReport) -> str:
    if not report.close_times:
        return "<p>Nothing has been closed yet.</p>"
    rows = "".join(
        f"<tr><td>{_e(row.priority or 'none')}</td><td class=n>{row.closed:,}</td>"
        f"<td class=n>{_e(words.duration(row.median))}</td>"
        f"<td class=n>{_e(words.duration(row.p90))}</td></tr>"
        for row in report.close_times
    )
    return (
        '<div class="table-wrap"><table><thead><tr><th>Priority</th><th class=n>Closed</th>'
        "<th class=n>Median</th><th class=n>90th percentile</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def render_html(report: ReviewReport, context: ReportContext) -> str:
    """Return the report as a standalone HTML page."""
    today = report.today
    totals = report.totals
    heading = words.title(report, context)
    body = [f"<h1>{_e(heading)}</h1>"]
    scope = words.scope_line(report)
    if scope:
        body.append(f'<p class="scope">{_e(scope)}</p>')
    body.append(
        '<ul class="cards">'
        + _card("Open", f"{totals.open:,}")
        + _card("Done", f"{totals.done:,}", "ok" if totals.done else "")
        + _card("Won't do", f"{totals.wont_do:,}")
        + _card("Overdue", f"{totals.overdue:,}", "late" if totals.overdue else "")
        + _card("Past policy", f"{totals.past_policy:,}", "warn" if totals.past_policy else "")
        + _card("Suggested", f"{totals.suggested:,}")
        + _card("Completion", words.percent(totals.closed, totals.total))
        + "</ul>"
    )
    body.append(
        f"<p><strong>{_e(words.backlog_sentence(report))}</strong> "
        f"{_e(words.movement_sentence(report))} {_e(words.on_time_sentence(report))}</p>"
    )
    body.append("<h2>Closed per week</h2>")
    body.append(f"<figure>{charts.weekly_chart(report.closed_per_week)}</figure>")

    body.append("<h2>Overdue by owner</h2>")
    if not report.overdue_by_owner:
        body.append("<p>Nothing is overdue.</p>")
    for owner in report.overdue_by_owner:
        name = owner.owner or "nobody named"
        count = words.plural(owner.overdue.count, "overdue item")
        body.append(f'<h3>{_e(name)} <span class="muted">— {_e(count)}</span></h3>')
        body.append(_items(owner.overdue, lambda i: words.item_facts(i, today, show_owner=False)))

    if report.past_policy.count:
        body.append("<h2>Past their policy deadline</h2>")
        body.append(_items(report.past_policy, lambda i: words.policy_facts(i, today)))
    if report.regressed.count:
        body.append("<h2>Branch protection regressed</h2>")
        body.append(_items(report.regressed, lambda i: words.item_facts(i, today, show_due=False)))

    body.append("<h2>Completion by post-mortem</h2>")
    shown = report.postmortems[: words.POSTMORTEM_LIMIT]
    body.append(f"<figure>{charts.completion_chart(shown)}</figure>")
    if report.postmortems:
        body.append(_postmortem_table(report))

    body.append("<h2>Time to close</h2>")
    body.append(_close_table(report))
    body.append("<h2>Closed in the period</h2>")
    body.append(
        _items(report.closed, lambda i: words.item_facts(i, today, show_due=False))
        if report.closed.count
        else "<p>Nothing was closed.</p>"
    )
    body.append("<h2>Opened in the period</h2>")
    body.append(
        _items(report.opened, lambda i: words.item_facts(i, today))
        if report.opened.count
        else "<p>Nothing new.</p>"
    )
    body.append(f"<footer>{_e(words.footer(report, context))}</footer>")
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(heading)}</title>\n<style>\n{style()}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
