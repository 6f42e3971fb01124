"""The report's two charts as inline SVG: items closed per week, completion per post-mortem.

Each chart is one <svg> with a viewBox, so it scales to any width; every bar carries its
number (data-value) and a <title> a browser shows on hover. All text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from followup.store.report_model import PostMortemCompletion, WeekCount

WIDTH = 480
FONT = 13
LABEL_CHARS = 62


def _attrs(**values: object) -> str:
    return " ".join(f'{name.replace("_", "-")}="{escape(str(v))}"' for name, v in values.items())


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def weekly_chart(weeks: Sequence[WeekCount]) -> str:
    """Return a bar chart of the items closed each week, oldest week first."""
    height, top, bottom, left = 170, 18, 34, 4
    plot = height - top - bottom
    most = max((w.closed for w in weeks), default=0)
    slot = (WIDTH - 2 * left) / max(1, len(weeks))
    width = max(2.0, slot * 0.7)
    total = sum(w.closed for w in weeks)
    label = (
        f"Items closed per week, {len(weeks)} weeks from {weeks[0].week.isoformat()}: {total}"
        if weeks
        else "Items closed per week: none"
    )
    parts = [
        f'<svg class="chart weekly" {_attrs(viewBox=f"0 0 {WIDTH} {height}", role="img")} '
        f'{_attrs(aria_label=label)} xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="0" y1="{top + plot}" x2="{WIDTH}" y2="{top + plot}"/>',
    ]
    every = max(1, round(len(weeks) / 6))
    for n, week in enumerate(weeks):
        bar = plot * week.closed / most if most else 0
        x = left + n * slot + (slot - width) / 2
        y = top + plot - bar
        tip = f"week of {week.week.isoformat()}: {week.closed} closed"
        parts.append(
            f'<rect class="bar" {_attrs(x=f"{x:.1f}", y=f"{y:.1f}", width=f"{width:.1f}")} '
            f"{_attrs(height=f'{bar:.1f}', data_week=week.week.isoformat())} "
            f"{_attrs(data_value=week.closed)}><title>{escape(tip)}</title></rect>"
        )
        if week.closed and len(weeks) <= 26:
            parts.append(
                f'<text class="value" {_attrs(x=f"{x + width / 2:.1f}", y=f"{y - 4:.1f}")} '
                f'text-anchor="middle">{week.closed}</text>'
            )
        # Counted from the last week, so it always has its date and the spacing is even.
        if (len(weeks) - 1 - n) % every == 0:
            anchor = "end" if n == len(weeks) - 1 else "middle" if n else "start"
            tx = x + width if anchor == "end" else x if anchor == "start" else x + width / 2
            parts.append(
                f'<text class="tick" {_attrs(x=f"{tx:.1f}", y=f"{height - bottom + 18}")} '
                f'text-anchor="{anchor}">{week.week.strftime("%b %d")}</text>'
            )
    if not total:
        parts.append(
            f'<text class="value" x="{WIDTH / 2}" y="{top + plot / 2}" text-anchor="middle">'
            "No item was closed in these weeks.</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def completion_chart(postmortems: Sequence[PostMortemCompletion]) -> str:
    """Return one bar per post-mortem: the share of its items done, its title above."""
    row, bar_height = 44, 14
    height = max(row, row * len(postmortems)) + 4
    label = f"Completion of {len(postmortems)} post-mortems"
    parts = [
        f'<svg class="chart completion" {_attrs(viewBox=f"0 0 {WIDTH} {height}", role="img")} '
        f'{_attrs(aria_label=label)} xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    track = WIDTH - 56
    for n, pm in enumerate(postmortems):
        y = n * row + FONT + 4
        share = pm.completion
        percent = round(100 * share)
        tip = f"{pm.title}: {pm.closed} of {pm.total} done ({percent}%), {pm.overdue} overdue"
        parts.append(
            f'<text class="label" {_attrs(x=0, y=y)}>{escape(_short(pm.title))}'
            f"<title>{escape(tip)}</title></text>"
        )
        parts.append(
            f'<rect class="track" {_attrs(x=0, y=y + 6, width=track, height=bar_height)} rx="3"/>'
        )
        parts.append(
            f'<rect class="bar" {_attrs(x=0, y=y + 6, width=f"{track * share:.1f}")} '
            f'{_attrs(height=bar_height, data_slug=pm.slug, data_value=f"{share:.3f}")} rx="3">'
            f"<title>{escape(tip)}</title></rect>"
        )
        parts.append(
            f'<text class="value" {_attrs(x=WIDTH, y=y + 6 + bar_height - 2)} '
            f'text-anchor="end">{percent}%</text>'
        )
    if not postmortems:
        parts.append(f'<text class="label" x="0" y="{FONT + 4}">No post-mortems yet.</text>')
    parts.append("</svg>")
    return "".join(parts)
