"""What every full screen shares: the app's keys, the status bar, the app's interface."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

from followup.tui.context import AppContext, app_context
from followup.tui.widgets.status_bar import StatusBar


class FollowupScreen(Screen[None]):
    """A full screen with the keys that work everywhere but in dialogs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("R", "app.sync", "Sync", show=False, tooltip="Sync with GitHub now"),
        Binding("i", "app.import", "Import", show=False, tooltip="Import a post-mortem file"),
        Binding("1", "app.home", "Items", show=False, tooltip="Go to the items"),
        Binding("2", "app.dashboard", "Dashboard", show=False, tooltip="Open the dashboard"),
        Binding(
            "3",
            "app.report",
            "Report",
            show=False,
            tooltip="The weekly review report for the current filter",
        ),
        Binding(
            "e",
            "app.results",
            "Results",
            show=False,
            tooltip="Each item's result of the last action on several items",
        ),
        Binding("ctrl+x", "app.cancel_jobs", "Cancel", tooltip="Stop the running work"),
    ]

    @property
    def ctx(self) -> AppContext:
        """Return the app's data and actions, as screens may use them."""
        return app_context(self)

    def on_mount(self) -> None:
        """Follow the app's data and jobs."""
        self.watch(self.app, "data_version", self._data_changed, init=False)
        self.watch(self.app, "status_version", self._status_changed, init=True)

    def _data_changed(self, _version: int) -> None:
        self.data_changed()

    def _status_changed(self, _version: int) -> None:
        self.paint_status()

    def paint_status(self) -> None:
        """Bring the status bar up to date."""
        info = self.ctx.status()
        shown = self.shown_count()
        selected, hidden = self.selection_count()
        for bar in self.query(StatusBar):
            bar.show(info, shown=shown, selected=selected, hidden=hidden)

    def shown_count(self) -> int | None:
        """Return how many items this screen shows, when it shows a filtered list."""
        return None

    def selection_count(self) -> tuple[int, int]:
        """Return how many items are selected, and how many of those are not shown."""
        return 0, 0

    def data_changed(self) -> None:
        """React to new data from the store."""
