"""Render items for the terminal, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text

from followup.display import (
    MARK_MEANING,
    OVERDUE_MARK,
    PAST_POLICY_MARK,
    POLICY_MARK,
    STATUS_STYLE,
    due_origin,
    policy_basis,
    status_text,
)
from followup.policy import DUE_POLICY
from followup.store.views import EventView, ItemView

if TYPE_CHECKING:
    from rich.table import Table

# Tables, panels and syntax highlighting (Pygments) load where they are drawn: piped
# output, by far the most common at scale, never needs them.

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
    "due_source",
    "past_policy",
)


def status_cell(status: str) -> Text:
    """Return a status as styled text that still reads without colour."""
    return Text(status_text(status), style=STATUS_STYLE.get(status, ""))


# Widths are measured as if every date had passed: its widest form, with every mark.
TODAY_ALL_LATE = date.max


def due_cell(item: ItemView, today: date) -> Text:
    """Return the due date with its marks: * set by the policy, ! overdue, ⚑ past policy."""
    if item.due is None:
        cell = Text(item.due_text or "", style="dim")
    else:
        mark = POLICY_MARK if item.due_source == DUE_POLICY else ""
        style = "bold red" if item.is_overdue(today) else ""
        cell = Text(f"{item.due.isoformat()}{mark}", style=style)
        if item.is_overdue(today):
            cell.append(f" {OVERDUE_MARK}", style="bold red")
    # Overdue says it already; the flag tells of a later date that outlived the policy's.
    if item.is_past_policy(today) and not item.is_overdue(today):
        cell.append(f" {PAST_POLICY_MARK}", style="bold yellow")
    return cell


def marks_shown(items: Sequence[ItemView], today: date) -> str:
    """Return the legend of the due-date marks some of the items show, or ''."""
    shown: list[str] = []
    for item in items:
        plain = due_cell(item, today).plain
        shown.extend(mark for mark in MARK_MEANING if mark in plain and mark not in shown)
    ordered = [mark for mark in MARK_MEANING if mark in shown]
    return "   ".join(f"{mark} {MARK_MEANING[mark]}" for mark in ordered)


def _owner(item: ItemView) -> str:
    return f"@{item.owner}" if item.owner else ""


OWNER_WIDTH = 14
TITLE_MIN = 20


def table_layout(items: Sequence[ItemView], width: int) -> str | None:
    """Return 'wide' (a Target column), 'narrow' (the target under the title) or None.

    None means no table fits without cutting an issue reference or branch: the caller
    prints lines instead.
    """
    return layout_for(
        ids=max(cell_len(item.id) for item in items),
        statuses=max(cell_len(status_text(item.status)) for item in items),
        owners=max(cell_len(_owner(i)) for i in items),
        dues=max(cell_len(due_cell(i, TODAY_ALL_LATE).plain) for i in items),
        targets=max((cell_len(item.target or "") for item in items), default=0),
        width=width,
    )


def layout_for(
    *, ids: int, statuses: int, owners: int, dues: int, targets: int, width: int
) -> str | None:
    """Return table_layout's answer from the widest cell of each column."""
    fixed = (
        ids
        + max(statuses, len("Status"))
        + min(OWNER_WIDTH, max(len("Owner"), owners))
        + len("Pri")
        + max(len("Due"), dues)
        + 2 * 5  # the gaps between six columns
    )
    if fixed + TITLE_MIN + 2 + max(targets, len("Target")) <= width:
        return "wide"
    if fixed + max(TITLE_MIN, targets + 2) <= width:
        return "narrow"
    return None


def items_table(
    items: Sequence[ItemView], today: date, width: int | None = None
) -> RenderableType | None:
    """Return what `followup list` prints at a terminal: one table per post-mortem.

    Returns None when the terminal is too narrow for a table that keeps every issue
    reference and branch whole; print items_lines then.
    """
    layout = "wide" if width is None else table_layout(items, width)
    if layout is None:
        return None
    narrow = layout == "narrow"
    from rich import box
    from rich.table import Table

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
        table.add_column("Title", ratio=1, min_width=TITLE_MIN)
        table.add_column("Owner", no_wrap=True, max_width=OWNER_WIDTH)
        table.add_column("Pri", no_wrap=True)
        table.add_column("Due", no_wrap=True)
        if not narrow:
            table.add_column("Target", no_wrap=True)
        for item in rows:
            title = Text(item.title)
            if item.kind == "branch_protection":
                title = Text.assemble(("⛨ ", "magenta"), item.title)
            if item.status_reason:
                title.append(f"\n{item.status_reason}", style="yellow")
            if narrow and item.target:
                title.append(f"\n→ {item.target}", style="cyan")
            cells: list[RenderableType] = [
                Text(item.id),
                status_cell(item.status),
                title,
                Text(_owner(item)),
                Text(item.priority or ""),
                due_cell(item, today),
            ]
            if not narrow:
                cells.append(Text(item.target or "", style="cyan"))
            table.add_row(*cells)
        tables.append(table)
    return Group(*tables)


def items_lines(items: Sequence[ItemView], today: date) -> Iterator[Text]:
    """Yield `followup list` as lines: a heading per post-mortem, then one line per item."""
    for slug, group in groupby(items, key=lambda item: item.postmortem):
        rows = list(group)
        yield Text.assemble((rows[0].postmortem_title, "bold"), (f"  {slug}", "dim"))
        for item in rows:
            line = Text.assemble("  ", (item.id, "bold"), "  ", status_cell(item.status), "  ")
            if item.kind == "branch_protection":
                line.append("⛨ ", style="magenta")
            line.append(item.title)
            for part in (_owner(item), item.priority or ""):
                if part:
                    line.append(f"  {part}")
            if item.due or item.due_text:
                line.append("  due ")
                line.append_text(due_cell(item, today))
            if item.target:
                line.append(f"  {item.target}", style="cyan")
            if item.status_reason:
                line.append(f"  ({item.status_reason})", style="yellow")
            yield line


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
                item.due_source or "",
                "yes" if item.is_past_policy(today) else "",
            ]
        )
    return buffer.getvalue()


def field_rows(item: ItemView, today: date) -> list[tuple[str, Text]]:
    """Return the label and value of each field `followup show` prints."""
    rows: list[tuple[str, Text]] = [
        ("Status", status_cell(item.status)),
        ("Kind", Text(item.kind)),
        ("Owner", Text(_owner(item) or "—")),
        ("Priority", Text(item.priority or "—")),
        ("Due", due_cell(item, today) if item.due or item.due_text else Text("—")),
        ("Type", Text(item.type or "—")),
        ("Repository", Text(item.repo or "—")),
        ("Post-mortem", Text(f"{item.postmortem_title} ({item.postmortem})")),
        ("Source", Text(f"{item.source_path}:{item.line}")),
    ]
    if item.due_text and item.due is not None and item.due_text != item.due.isoformat():
        rows.append(("Due as written", Text(item.due_text, style="dim")))
    rows.extend(policy_rows(item, today))
    if item.section:
        rows.append(("Section", Text(item.section)))
    if item.parent:
        rows.append(("Part of", Text(item.parent)))
    if item.status_reason:
        rows.append(("Reason", Text(item.status_reason, style="yellow")))
    if item.issue:
        issue = item.issue
        state = issue.state or "unknown"
        if issue.state_reason:
            state += f" ({issue.state_reason})"
        if issue.gone:
            state = f"{issue.gone}"
        rows.append(("Issue", Text(f"{issue.ref} — {state}")))
        if issue.url:
            rows.append(("Issue URL", Text(issue.url)))
        if issue.assignees:
            rows.append(("Assignees", Text(", ".join(issue.assignees))))
    for ref in item.links:
        rows.append(("Link", Text(ref.url or ref.text)))
    if item.protection:
        wanted = ", ".join(f"{k}={json.dumps(v)}" for k, v in item.protection.requested().items())
        rows.append(("Protect", Text(item.protection.where)))
        rows.append(("Settings", Text(wanted or "—")))
    return rows


def policy_rows(item: ItemView, today: date) -> list[tuple[str, Text]]:
    """Return `show`'s lines on the due date's origin and the policy deadline."""
    rows: list[tuple[str, Text]] = []
    origin = due_origin(item)
    if origin is not None:
        rows.append(("Due from", Text(origin)))
    if item.policy_due is not None:
        deadline = Text(f"{item.policy_due.isoformat()} ({policy_basis(item)})")
        if item.is_past_policy(today):
            deadline.append(f" {PAST_POLICY_MARK} passed", style="bold yellow")
        rows.append(("Policy deadline", deadline))
    return rows


def _history(events: Sequence[EventView]) -> Table:
    from rich import box
    from rich.table import Table

    history = Table(box=box.SIMPLE_HEAD, title="History", title_justify="left")
    history.add_column("When", no_wrap=True)
    history.add_column("Change")
    history.add_column("From", style="dim")
    for event in events:
        history.add_row(
            Text(event.at.strftime("%Y-%m-%d %H:%M")),
            Text(describe_event(event)),
            Text(event.source),
        )
    return history


def item_detail(
    item: ItemView,
    events: Sequence[EventView],
    context: str,
    first_line: int,
    today: date,
    width: int | None = None,
) -> RenderableType | None:
    """Return the panel `followup show` prints at a terminal.

    Returns None when the terminal is too narrow to show every value (a URL, a
    reference) whole beside its label; print item_lines then.
    """
    rows = field_rows(item, today)
    label_width = max(len(label) for label, _ in rows)
    longest = max(max((cell_len(w) for w in value.plain.split()), default=0) for _, value in rows)
    if width is not None and label_width + 2 + longest + 4 > width:
        return None
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in rows:
        grid.add_row(label, value)
    parts: list[RenderableType] = [grid]
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
        parts.append(_history(events))
    return Panel(
        Group(*parts), title=Text(f"{item.id}  {item.title}", style="bold"), title_align="left"
    )


def item_lines(
    item: ItemView, events: Sequence[EventView], context: str, first_line: int, today: date
) -> Iterator[Text]:
    """Yield what `followup show` prints as whole lines (off a terminal, or a narrow one)."""
    yield Text.assemble((item.id, "bold"), "  ", (item.title, "bold"))
    rows = field_rows(item, today)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        yield Text.assemble((f"{label}:".ljust(width + 2), "bold"), value)
    if context:
        yield Text()
        numbers = len(str(first_line + context.count("\n")))
        for offset, text in enumerate(context.split("\n")):
            number = first_line + offset
            mark = ">" if number == item.line else " "
            yield Text.assemble((f"{mark}{number:>{numbers}} │ ", "dim"), text)
    if events:
        yield Text()
        yield Text("History", style="bold")
        for event in events:
            yield Text.assemble(
                f"  {event.at:%Y-%m-%d %H:%M}  ",
                describe_event(event),
                (f"  ({event.source})", "dim"),
            )


def describe_event(event: EventView) -> str:
    """Return one history entry as a short sentence."""
    if event.field == "reminder":
        return f"owner reminded: {event.new}"
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
