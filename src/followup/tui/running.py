"""The app's jobs: each runs in a thread worker, reports progress, and ends in one outcome.

A job is declared once in `registry.py`; here it is started (never twice at once), its
progress feeds the status bar, and its outcome is told, proposed on, and read back.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.worker import Worker, WorkerState, get_current_worker

from followup.config import Settings
from followup.errors import FollowupError
from followup.tui import first_page as first_rows
from followup.tui.jobs import NO_GITHUB_SESSION, ItemResult, JobContext, JobSpec, Proposal, one_line
from followup.tui.loading import LoadingApp
from followup.tui.messages import JobFinished, JobNote, JobPhase, JobStep, TokenMissing
from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.workers import TuiProgress

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from followup.github.client import GitHub

GitHubFactoryType = Callable[[], "GitHub"]
A = TypeVar("A")

NO_GITHUB = "local only: no GitHub token"
# A job may finish hundreds of steps a second; the progress bar need not follow each one.
STEP_REPAINT = 0.1
RESULTS_HINT = "press e for each item's result"


@dataclass(slots=True)
class Running:
    """A job in progress, as the status bar shows it."""

    spec: JobSpec[Any, Any]
    description: str
    total: int | None = None
    done: int = 0
    quiet: bool = False


class JobsApp(LoadingApp):
    """Run the registry's jobs in threads, one of each at a time, and report how they went."""

    def __init__(
        self,
        *,
        engine: Engine | Callable[[], Engine],
        settings: Settings,
        github_factory: GitHubFactoryType | None,
        today: Callable[[], date],
        first_page: first_rows.FirstPage | None = None,
    ) -> None:
        super().__init__(engine=engine, today=today, first_page=first_page)
        self.settings = settings
        self.github_factory = github_factory
        self.github_note: str | None = None if github_factory is not None else NO_GITHUB
        self.jobs: dict[str, Running] = {}
        self.last_results: tuple[str, tuple[ItemResult, ...]] | None = None
        self._repaint_pending = False

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
