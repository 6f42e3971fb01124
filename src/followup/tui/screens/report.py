"""The weekly review report for the items screen's filter: read it, write it, post it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Header, Markdown, Static

from followup.errors import FollowupError
from followup.github.repos import parse_issue_ref
from followup.tui.filtering import Filters
from followup.tui.jobs import one_line
from followup.tui.registry import POST_REPORT, WRITE_REPORT, ReportRequest
from followup.tui.screens.base import FollowupScreen
from followup.tui.screens.prompt import PromptScreen
from followup.tui.store import read_report
from followup.tui.widgets.status_bar import StatusBar

# The periods `t` steps through, in days.
PERIODS = (7, 14, 28, 91)


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which items the report covers: the items screen's post-mortem and owner filters."""

    postmortem: str | None = None
    owner: str | None = None
    # The items screen's filters the report cannot follow (status, search…), in words.
    ignored: tuple[str, ...] = ()

    @classmethod
    def of(cls, flt: Filters, me: str | None) -> ReportScope:
        """Return what the report covers of a filter: its post-mortem and owner (or mine)."""
        owner = flt.owner or (me if flt.mine else None)
        ignored = [
            name
            for name, used in (
                ("status", bool(flt.statuses)),
                ("search", bool(flt.text.strip())),
                ("kind", bool(flt.kind)),
                ("overdue", flt.overdue),
                ("mine", flt.mine and not me),
            )
            if used
        ]
        return cls(postmortem=flt.postmortem, owner=owner, ignored=tuple(ignored))

    def describe(self) -> str:
        """Return the scope in words."""
        parts = []
        if self.postmortem:
            parts.append(f"post-mortem {self.postmortem}")
        if self.owner:
            parts.append(f"owner {self.owner}")
        text = "Only " + " and ".join(parts) if parts else "Every post-mortem and owner"
        if self.ignored:
            text += f" (the report does not filter by {', '.join(self.ignored)})"
        return text


@dataclass
class ReportReady(Message):
    """The report was computed."""

    markdown: str
    key: str


@dataclass
class ReportFailed(Message):
    """The report could not be computed."""

    error: str


class ReportScreen(FollowupScreen):
    """The report `followup report` prints, for the current filter, recomputed on changes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("w", "write", "Write", tooltip="Write the report to a file (.md, .html, .json)"),
        Binding(
            "p", "post", "Post", tooltip="Keep the report as this period's comment on an issue"
        ),
        Binding("t", "period", "Period", tooltip="Look back 7, 14, 28 or 91 days"),
    ]

    def __init__(self, scope: ReportScope, *, days: int = PERIODS[0]) -> None:
        super().__init__()
        self.scope = scope
        self.days = days
        self.key = ""

    def compose(self) -> ComposeResult:
        """Build the scope line and the report."""
        yield Header()
        with VerticalScroll(id="report"):
            yield Static(id="report-scope")
            yield Markdown(id="report-body")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Compute the report."""
        super().on_mount()
        self.sub_title = "Report"
        self._show_scope()
        self.data_changed()

    def _show_scope(self) -> None:
        line = Content.assemble(
            (self.scope.describe(), "$text-muted"),
            (f" · the last {self.days} days · t for another period", "$text-muted"),
        )
        self.query_one("#report-scope", Static).update(line)

    def data_changed(self) -> None:
        """Compute again from the store."""
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def compute(self) -> None:
        """Run the report's queries in a thread."""
        ctx = self.ctx
        try:
            markdown, key = read_report(
                ctx.engine,
                days=self.days,
                today=ctx.today(),
                postmortems=(self.scope.postmortem,) if self.scope.postmortem else (),
                owner=self.scope.owner,
                policy=ctx.settings.policy,
            )
        except Exception as exc:
            self.post_message(ReportFailed(one_line(exc)))
            return
        self.post_message(ReportReady(markdown, key))

    def on_report_ready(self, message: ReportReady) -> None:
        """Show the report."""
        self.key = message.key
        self.query_one("#report-body", Markdown).update(message.markdown)

    def on_report_failed(self, message: ReportFailed) -> None:
        """Say the report could not be made."""
        self.notify(message.error, title="Cannot make the report", severity="error")

    def action_period(self) -> None:
        """Look back over the next period."""
        at = PERIODS.index(self.days) if self.days in PERIODS else -1
        self.days = PERIODS[(at + 1) % len(PERIODS)]
        self._show_scope()
        self.compute()

    def _request(self, where: str) -> ReportRequest:
        return ReportRequest(
            days=self.days,
            today=self.ctx.today(),
            postmortems=(self.scope.postmortem,) if self.scope.postmortem else (),
            owner=self.scope.owner,
            where=where,
        )

    def action_write(self) -> None:
        """Ask for a file and write the report there (its suffix picks the format)."""
        default = f"followup-{self.key.replace(':', '-') or 'report'}.md"

        def written(path: str | None) -> None:
            if path:
                self.ctx.start(WRITE_REPORT, self._request(path.strip()))

        self.app.push_screen(
            PromptScreen(
                "Write the report",
                "File (.md for Markdown, .html for a page with charts, .json):",
                default,
                lambda text: None if text.strip() else "a file name is needed",
            ),
            written,
        )

    def action_post(self) -> None:
        """Ask for an issue and keep the report as this period's comment on it."""

        def check(text: str) -> str | None:
            try:
                parse_issue_ref(text)
            except FollowupError as exc:
                return str(exc)
            return None

        def chosen(ref: str | None) -> None:
            if ref:
                self.ctx.start(POST_REPORT, self._request(ref.strip()))

        self.app.push_screen(
            PromptScreen(
                "Post the report",
                "Issue to keep the report on (owner/name#N), one comment per period:",
                "",
                check,
            ),
            chosen,
        )
