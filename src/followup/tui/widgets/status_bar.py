"""The line above the footer: counts, the running job, the last sync, GitHub access."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar

from followup.tui import timefmt
from followup.tui.status import StatusInfo

if TYPE_CHECKING:
    from followup.sync.polling import SyncRunView


class StatusBar(Horizontal):
    """Plain words, so the state reads the same without colour."""

    def compose(self) -> ComposeResult:
        """Build the sections."""
        yield Label(id="counts")
        yield Label(id="job")
        yield ProgressBar(id="job-progress", show_eta=False, show_percentage=False)
        yield Label(id="sync")
        yield Label(id="github")

    def on_mount(self) -> None:
        """Start idle."""
        self.hide_job()

    def show(
        self, info: StatusInfo, *, shown: int | None, selected: int = 0, hidden: int = 0
    ) -> None:
        """Show the app's state, with what the screen shows and selects."""
        count = info.total if shown is None else shown
        self.show_counts(count, info.total, loading=info.loading, selected=selected, hidden=hidden)
        if info.job is not None:
            self.show_job(info.job.description, info.job.total, info.job.done)
        else:
            self.hide_job()
        self.show_sync(info.last_sync, running=info.syncing, today=info.today)
        self.show_github(info.github_note)

    def show_counts(
        self, shown: int, total: int, *, loading: bool, selected: int = 0, hidden: int = 0
    ) -> None:
        """Say how many items the table shows, and how many are selected (hidden: not shown)."""
        noun = "item" if total == 1 else "items"
        text = f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}"
        if loading:
            text += " · loading…"
        if selected:
            text += f" · {selected} selected"
            if hidden:
                text += f" ({hidden} not shown)"
        self.query_one("#counts", Label).update(text)

    def show_job(self, description: str, total: int | None, done: int) -> None:
        """Show long work and its progress."""
        job = self.query_one("#job", Label)
        job.update(Content.assemble((description, "bold"), ("  ctrl+x cancel", "$text-muted")))
        job.display = True
        bar = self.query_one("#job-progress", ProgressBar)
        bar.update(total=total, progress=done)
        bar.display = True

    def hide_job(self) -> None:
        """Go back to idle."""
        self.query_one("#job", Label).display = False
        self.query_one("#job-progress", ProgressBar).display = False

    def show_sync(self, info: SyncRunView | None, *, running: bool, today: date) -> None:
        """Say when the last sync finished and whether it failed."""
        label = self.query_one("#sync", Label)
        if running:
            label.update(Content.styled("syncing…", "$accent"))
        elif info is None:
            label.update(Content.styled("never synced", "$text-muted"))
        elif info.finished_at is None:
            when = timefmt.short(info.started_at, today)
            label.update(Content.styled(f"sync started {when} has not finished", "$warning"))
        elif info.error:
            when = timefmt.short(info.finished_at, today)
            label.update(Content.styled(f"✘ sync failed {when}: {info.error}", "$error"))
        else:
            when = timefmt.short(info.finished_at, today)
            label.update(Content.assemble(("✔ ", "$success"), f"synced {when}"))

    def show_github(self, text: str | None) -> None:
        """Say why GitHub actions are unavailable, or nothing when they are."""
        label = self.query_one("#github", Label)
        label.update(Content.styled(text or "", "$warning"))
        label.display = bool(text)
