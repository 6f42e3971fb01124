"""Everything about one item: fields, text, source, GitHub, protection and history."""

from __future__ import annotations

from typing import ClassVar

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Label, Markdown, Static

from followup.display import (
    KIND_LABEL,
    PAST_POLICY_MARK,
    POLICY_MARK,
    STATUS_ICON,
    STATUS_LABEL,
    due_origin,
    policy_basis,
)
from followup.errors import FollowupError
from followup.policy import DUE_POLICY
from followup.store.views import ItemView
from followup.tui import timefmt
from followup.tui.screens.item_actions import ItemScreen
from followup.tui.store import ItemDetail, read_item
from followup.tui.widgets.status_bar import StatusBar
from followup.tui.widgets.timeline import EventTimeline

LABEL_WIDTH = 13
STATUS_STYLE = {
    "done": "$success",
    "regressed": "bold $error",
    "in_progress": "$primary",
    "filed": "$accent",
    "wont_do": "$text-muted",
    "removed": "$text-muted strike",
}


def status_content(status: str) -> Content:
    """Return a status as icon and word, coloured by the theme."""
    text = f"{STATUS_ICON.get(status, '?')} {STATUS_LABEL.get(status, status)}"
    return Content.styled(text, STATUS_STYLE.get(status, "bold"))


def _row(label: str, value: str | Content) -> Content:
    return Content.assemble((f"{label:<{LABEL_WIDTH}}", "bold $text-muted"), value)


def fields(item: ItemView, today_overdue: bool, past_policy: bool = False) -> Content:
    """Return the item's fields, one per line."""
    due: str | Content = "—"
    if item.due is not None:
        due = item.due.isoformat()
        if item.due_source == DUE_POLICY:
            due += POLICY_MARK
        if today_overdue:
            due = Content.styled(f"{due} ! overdue", "bold $error")
    elif item.due_text:
        due = item.due_text
    origin = due_origin(item)
    if origin is not None:
        due = Content.assemble(due, (f"  from {origin}", "$text-muted"))
    rows = [
        _row("Status", status_content(item.status)),
        _row("Kind", KIND_LABEL.get(item.kind, item.kind)),
        _row("Owner", f"@{item.owner}" if item.owner else "—"),
        _row("Priority", item.priority or "—"),
        _row("Due", due),
        _row("Type", item.type or "—"),
        _row("Repository", item.repo or "—"),
        _row("Post-mortem", f"{item.postmortem_title} ({item.postmortem})"),
    ]
    if item.policy_due is not None:
        deadline = Content(f"{item.policy_due.isoformat()} ({policy_basis(item)})")
        if past_policy:
            deadline = Content.assemble(deadline, (f" {PAST_POLICY_MARK} passed", "bold $warning"))
        rows.append(_row("Policy", deadline))
    if item.section:
        rows.append(_row("Section", item.section))
    if item.parent:
        rows.append(_row("Part of", item.parent))
    if item.status_reason:
        rows.append(_row("Why", Content.styled(item.status_reason, "$warning")))
    for ref in item.links:
        rows.append(_row("Link", ref.url or ref.text))
    return Content("\n").join(rows)


def github_block(item: ItemView) -> Content:
    """Return what GitHub last said about the item's issue."""
    issue = item.issue
    if issue is None:
        return Content.styled("Not filed yet. Press F to file an issue.", "$text-muted")
    state = issue.state or "unknown"
    if issue.state_reason:
        state += f" ({issue.state_reason.replace('_', ' ')})"
    if issue.gone:
        state = f"gone: {issue.gone}"
    rows = [
        _row("Issue", Content.styled(issue.ref, "bold")),
        _row("State", state),
        _row("Title", issue.title or "—"),
        _row("Assignees", ", ".join(f"@{a}" for a in issue.assignees) or "nobody"),
        _row("Labels", ", ".join(issue.labels) or "none"),
    ]
    if issue.pull_request_state:
        rows.append(_row("Pull request", issue.pull_request_state))
    if issue.url:
        rows.append(_row("URL", issue.url))
    rows.append(_row("Last synced", timefmt.stamp(issue.synced_at) if issue.synced_at else "never"))
    return Content("\n").join(rows)


def protection_block(item: ItemView) -> Content:
    """Return the protection asked for, what was applied and when it was last verified."""
    # Loaded here: the GitHub package is not needed before an item is opened.
    from followup.github.protection_mapping import LABELS, format_value

    protection = item.protection
    where = protection.where if protection is not None else "?"
    rows = [_row("Branch", Content.styled(where, "bold"))]
    requested = protection.requested() if protection is not None and protection.branch else {}
    for name, value in requested.items():
        rows.append(_row("  wants", f"{LABELS.get(name, name)}: {format_value(name, value)}"))
    applied = item.protection_applied
    if not applied:
        rows.append(
            _row("Applied", Content.styled("not yet; press P to see the plan", "$text-muted"))
        )
    else:
        mark = (
            Content.styled("✔ in effect", "$success")
            if applied.verified
            else Content.styled("✘ not seen in effect", "$error")
        )
        rows.append(_row("Applied", Content.assemble(f"{applied.method} · ", mark)))
        if applied.applied_at is not None:
            rows.append(_row("Applied at", applied.applied_at.isoformat()[:16].replace("T", " ")))
    rows.append(_row("Verified", timefmt.stamp(item.verified_at) if item.verified_at else "never"))
    return Content("\n").join(rows)


class ItemDetailScreen(ItemScreen):
    """One item, read from the store; it follows changes made meanwhile."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.detail: ItemDetail | None = None

    def compose(self) -> ComposeResult:
        """Build the sections; they fill in once the item is read."""
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(id="title")
            with Horizontal(id="columns"):
                with Vertical(id="left"):
                    yield Static(id="fields", classes="section")
                    yield Label("Text", classes="heading")
                    yield Markdown(id="text", classes="section")
                    yield Label("In the post-mortem", classes="heading", id="source-heading")
                    yield Static(id="context", classes="section")
                with Vertical(id="right"):
                    yield Label("GitHub", classes="heading", id="issue-heading")
                    yield Static(id="issue", classes="section")
                    yield Label("History", classes="heading")
                    yield EventTimeline(id="timeline", classes="section")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Read the item."""
        super().on_mount()
        self.sub_title = f"Item {self.item_id}"
        self.data_changed()

    def current_item(self) -> ItemView | None:
        """Return the item shown."""
        return self.detail.item if self.detail else None

    def data_changed(self) -> None:
        """Read the item again and redraw it."""
        try:
            self.detail = read_item(self.ctx.engine, self.item_id)
        except FollowupError as exc:
            self.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        self.show(self.detail)

    def show(self, detail: ItemDetail) -> None:
        """Fill every section."""
        item = detail.item
        today = self.ctx.today()
        title = Content.assemble((item.id, "bold $accent"), "  ", (item.title, "bold"))
        if item.kind == "branch_protection":
            title = Content.assemble(("⛨ ", "$accent"), title)
        self.query_one("#title", Static).update(title)
        self.query_one("#fields", Static).update(
            fields(item, item.is_overdue(today), item.is_past_policy(today))
        )
        self.query_one("#text", Markdown).update(detail.markdown)
        self.query_one("#source-heading", Label).update(
            f"In the post-mortem · {item.source_path}:{item.line}"
        )
        self.query_one("#context", Static).update(
            Syntax(
                detail.context,
                "markdown",
                line_numbers=True,
                start_line=detail.context_first_line,
                highlight_lines={item.line},
                word_wrap=True,
                theme="ansi_dark",
                background_color="default",
            )
        )
        if item.kind == "branch_protection":
            self.query_one("#issue-heading", Label).update("Branch protection")
            self.query_one("#issue", Static).update(protection_block(item))
        else:
            self.query_one("#issue-heading", Label).update("GitHub")
            self.query_one("#issue", Static).update(github_block(item))
        self.query_one(EventTimeline).show(detail.events)
        self.refresh_bindings()
