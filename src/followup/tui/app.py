"""The Textual app: holds the loaded items, runs the jobs in threads, reports the outcome.

It sits on top of the TUI: screens reach it only through the AppContext interface
(`context.py`), jobs are declared in `registry.py`, and any job runs the same way here.
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

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
from followup.tui import first_page as first_rows
from followup.tui import registry, state, timefmt
from followup.tui.commands import screen_commands
from followup.tui.context import AppContext, LoginState
from followup.tui.filtering import Filters, SearchIndex, Sort
from followup.tui.jobs import (
    NO_GITHUB_SESSION,
    ItemResult,
    JobContext,
    JobSpec,
    Proposal,
    one_line,
)
from followup.tui.messages import (
    ItemsLoaded,
    ItemsRefreshed,
    JobFinished,
    JobNote,
    JobPhase,
    JobStep,
    LoadFailed,
    LoginFound,
    TokenFound,
    TokenMissing,
)
from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.screens.items import ItemsScreen
from followup.tui.status import RunningJob, StatusInfo
from followup.tui.workers import TuiProgress

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from followup.github.client import GitHub
    from followup.sync.polling import SyncRunView

GitHubFactoryType = Callable[[], "GitHub"]
A = TypeVar("A")

NO_GITHUB = "local only: no GitHub token"
# A job may finish hundreds of steps a second; the progress bar need not follow each one.
STEP_REPAINT = 0.1
MINE_NEEDS_LOGIN = "'Mine' needs your GitHub login: set 'me' in the config, or provide a token"
RESULTS_HINT = "press e for each item's result"
# How long the load waits for the first rows to be drawn before reading the rest anyway.
FIRST_PAINT_WAIT = 3.0


@dataclass(slots=True)
class Running:
    """A job in progress, as the status bar shows it."""

    spec: JobSpec[Any, Any]
    description: str
    total: int | None = None
    done: int = 0
    quiet: bool = False


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
        engine: Engine | Callable[[], Engine],
        settings: Settings,
        github_factory: GitHubFactoryType | None,
        today: Callable[[], date],
        filters: Filters | None = None,
        state_path: Path | None = None,
        first_page: first_rows.FirstPage | None = None,
    ) -> None:
        super().__init__()
        if callable(engine):
            self._engine: Engine | None = None
            self._open_engine: Callable[[], Engine] | None = engine
        else:
            self._engine = engine
            self._open_engine = None
        self._engine_lock = threading.Lock()
        self._first_page = first_page
        self.settings = settings
        self.github_factory = github_factory
        self.today = today
        self.initial_filters = filters or Filters()
        self.state_path = state_path
        self.ui_state = state.load(state_path)
        self.items: list[ItemView] = []
        self.index = SearchIndex([])
        self.postmortems: list[PostMortemView] = []
        self.loaded = False
        self.complete = False
        self.last_sync: SyncRunView | None = None
        self.me: str | None = settings.me
        self.login_state: LoginState = "known" if settings.me else "unknown"
        self.github_note: str | None = None if github_factory is not None else NO_GITHUB
        self.jobs: dict[str, Running] = {}
        self.last_results: tuple[str, tuple[ItemResult, ...]] | None = None
        self._generation = 0
        self._repaint_pending = False
        self._state_warned = False
        self._github_checked = False

    @property
    def engine(self) -> Engine:
        """Return the store's engine, opening it on first use (from whichever thread)."""
        with self._engine_lock:
            if self._engine is None:
                assert self._open_engine is not None
                self._engine = self._open_engine()
            return self._engine

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
        self.push_screen(ItemsScreen(self.initial_filters, self.ui_state.sort))
        self.reload(first_page=True)
        if self.initial_filters.mine:
            self.want_mine()

    def action_help_quit(self) -> None:
        """Say how to quit (ctrl+c does not)."""
        self.notify("Press ctrl+q to quit", title="Do you want to quit?")

    # -- loading ----------------------------------------------------------------------

    def reload(self, *, first_page: bool = False) -> None:
        """Read the items again in a thread; the screens follow."""
        self._generation += 1
        self._load(self._generation, first_page)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, generation: int, first_page: bool) -> None:
        worker = get_current_worker()
        today = self.today()
        # The values the reads below share: items and post-mortems name the same slugs,
        # titles and files, and the two reads of the post-mortems the same everything.
        names: dict[Any, Any] = {}
        try:
            if first_page:
                limit = first_rows.FIRST_PAGE
                items = self._read_first_page(limit)
                if items is None:
                    from followup.tui import store

                    items = store.read_items(self.engine, today=today, limit=limit, names=names)
                    if len(items) < limit:
                        # Everything fitted in the first page: one read was enough.
                        pms = store.read_postmortems(self.engine, today=today, names=names)
                        sync = store.read_last_sync(self.engine)
                        self.post_message(ItemsLoaded(items, pms, sync, True, generation))
                        return
                # The first rows go out before the sidebar's post-mortems: counting and
                # showing 10,000 of them takes longer than the rows themselves. The rest
                # waits until they are on screen: this thread's Python work (importing
                # SQLAlchemy too, when the rows were read without it) would take the
                # interpreter's lock from the UI thread drawing them.
                painted = threading.Event()
                self.post_message(
                    ItemsLoaded(
                        items, self.postmortems, self.last_sync, False, generation, painted=painted
                    )
                )
                painted.wait(FIRST_PAINT_WAIT)
                from followup.tui import store

                pms = store.read_postmortems(self.engine, today=today, names=names)
                if worker.is_cancelled:
                    return
                self.post_message(ItemsLoaded(items, pms, self.last_sync, False, generation))
            from followup.tui import store

            items = store.read_items(self.engine, today=today, names=names)
            pms = store.read_postmortems(self.engine, today=today, names=names)
            sync = store.read_last_sync(self.engine)
            del names
        except Exception as exc:
            self.post_message(LoadFailed(one_line(exc)))
            return
        if worker.is_cancelled:
            return
        # With 10,000 items a full garbage collection takes 100-200 ms and would land on a
        # keystroke: collect once here, off the UI thread, then keep what is loaded out of
        # the collector's sight (freed items still go by reference counting).
        index = SearchIndex(items)
        if len(items) >= first_rows.FIRST_PAGE:
            gc.collect()
            gc.freeze()
        self.post_message(ItemsLoaded(items, pms, sync, True, generation, index))

    def _read_first_page(self, limit: int) -> list[ItemView] | None:
        """Return the first rows read directly, or None for the ordinary path to read them."""
        reader, self._first_page = self._first_page, None
        if reader is None:
            return None
        try:
            return reader(limit)
        except Exception as exc:
            # The ordinary path reads the same rows, and says properly what is wrong if
            # the store cannot be read.
            self.log.warning(f"reading the first rows directly failed: {one_line(exc)}")
            return None

    def on_items_loaded(self, message: ItemsLoaded) -> None:
        """Keep the newest data and tell the screens."""
        if message.generation != self._generation:
            return
        if not self._github_checked:
            # GitHub's client and the store's engine wait until the first rows are drawn.
            self._github_checked = True
            if self.settings.sync_interval > 0 and self.github_factory is not None:
                self.call_after_refresh(self.check_github)
        self.items = message.items
        self.index = message.index or SearchIndex(message.items)
        self.postmortems = message.postmortems
        self.last_sync = message.last_sync
        self.loaded = True
        self.complete = message.complete
        self.data_version += 1
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)
        self.status_version += 1

    @work(thread=True, exit_on_error=False, group="refresh")
    def _refresh_items(self, generation: int, item_ids: tuple[str, ...]) -> None:
        from followup.tui import store

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
        self.index = self.index.replaced(message.items)
        self.items = self.index.items
        self.postmortems = message.postmortems
        self.data_version += 1

    def on_load_failed(self, message: LoadFailed) -> None:
        """Say the store could not be read."""
        self.notify(message.error, title="Cannot read the store", severity="error")

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

    # -- jobs -------------------------------------------------------------------------

    def start(self, spec: JobSpec[A, Any], args: A, *, quiet: bool = False) -> bool:
        """Run a job in a thread worker unless the same one is already running."""
        key = spec.key(args)
        if key in self.jobs:
            if not quiet:
                self.notify(f"{self.jobs[key].description} is already running", severity="warning")
            return False
        if spec.needs_github and self.github_factory is None:
            if not quiet:
                self.notify(NO_GITHUB_SESSION, title=spec.failure, severity="error")
            return False
        self.jobs[key] = Running(spec, spec.describe(args), quiet=quiet)
        self.status_version += 1
        self.run_worker(
            partial(self._run_job, key, spec, args),
            name=key,
            group=f"job-{key}",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        return True

    def job_context(self) -> JobContext:
        """Return what work in a thread may use."""
        return JobContext(
            self.engine,
            self.settings,
            self.github_factory,
            token_missing=self._token_missing,
        )

    def _token_missing(self) -> None:
        self.post_message(TokenMissing())

    def _run_job(self, key: str, spec: JobSpec[A, Any], args: A) -> None:
        worker = get_current_worker()
        progress = TuiProgress(self, key, worker)
        try:
            outcome = spec.run(self.job_context(), args, progress)
        except FollowupError as exc:
            from followup.github.errors import AuthError

            if isinstance(exc, AuthError):
                self.post_message(TokenMissing())
            self.post_message(JobFinished(key, error=str(exc)))
            return
        except Exception as exc:
            self.log.error(traceback.format_exc())
            self.post_message(JobFinished(key, error=one_line(exc)))
            return
        self.post_message(JobFinished(key, outcome=outcome, cancelled=worker.is_cancelled))

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
        """Report the outcome, offer what it proposes, and read the store again."""
        job = self.jobs.pop(message.job, None)
        quiet = job.quiet if job is not None else False
        outcome = message.outcome
        if message.error or outcome is None:
            title = job.spec.failure if job is not None else "Failed"
            self.notify(
                message.error or "the job ended without a result", title=title, severity="error"
            )
        else:
            if outcome.results:
                self.last_results = (outcome.title, outcome.results)
            if outcome.summary and not (quiet and outcome.severity == "information"):
                text = outcome.summary + (" (cancelled)" if message.cancelled else "")
                if outcome.failures:
                    text += f"; {RESULTS_HINT}"
                self.notify(text, severity=outcome.severity)
            if outcome.proposal is not None and not message.cancelled:
                self._propose(outcome.proposal)
        self.status_version += 1
        changed = outcome.changed if outcome is not None else True
        items = outcome.items if outcome is not None else None
        loading = any(w.group == "load" and w.is_running for w in self.workers)
        if changed and items and not message.error and not loading:
            self._refresh_items(self._generation, items)
        elif changed:
            # A load under way may have read the store before this change: start again.
            self.reload()

    def _propose(self, proposal: Proposal) -> None:
        """Ask the user to confirm a plan, then start the job that carries it out."""

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.start(proposal.then.spec, proposal.then.args)

        self.push_screen(ConfirmScreen.of(proposal.preview), confirmed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer Cancel only while something runs, and Results once there are some."""
        if action == "cancel_jobs":
            return bool(self.jobs)
        if action == "results":
            return self.last_results is not None
        return True

    def action_cancel_jobs(self) -> None:
        """Ask the running work to stop at its next safe point."""
        for worker in self.workers:
            if worker.group.startswith("job-") and worker.is_running:
                worker.cancel()
        if self.jobs:
            self.notify("Stopping after the current step…")

    def action_results(self) -> None:
        """Show what the last action on several items did to each."""
        from followup.tui.screens.results import ResultsScreen

        if self.last_results is not None:
            title, results = self.last_results
            # The notification that pointed here has done its work.
            self.clear_notifications()
            self.push_screen(ResultsScreen(title, results))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Report a worker that failed outside the job runner, in one line."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(one_line(event.worker.error), severity="error")

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
