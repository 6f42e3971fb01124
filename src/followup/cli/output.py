"""Render items for the terminal, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from itertools import groupby
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from followup.display import KIND_LABEL, STATUS_STYLE, status_text
from followup.store.views import EventView, ItemView

CSV_COLUMNS = (
    "id",
    "postmortem",
    "title",
    "owner",
    "priority",
    "due",
    "overdue",
    "type",
    "kind",
    "status",
    "repo",
    "issue",
    "links",
    "file",
    "line",
)


def status_cell(status: str) -> Text:
    """Return a status as styled text that still reads without colour."""
    return Text(status_text(status), style=STATUS_STYLE.get(status, ""))


def due_cell(item: ItemView, today: date) -> Text:
    """Return the due date, flagged with '!' and red when overdue."""
    if item.due is None:
        return Text(item.due_text or "", style="dim")
    if item.is_overdue(today):
        return Text(f"{item.due.isoformat()} !", style="bold red")
    return Text(item.due.isoformat())


# Below this width the target moves under the title: a column of its own would be cut.
NARROW = 100


def items_table(items: Sequence[ItemView], today: date, width: int | None = None) -> RenderableType:
    """Return what `followup list` prints: one table per post-mortem."""
    narrow = width is not None and width < NARROW
    tables: list[RenderableType] = []
    for slug, group in groupby(items, key=lambda item: item.postmortem):
        rows = list(group)
        table = Table(
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            title=Text.assemble((rows[0].postmortem_title, "bold"), (f"  {slug}", "dim")),
            title_justify="left",
        )
        table.add_column("ID", style="bold", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("Title", ratio=1, min_width=20)
        table.add_column("Owner", no_wrap=True, max_width=14)
        table.add_column("Pri", no_wrap=True)
        table.add_column("Due", no_wrap=True)
        if not narrow:
            table.add_column("Target", overflow="fold", min_width=14, max_width=26)
        for item in rows:
            title = Text(item.title)
            if item.kind == "branch_protection":
                title = Text.assemble(("⛨ ", "magenta"), item.title)
            if item.status_reason:
                title.append(f"\n{item.status_reason}", style="yellow")
            if narrow and item.target:
                title.append(f"\n→ {item.target}", style="cyan")
            cells: list[RenderableType] = [
                item.id,
                status_cell(item.status),
                title,
                item.owner or "",
                item.priority or "",
                due_cell(item, today),
            ]
            if not narrow:
                cells.append(item.target or "")
            table.add_row(*cells)
        tables.append(table)
    return Group(*tables)


def items_json(items: Sequence[ItemView], today: date) -> str:
    """Return items as a JSON array, one object per item."""
    return json.dumps([item.to_json(today) for item in items], indent=2, ensure_ascii=False)


def items_csv(items: Sequence[ItemView], today: date) -> str:
    """Return items as CSV with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                item.id,
                item.postmortem,
                item.title,
                item.owner or "",
                item.priority or "",
                item.due.isoformat() if item.due else "",
                "yes" if item.is_overdue(today) else "",
                item.type or "",
                item.kind,
                item.status,
                item.repo or "",
                item.issue.ref if item.issue else "",
                " ".join(ref.url or ref.text for ref in item.links),
                item.source_path,
                item.line,
            ]
        )
    return buffer.getvalue()


def _fields(item: ItemView, today: date) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    rows: list[tuple[str, RenderableType | str]] = [
        ("Status", status_cell(item.status)),
        ("Kind", KIND_LABEL.get(item.kind, item.kind)),
        ("Owner", item.owner or "—"),
        ("Priority", item.priority or "—"),
        ("Due", due_cell(item, today) if item.due or item.due_text else "—"),
        ("Type", item.type or "—"),
        ("Repository", item.repo or "—"),
        ("Post-mortem", f"{item.postmortem_title} ({item.postmortem})"),
        ("Source", f"{item.source_path}:{item.line}"),
    ]
    if item.section:
        rows.append(("Section", item.section))
    if item.parent:
        rows.append(("Part of", item.parent))
    if item.status_reason:
        rows.append(("Reason", Text(item.status_reason, style="yellow")))
    if item.issue:
        issue = item.issue
        state = issue.state or "unknown"
        if issue.state_reason:
            state += f" ({issue.state_reason})"
        if issue.gone:
            state = f"{issue.gone}"
        rows.append(("Issue", f"{issue.ref} — {state}\n{issue.url or ''}".rstrip()))
        if issue.assignees:
            rows.append(("Assignees", ", ".join(issue.assignees)))
    for ref in item.links:
        rows.append(("Link", ref.url or ref.text))
    if item.protection:
        wanted = ", ".join(f"{k}={json.dumps(v)}" for k, v in item.protection.requested().items())
        rows.append(("Protect", item.protection.where))
        rows.append(("Settings", wanted or "—"))
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def item_detail(
    item: ItemView, events: Sequence[EventView], context: str, first_line: int, today: date
) -> RenderableType:
    """Return the panel `followup show` prints."""
    parts: list[RenderableType] = [_fields(item, today)]
    if context:
        parts.append(Text())
        parts.append(
            Syntax(
                context,
                "markdown",
                line_numbers=True,
                start_line=first_line,
                highlight_lines={item.line},
                word_wrap=True,
                theme="ansi_dark",
            )
        )
    if events:
        history = Table(box=box.SIMPLE_HEAD, title="History", title_justify="left")
        history.add_column("When", no_wrap=True)
        history.add_column("Change")
        history.add_column("From", style="dim")
        for event in events:
            history.add_row(
                event.at.strftime("%Y-%m-%d %H:%M"), describe_event(event), event.source
            )
        parts.append(history)
    return Panel(
        Group(*parts), title=Text(f"{item.id}  {item.title}", style="bold"), title_align="left"
    )


def describe_event(event: EventView) -> str:
    """Return one history entry as a short sentence."""
    if event.old is None:
        return f"{event.field} set to {event.new}"
    if event.new is None:
        return f"{event.field} cleared (was {event.old})"
    return f"{event.field}: {event.old} → {event.new}"


def item_json(item: ItemView, events: Sequence[EventView], today: date) -> str:
    """Return one item, with its history, as JSON."""
    data: dict[str, Any] = item.to_json(today)
    data["history"] = [
        {
            "at": e.at.isoformat(),
            "field": e.field,
            "old": e.old,
            "new": e.new,
            "source": e.source,
            "detail": e.detail,
        }
        for e in events
    ]
    return json.dumps(data, indent=2, ensure_ascii=False)
