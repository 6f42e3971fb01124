"""The Textual app: holds the loaded items, runs the work in threads, reports the outcome.

Screens call the app's methods; every GitHub or store action runs the same core function
as the CLI, in a thread worker, and reports back with messages.
"""

from __future__ import annotations

import gc
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from sqlalchemy import Engine
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from followup import clock
from followup.config import Settings
from followup.errors import FollowupError
from followup.store.views import ItemView, PostMortemView
from followup.text import clean
from followup.tui import store, timefmt
from followup.tui.filtering import Filters, SearchIndex
from followup.tui.messages import (
    ItemsLoaded,
    ItemsRefreshed,
    JobFinished,
    JobNote,
    JobPhase,
    JobStep,
    LoadFailed,
    LoginFound,
    PreviewReady,
    TokenFound,
    TokenMissing,
)
from followup.tui.outcomes import Outcome
from followup.tui.widgets.status_bar import StatusBar
from followup.tui.workers import TuiProgress

if TYPE_CHECKING:
    from followup.github.client import GitHub
    from followup.sync.polling import SyncRunView

GitHubFactoryType = Callable[[], "GitHub"]
Work = Callable[[TuiProgress], Outcome]

NO_GITHUB = "local only: no GitHub token"
# A job may finish hundreds of steps a second; the progress bar need not follow each one.
STEP_REPAINT = 0.1
MINE_NEEDS_LOGIN = "'Mine' needs your GitHub login: set 'me' in the config, or provide a token"


@dataclass(slots=True)
class Job:
    """Long work in progress, as the status bar shows it."""

    description: str
    total: int | None = None
    done: int = 0
    quiet: bool = False


def one_line(exc: BaseException) -> str:
    """Return an error as the one line a notification shows."""
    if isinstance(exc, FollowupError):
        return str(exc)
    detail = clean(" ".join(str(exc).split())) or type(exc).__name__
    return f"unexpected {type(exc).__name__}: {detail}"


class FollowupApp(App[None]):
    """Review and act on post-mortem action items."""

    CSS_PATH = "app.tcss"
    TITLE = "followup"
    # Textual declares this without ClassVar, so mypy refuses one here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    data_version: reactive[int] = reactive(0, init=False)
    status_version: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        github_factory: GitHubFactoryType | None,
        today: Callable[[], date],
        filters: Filters | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.github_factory = github_factory
        self.today = today
        self.initial_filters = filters or Filters()
        self.items: list[ItemView] = []
        self.index = SearchIndex([])
        self.postmortems: list[PostMortemView] = []
        self.loaded = False
        self.complete = False
        self.last_sync: SyncRunView | None = None
        self.me: str | None = settings.me
        self.github_note: str | None = None if github_factory is not None else NO_GITHUB
        self.jobs: dict[str, Job] = {}
        self._generation = 0
        self._repaint_pending = False
        self.mine_unavailable = False

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification; its text is never read as markup (it may quote GitHub)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- start ------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Show the items and start loading them."""
        from followup.tui.screens.items import ItemsScreen

        self.push_screen(ItemsScreen(self.initial_filters))
        self.reload(first_page=True)
        if self.initial_filters.mine:
            self.want_mine()
        if self.settings.sync_interval > 0 and self.github_factory is not None:
            self.check_github()

    # -- loading ----------------------------------------------------------------------

    def reload(self, *, first_page: bool = False) -> None:
        """Read the items again in a thread; the screens follow."""
        self._generation += 1
        self._load(self._generation, first_page)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, generation: int, first_page: bool) -> None:
        worker = get_current_worker()
        today = self.today()
        try:
            if first_page:
                items = store.read_items(self.engine, today=today, limit=store.FIRST_PAGE)
                pms = store.read_postmortems(self.engine, today=today)
                if len(items) < store.FIRST_PAGE:
                    # Everything fitted in the first page: one read was enough.
                    sync = store.read_last_sync(self.engine)
                    self.post_message(ItemsLoaded(items, pms, sync, True, generation))
                    return
                self.post_message(ItemsLoaded(items, pms, self.last_sync, False, generation))
                if worker.is_cancelled:
                    return
            items = store.read_items(self.engine, today=today)
            pms = store.read_postmortems(self.engine, today=today)
            sync = store.read_last_sync(self.engine)
        except Exception as exc:
            self.post_message(LoadFailed(one_line(exc)))
            return
        if worker.is_cancelled:
            return
        # With 10,000 items a full garbage collection takes 100-200 ms and would land on a
        # keystroke: collect once here, off the UI thread, then keep what is loaded out of
        # the collector's sight (freed items still go by reference counting).
        if len(items) >= store.FIRST_PAGE:
            gc.collect()
            gc.freeze()
        self.post_message(ItemsLoaded(items, pms, sync, True, generation))

    def on_items_loaded(self, message: ItemsLoaded) -> None:
        """Keep the newest data and tell the screens."""
        if message.generation != self._generation:
            return
        self.items = message.items
        self.index = SearchIndex(message.items)
        self.postmortems = message.postmortems
        self.last_sync = message.last_sync
        self.loaded = True
        self.complete = message.complete
        self.data_version += 1
        self.status_version += 1

    @work(thread=True, exit_on_error=False, group="refresh")
    def _refresh_items(self, generation: int, item_ids: tuple[str, ...]) -> None:
        today = self.today()
        try:
            items = store.read_items_by_id(self.engine, item_ids)
            pms = store.read_postmortems(self.engine, today=today)
        except Exception as exc:
            self.post_message(LoadFailed(one_line(exc)))
            return
        self.post_message(ItemsRefreshed(items, pms, generation))

    def on_items_refreshed(self, message: ItemsRefreshed) -> None:
        """Swap the re-read items in place; a full load started meanwhile wins."""
        if message.generation != self._generation or not self.complete:
            return
        fresh = {item.id: item for item in message.items}
        self.items = [fresh.get(item.id, item) for item in self.items]
        self.index = SearchIndex(self.items)
        self.postmortems = message.postmortems
        self.data_version += 1

    def on_load_failed(self, message: LoadFailed) -> None:
        """Say the store could not be read."""
        self.notify(message.error, title="Cannot read the store", severity="error")

    # -- status -----------------------------------------------------------------------

    def paint_status(self, bar: StatusBar, *, shown: int | None) -> None:
        """Bring one status bar up to date with the app's state."""
        total = len(self.items)
        bar.show_counts(total if shown is None else shown, total, loading=not self.complete)
        running = [job for job in self.jobs.values() if not job.quiet]
        if running:
            job = running[-1]
            bar.show_job(job.description, job.total, job.done)
        else:
            bar.hide_job()
        bar.show_sync(self.last_sync, running="sync" in self.jobs, today=self.today())
        bar.show_github(self.github_note)

    # -- jobs -------------------------------------------------------------------------

    def start_job(self, name: str, description: str, job: Work, *, quiet: bool = False) -> bool:
        """Run work in a thread worker unless the same job is already running."""
        if name in self.jobs:
            if not quiet:
                self.notify(f"{self.jobs[name].description} is already running", severity="warning")
            return False
        self.jobs[name] = Job(description, quiet=quiet)
        self.status_version += 1
        self.run_worker(
            partial(self._run_job, name, job),
            name=name,
            group=f"job-{name}",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        return True

    def _run_job(self, name: str, job: Work) -> None:
        worker = get_current_worker()
        progress = TuiProgress(self, name, worker)
        try:
            outcome = job(progress)
        except FollowupError as exc:
            self.post_message(JobFinished(name, error=self._explain(exc), changed=True))
            return
        except Exception as exc:
            self.log.error(traceback.format_exc())
            self.post_message(JobFinished(name, error=one_line(exc), changed=True))
            return
        self.post_message(
            JobFinished(
                name,
                summary=outcome.summary,
                severity=outcome.severity,
                cancelled=worker.is_cancelled,
                changed=outcome.changed,
                items=outcome.items,
            )
        )

    def _explain(self, exc: FollowupError) -> str:
        from followup.github.errors import AuthError

        if isinstance(exc, AuthError):
            self.post_message(TokenMissing())
        return str(exc)

    def on_token_missing(self, _message: TokenMissing) -> None:
        """Say in the status bar that GitHub actions are off."""
        self.github_note = NO_GITHUB
        self.status_version += 1

    def on_job_phase(self, message: JobPhase) -> None:
        """Show a new phase of a job."""
        job = self.jobs.get(message.job)
        if job is not None:
            job.description = message.description
            job.total = message.total
            job.done = 0
            self.status_version += 1

    def on_job_step(self, message: JobStep) -> None:
        """Advance a job's progress bar, repainting at most every STEP_REPAINT seconds."""
        job = self.jobs.get(message.job)
        if job is not None:
            job.done += 1
            if not self._repaint_pending:
                self._repaint_pending = True
                self.set_timer(STEP_REPAINT, self._repaint_status)

    def _repaint_status(self) -> None:
        self._repaint_pending = False
        self.status_version += 1

    def on_job_note(self, message: JobNote) -> None:
        """Show what a job wanted the user to know."""
        self.notify(message.message, severity=message.severity)

    def on_job_finished(self, message: JobFinished) -> None:
        """Report the outcome and read the store again."""
        job = self.jobs.pop(message.job, None)
        quiet = job.quiet if job is not None else False
        if message.error:
            self.notify(message.error, title=self._job_title(message.job), severity="error")
        elif message.summary and not (quiet and message.severity == "information"):
            text = message.summary + (" (cancelled)" if message.cancelled else "")
            self.notify(text, severity=message.severity)
        self.status_version += 1
        loading = any(w.group == "load" and w.is_running for w in self.workers)
        if message.changed and message.items and not message.error and not loading:
            self._refresh_items(self._generation, message.items)
        elif message.changed:
            # A load under way may have read the store before this change: start again.
            self.reload()

    @staticmethod
    def _job_title(name: str) -> str:
        return {
            "file": "Filing failed",
            "plan-file": "Cannot plan the filing",
            "protect": "Protection failed",
            "plan-protect": "Cannot plan the protection",
            "sync": "Sync failed",
            "import": "Import failed",
            "verify": "Verification failed",
            "edit": "Change failed",
            "login": "Cannot find your login",
        }.get(name.split(":", maxsplit=1)[0], "Failed")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer Cancel only while something runs."""
        if action == "cancel_jobs":
            return bool(self.jobs)
        return True

    def action_cancel_jobs(self) -> None:
        """Ask the running work to stop at its next safe point."""
        for worker in self.workers:
            if worker.group.startswith("job-") and worker.is_running:
                worker.cancel()
        if self.jobs:
            self.notify("Stopping after the current step…")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Report a worker that failed outside the job runner, in one line."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(one_line(event.worker.error), severity="error")

    # -- GitHub -----------------------------------------------------------------------

    def client(self) -> GitHub:
        """Return a new client for this thread; AuthError when there is no token."""
        if self.github_factory is None:
            from followup.github.errors import AuthError

            raise AuthError("GitHub is not available in this session")
        return self.github_factory()

    def client_or_none(self) -> GitHub | None:
        """Return a client, or None without a token (the work stays local)."""
        from followup.github.errors import AuthError

        try:
            return self.client()
        except AuthError:
            self.post_message(TokenMissing())
            return None

    @work(thread=True, exclusive=True, exit_on_error=False, group="check-github")
    def check_github(self) -> None:
        """Find the token once; with one, schedule the background sync."""
        if self.client_or_none() is None:
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
        self.sync(quiet=True)

    def sync(self, *, quiet: bool = False) -> None:
        """Poll GitHub for every linked item."""
        from followup.tui import actions

        self.start_job("sync", "Syncing with GitHub", partial(actions.sync, self), quiet=quiet)

    def action_sync(self) -> None:
        """Sync with GitHub now."""
        self.sync()

    # -- mine -------------------------------------------------------------------------

    def want_mine(self) -> bool:
        """Tell whether 'mine' can filter now; otherwise look the login up, or say why not."""
        if self.me:
            return True
        if self.github_factory is None:
            self.mine_unavailable = True
            self.notify(MINE_NEEDS_LOGIN, severity="warning")
            return False
        self.mine_unavailable = False
        self._find_login()
        return False

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def _find_login(self) -> None:
        from followup.github.users import authenticated_login

        try:
            login = authenticated_login(self.client())
        except FollowupError as exc:
            self.notify(f"{MINE_NEEDS_LOGIN} ({self._explain(exc)})", severity="warning")
            self.post_message(LoginFound(None))
            return
        self.post_message(LoginFound(login))

    def on_login_found(self, message: LoginFound) -> None:
        """Remember the login (or that there is none) and let the screens filter by it."""
        if message.login:
            self.me = message.login
        else:
            self.mine_unavailable = True
        self.data_version += 1

    # -- actions on items -------------------------------------------------------------

    def file_items(self, item_ids: Sequence[str] | None) -> None:
        """Plan filing (dry run), then show the plan for confirmation."""
        from followup.tui import actions

        self.start_job(
            "plan-file",
            "Planning the filing",
            partial(actions.plan_filing, self, tuple(item_ids) if item_ids else None),
        )

    def protect(self, item_ids: Sequence[str] | None) -> None:
        """Plan branch protection, then show the diff for confirmation."""
        from followup.tui import actions

        self.start_job(
            "plan-protect",
            "Reading branch protection",
            partial(actions.plan_protection, self, tuple(item_ids) if item_ids else None),
        )

    def verify(self, item_ids: Sequence[str] | None) -> None:
        """Re-read the protection of protected branches and record any drift."""
        from followup.tui import actions

        self.start_job(
            "verify",
            "Verifying branch protection",
            partial(actions.verify, self, tuple(item_ids) if item_ids else None),
        )

    def on_preview_ready(self, message: PreviewReady) -> None:
        """Ask the user to confirm a plan, then carry it out."""
        from followup.tui import actions, previews

        screen = previews.confirm_screen(message)

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            if message.kind == "file":
                self.start_job(
                    "file", "Filing issues", partial(actions.file, self, message.item_ids)
                )
            else:
                self.start_job(
                    "protect", "Applying protection", partial(actions.protect, self, message.plan)
                )

        self.push_screen(screen, confirmed)

    def edit(
        self,
        item: ItemView,
        change: Literal["close", "reopen", "assign", "due", "priority"],
        value: object = None,
    ) -> None:
        """Change an item here, and on GitHub when it is linked."""
        from followup.tui import actions

        # One job per item: edits of different items may run side by side.
        self.start_job(
            f"edit:{item.id}",
            f"Updating {item.id}",
            partial(actions.edit, self, item.id, item.issue is not None, change, value),
        )

    def import_paths(self, paths: Iterable[Path]) -> None:
        """Import post-mortem files."""
        from followup.tui import actions

        self.start_job("import", "Importing", partial(actions.import_files, self, list(paths)))

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

    def action_home(self) -> None:
        """Go back to the items."""
        from followup.tui.screens.items import ItemsScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, ItemsScreen):
            self.pop_screen()

    def action_dashboard(self) -> None:
        """Open the dashboard."""
        from followup.tui.screens.dashboard import DashboardScreen

        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen())

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
        from followup.tui.commands import screen_commands

        yield from screen_commands(self, screen)


def make_app(
    *,
    engine: Engine,
    settings: Settings,
    github_factory: GitHubFactoryType | None,
    today: Callable[[], date] = clock.today,
    filters: Filters | None = None,
) -> FollowupApp:
    """Build the app around an open store; nothing touches GitHub until an action needs it."""
    return FollowupApp(
        engine=engine,
        settings=settings,
        github_factory=github_factory,
        today=today,
        filters=filters,
    )
