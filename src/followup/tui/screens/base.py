"""What every full screen shares: the app's keys, the status bar, access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen

from followup.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from followup.tui.app import FollowupApp


class FollowupScreen(Screen[None]):
    """A full screen with the keys that work everywhere but in dialogs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("R", "app.sync", "Sync", show=False, tooltip="Sync with GitHub now"),
        Binding("i", "app.import", "Import", show=False, tooltip="Import a post-mortem file"),
        Binding("1", "app.home", "Items", show=False, tooltip="Go to the items"),
        Binding("2", "app.dashboard", "Dashboard", show=False, tooltip="Open the dashboard"),
        Binding("ctrl+x", "app.cancel_jobs", "Cancel", tooltip="Stop the running work"),
    ]

    @property
    def fapp(self) -> FollowupApp:
        """Return the app with its data and actions."""
        return cast("FollowupApp", self.app)

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
        for bar in self.query(StatusBar):
            self.fapp.paint_status(bar, shown=self.shown_count())

    def shown_count(self) -> int | None:
        """Return how many items this screen shows, when it shows a filtered list."""
        return None

    def data_changed(self) -> None:
        """React to new data from the store."""
