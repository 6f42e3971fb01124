"""The weekly review: completion, overdue per owner, time to close, closures per week."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Header, Label, Sparkline, Static

from followup.display import PAST_POLICY_MARK
from followup.durations import format_duration
from followup.store.metrics import Dashboard
from followup.tui.screens.base import FollowupScreen
from followup.tui.store import read_dashboard
from followup.tui.widgets.bars import completion_bar, percent
from followup.tui.widgets.status_bar import StatusBar

BAR = 12


@dataclass
class DashboardLoaded(Message):
    """The numbers were computed."""

    dashboard: Dashboard


def completion_lines(board: Dashboard) -> Content:
    """Return one line per post-mortem: bar, done/total, overdue, title."""
    if not board.postmortems:
        return Content.styled("No post-mortems yet. Press i to import one.", "$text-muted")
    lines = []
    for pm in board.postmortems:
        parts: list[str | tuple[str, str] | Content] = [
            completion_bar(pm.done, pm.total, BAR),
            f" {percent(pm.done, pm.total):>4} {pm.done:>3}/{pm.total:<3} ",
        ]
        if pm.overdue:
            parts.append((f"!{pm.overdue:<3}", "bold $error"))
        else:
            parts.append("    ")
        parts.append((f" {pm.title}", "bold"))
        lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


def owner_lines(board: Dashboard) -> Content:
    """Return one line per owner with outstanding work, most overdue first."""
    if not board.owners:
        return Content.styled("Nothing outstanding.", "$text-muted")
    width = max(len(o.owner or "nobody") for o in board.owners) + 1
    lines = []
    for load in board.owners:
        name = f"@{load.owner}" if load.owner else "nobody"
        late: tuple[str, str] = (
            (f"{load.overdue:>3} overdue", "bold $error")
            if load.overdue
            else (f"{0:>3} overdue", "$text-muted")
        )
        lines.append(
            Content.assemble(f"{name:<{width + 1}}", late, f"  of {load.outstanding} outstanding")
        )
    return Content("\n").join(lines)


def cards(board: Dashboard) -> list[Content]:
    """Return the four numbers of the week, each a label over its value."""
    closed = sum(w.closed for w in board.closed_per_week)
    overdue_style = "bold $error" if board.overdue or board.past_policy else "bold"
    return [
        _card("Done", f"{percent(board.done, board.total)} ({board.done}/{board.total})"),
        _card("Overdue", _overdue(board), overdue_style),
        _card("Median to close", format_duration(board.median_time_to_close)),
        _card(f"Closed, {len(board.closed_per_week)} weeks", str(closed)),
    ]


def _overdue(board: Dashboard) -> str:
    """Return the overdue count, with how many are past their policy deadline (⚑)."""
    if not board.past_policy:
        return str(board.overdue)
    return f"{board.overdue} · {PAST_POLICY_MARK}{board.past_policy} past policy"


def _card(label: str, value: str, style: str = "bold") -> Content:
    return Content.assemble((label, "$text-muted"), "\n", (value, style))


class DashboardScreen(FollowupScreen):
    """Numbers for the weekly incident review, recomputed whenever the store changes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        """Build the panels."""
        yield Header()
        with VerticalScroll(id="dashboard"):
            with Horizontal(id="headline"):
                for name in ("done", "overdue", "median", "closed"):
                    yield Static(
                        Content.styled("…", "$text-muted"), id=f"card-{name}", classes="card"
                    )
            with Grid(id="panels"):
                with Vertical(classes="panel", id="completion-panel") as panel:
                    panel.border_title = "Completion by post-mortem"
                    yield Static(id="completion")
                with Vertical(classes="panel", id="owners-panel") as panel:
                    panel.border_title = "Overdue by owner"
                    yield Static(id="owners")
            with Vertical(classes="panel", id="weeks-panel") as panel:
                panel.border_title = "Items closed per week"
                yield Sparkline([], id="weekly")
                with Horizontal(id="week-axis"):
                    yield Label(id="first-week")
                    yield Label(id="week-counts")
                    yield Label(id="last-week")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Compute the numbers."""
        super().on_mount()
        self.sub_title = "Dashboard"
        self.data_changed()

    def data_changed(self) -> None:
        """Compute again from the store."""
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def compute(self) -> None:
        """Run the metrics in a thread: they read every event."""
        ctx = self.ctx
        self.post_message(DashboardLoaded(read_dashboard(ctx.engine, today=ctx.today())))

    def on_dashboard_loaded(self, message: DashboardLoaded) -> None:
        """Draw the numbers."""
        board = message.dashboard
        for name, card in zip(("done", "overdue", "median", "closed"), cards(board), strict=True):
            self.query_one(f"#card-{name}", Static).update(card)
        self.query_one("#completion", Static).update(completion_lines(board))
        self.query_one("#owners", Static).update(owner_lines(board))
        weeks = board.closed_per_week
        self.query_one("#weekly", Sparkline).data = [float(w.closed) for w in weeks]
        if weeks:
            self.query_one("#first-week", Label).update(f"week of {weeks[0].week.isoformat()}")
            self.query_one("#last-week", Label).update(f"week of {weeks[-1].week.isoformat()}")
            counts = " ".join(str(w.closed) for w in weeks)
            self.query_one("#week-counts", Label).update(Content.styled(counts, "$text-muted"))
