"""The Textual app: the screens, GitHub's token and login, and what screens ask for.

It sits on top of the TUI: screens reach it only through the AppContext interface
(`context.py`). It stands on two layers: `loading.py` reads the items from the store,
`running.py` runs the jobs declared in `registry.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from followup import clock
from followup.config import Settings
from followup.errors import FollowupError
from followup.tui import first_page as first_rows
from followup.tui import registry, state, timefmt
from followup.tui.commands import screen_commands
from followup.tui.context import AppContext, LoginState
from followup.tui.filtering import Filters
from followup.tui.messages import LoginFound, TokenFound
from followup.tui.running import GitHubFactoryType, JobsApp
from followup.tui.screens.items import ItemsScreen
from followup.tui.sorting import Sort
from followup.tui.status import RunningJob, StatusInfo

if TYPE_CHECKING:
    from sqlalchemy import Engine

MINE_NEEDS_LOGIN = "'Mine' needs your GitHub login: set 'me' in the config, or provide a token"


class FollowupApp(JobsApp):
    """Review and act on post-mortem action items."""

    CSS_PATH = "app.tcss"
    TITLE = "followup"
    # Textual declares this without ClassVar, so mypy refuses one here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        engine: Engine | Callable[[], Engine],
        settings: Settings,
        github_factory: GitHubFactoryType | None,
        today: Callable[[], date],
        filters: Filters | None = None,
        state_path: Path | None = None,
        first_page: first_rows.FirstPage | None = None,
    ) -> None:
        super().__init__(
            engine=engine,
            settings=settings,
            github_factory=github_factory,
            today=today,
            first_page=first_page,
        )
        self.initial_filters = filters or Filters()
        self.state_path = state_path
        self.ui_state = state.load(state_path)
        self.me: str | None = settings.me
        self.login_state: LoginState = "known" if settings.me else "unknown"
        self._state_warned = False

    # -- start ------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Show the items and start loading them."""
        self.push_screen(ItemsScreen(self.initial_filters, self.ui_state.sort))
        self.reload(first_page=True)
        if self.initial_filters.mine:
            self.want_mine()

    def after_first_load(self) -> None:
        """Look for GitHub's token once the first rows are drawn: they need neither."""
        if self.settings.sync_interval > 0 and self.github_factory is not None:
            self.call_after_refresh(self.check_github)

    def action_help_quit(self) -> None:
        """Say how to quit (ctrl+c does not)."""
        self.notify("Press ctrl+q to quit", title="Do you want to quit?")

    # -- status -----------------------------------------------------------------------

    def status(self) -> StatusInfo:
        """Return the app's part of every status bar."""
        running = [job for job in self.jobs.values() if not job.quiet]
        job = None
        if running:
            last = running[-1]
            job = RunningJob(last.description, last.total, last.done)
        return StatusInfo(
            total=len(self.items),
            loading=not self.complete,
            job=job,
            last_sync=self.last_sync,
            syncing=registry.SYNC.name in self.jobs,
            github_note=self.github_note,
            today=self.today(),
        )

    # -- GitHub -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="check-github")
    def check_github(self) -> None:
        """Find the token once; with one, schedule the background sync."""
        from followup.tui import store

        if self.job_context().client_or_none() is None:
            return
        last = store.read_last_sync(self.engine)
        at = (last.finished_at or last.started_at) if last is not None else None
        interval = self.settings.sync_interval * 60
        due = at is None or (clock.now() - timefmt.local(at)).total_seconds() >= interval
        self.post_message(TokenFound(sync_due=due))

    def on_token_found(self, message: TokenFound) -> None:
        """Sync every sync_interval minutes, and now if the last sync is that old."""
        self.set_interval(
            self.settings.sync_interval * 60, self.background_sync, name="background-sync"
        )
        if message.sync_due:
            self.background_sync()

    def background_sync(self) -> None:
        """Sync quietly: the status bar tells how it went."""
        self.start(registry.SYNC, None, quiet=True)

    def action_sync(self) -> None:
        """Sync with GitHub now."""
        self.start(registry.SYNC, None)

    # -- mine -------------------------------------------------------------------------

    def want_mine(self) -> bool:
        """Tell whether 'mine' can filter now; otherwise look the login up, or say why not."""
        if self.me:
            return True
        if self.github_factory is None:
            self.login_state = "unavailable"
            self.notify(MINE_NEEDS_LOGIN, severity="warning")
            return False
        if self.login_state != "looking":
            # The filter bar says the login is being looked up until it arrives.
            self.login_state = "looking"
            self._find_login()
        return False

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def _find_login(self) -> None:
        from followup.github.users import authenticated_login

        try:
            login = authenticated_login(self.job_context().client())
        except FollowupError as exc:
            self.notify(f"{MINE_NEEDS_LOGIN} ({exc})", severity="warning")
            self.post_message(LoginFound(None))
            return
        self.post_message(LoginFound(login))

    def on_login_found(self, message: LoginFound) -> None:
        """Remember the login (or that there is none) and let the screens filter by it."""
        if message.login:
            self.me = message.login
            self.login_state = "known"
        else:
            self.login_state = "unavailable"
        self.data_version += 1

    # -- what screens ask for ---------------------------------------------------------

    def import_paths(self, paths: Iterable[Path]) -> None:
        """Import post-mortem files."""
        self.start(registry.IMPORT, list(paths))

    def remember_sort(self, sort: Sort) -> None:
        """Keep the items' sort for the next run; say once if it cannot be kept."""
        if sort == self.ui_state.sort:
            return
        self.ui_state = replace(self.ui_state, sort=sort)
        try:
            state.save(self.ui_state, self.state_path)
        except OSError as exc:
            if not self._state_warned:
                self._state_warned = True
                self.notify(f"The sort will not be remembered: {exc}", severity="warning")

    def open_link(self, url: str | None, what: str) -> None:
        """Open a URL in the browser, or say there is none."""
        if not url:
            self.notify(f"No {what} to open", severity="warning")
            return
        self.open_url(url)
        self.notify(f"Opening {url}")

    def copy_link(self, url: str | None, what: str) -> None:
        """Copy a URL to the clipboard, or say there is none."""
        if not url:
            self.notify(f"No {what} to copy", severity="warning")
            return
        self.copy_to_clipboard(url)
        self.notify(f"Copied {url}")

    # -- navigation -------------------------------------------------------------------
    # Screens other than the items are imported when first shown: they bring in Markdown,
    # syntax highlighting and charts, which the first rows need not wait for.

    def open_item(self, item_id: str) -> None:
        """Show an item's detail."""
        from followup.tui.screens.item_detail import ItemDetailScreen

        self.push_screen(ItemDetailScreen(item_id))

    def open_postmortem(self, slug: str, *, focus_item: str | None = None) -> None:
        """Show a post-mortem with its items marked."""
        from followup.tui.screens.postmortem import PostMortemScreen

        self.push_screen(PostMortemScreen(slug, focus_item=focus_item))

    def action_home(self) -> None:
        """Go back to the items."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ItemsScreen):
            self.pop_screen()

    def action_dashboard(self) -> None:
        """Open the dashboard."""
        from followup.tui.screens.dashboard import DashboardScreen

        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen())

    def action_report(self) -> None:
        """Open the review report for the items screen's filter."""
        from followup.tui.screens.report import ReportScope, ReportScreen

        if isinstance(self.screen, ReportScreen):
            return
        items = next((s for s in self.screen_stack if isinstance(s, ItemsScreen)), None)
        flt = items.filters if items is not None else self.initial_filters
        self.push_screen(ReportScreen(ReportScope.of(flt, self.me)))

    def action_help(self) -> None:
        """Show the keys of the current screen."""
        from followup.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_import(self) -> None:
        """Pick a post-mortem file and import it."""
        from followup.tui.screens.file_picker import FilePickerScreen

        def picked(path: Path | None) -> None:
            if path is not None:
                self.import_paths([path])

        self.push_screen(FilePickerScreen(Path.cwd()), picked)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Offer every key of the screen in the command palette, and a few more."""
        yield from super().get_system_commands(screen)
        yield from screen_commands(self, self, screen)


if TYPE_CHECKING:

    def _satisfies_the_screens_interface(app: FollowupApp) -> AppContext:
        # mypy checks here that the app gives screens everything AppContext promises.
        return app


def make_app(
    *,
    engine: Engine | Callable[[], Engine],
    settings: Settings,
    github_factory: GitHubFactoryType | None,
    today: Callable[[], date] = clock.today,
    filters: Filters | None = None,
    state_path: Path | None = None,
    first_page: first_rows.FirstPage | None = None,
) -> FollowupApp:
    """Build the app around a store; nothing touches GitHub until an action needs it.

    `engine` is the open store, or a function that opens it: then it opens in the
    background when first needed. `first_page` reads the table's first rows without it
    (first_page.open_direct), or says the engine must read them.
    """
    return FollowupApp(
        engine=engine,
        settings=settings,
        github_factory=github_factory,
        today=today,
        filters=filters,
        state_path=state_path,
        first_page=first_page,
    )
