"""Every job the TUI runs, each declared once: its work (the CLI's core function) and spec.

Adding a job is one entry here: a work function, run in a thread worker, and a JobSpec
that names it, says what it is doing and what failed, and turns its result into the
notification. A spec with a `palette` entry also shows in the command palette.

The core modules are imported inside the work functions: they bring in the GitHub
client, which the TUI need not load before the first job starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from followup.errors import InputError
from followup.sync.progress import Progress
from followup.tui import edit_job, outcomes, previews
from followup.tui.jobs import JobContext, JobSpec, Outcome, Palette, Proposal

if TYPE_CHECKING:
    from followup.store.report_model import ReviewReport
    from followup.sync.drift import VerifyReport
    from followup.sync.filing import FilingPlan
    from followup.sync.forget import Forgettable
    from followup.sync.importing import FileProblem, ImportReport
    from followup.sync.polling import SyncReport
    from followup.sync.protect import ProtectionPlan, ProtectionReport
    from followup.sync.review.words import ReportContext

P = TypeVar("P")
ItemIds = tuple[str, ...] | None  # None: every item the job applies to


@dataclass(frozen=True, slots=True)
class DryRun(Generic[P]):
    """A dry run's plan, with what is needed to carry it out."""

    plan: P
    item_ids: ItemIds
    has_github: bool


# -- sync -----------------------------------------------------------------------------


def _sync(context: JobContext, _args: None, progress: Progress) -> SyncReport:
    from followup.sync import polling

    return polling.sync_all(
        context.engine,
        context.client,
        concurrency=context.settings.sync_concurrency,
        progress=progress,
        lock_timeout=context.settings.lock_timeout,
    )


SYNC: JobSpec[None, SyncReport] = JobSpec(
    name="sync",
    description="Syncing with GitHub",
    failure="Sync failed",
    work=_sync,
    summary=outcomes.synced,
    needs_github=True,
)


# -- filing ---------------------------------------------------------------------------


def _file(context: JobContext, item_ids: ItemIds, progress: Progress) -> outcomes.Filed:
    from followup.sync import filing, projects

    client = context.client()
    project = context.settings.project
    # Found before anything is filed: a project the token cannot use fails the job first.
    target = projects.resolve_project(context.engine, client, project) if project else None
    filed = filing.file_items(
        context.engine,
        client,
        item_ids=item_ids,
        default_repo=context.settings.repo,
        progress=progress,
        lock_timeout=context.settings.lock_timeout,
    )
    added = None
    if target is not None and not filed.cancelled and filed.stopped is None:
        done = [i.item_id for i in filed.items if i.outcome in ("created", "linked")]
        added = projects.add_to_project(context.engine, client, target, done, progress=progress)
    return outcomes.Filed(filed, added)


FILE: JobSpec[ItemIds, outcomes.Filed] = JobSpec(
    name="file",
    description="Filing issues",
    failure="Filing failed",
    work=_file,
    summary=outcomes.filed,
    needs_github=True,
)


def _plan_filing(context: JobContext, item_ids: ItemIds, _progress: Progress) -> DryRun[FilingPlan]:
    from followup.sync import filing

    client = context.client_or_none()
    plan = filing.plan_filing(
        context.engine, client, item_ids=item_ids, default_repo=context.settings.repo
    )
    return DryRun(plan, item_ids, client is not None)


def _propose_filing(dry_run: DryRun[FilingPlan]) -> Outcome:
    preview = previews.filing_confirmation(dry_run.plan, has_github=dry_run.has_github)
    return Outcome("", changed=False, proposal=Proposal(preview, FILE(dry_run.item_ids)))


PLAN_FILE: JobSpec[ItemIds, DryRun[FilingPlan]] = JobSpec(
    name="plan-file",
    description="Planning the filing",
    failure="Cannot plan the filing",
    work=_plan_filing,
    summary=_propose_filing,
)


# -- branch protection ----------------------------------------------------------------


def _protect(
    context: JobContext, plans: Sequence[ProtectionPlan], progress: Progress
) -> ProtectionReport:
    from followup.sync import protect

    return protect.apply_protection(
        context.engine,
        context.client(),
        plans,
        progress=progress,
        # These plans were confirmed in a dialog that named every check yet to report.
        allow_unseen_checks=True,
        lock_timeout=context.settings.lock_timeout,
    )


PROTECT: JobSpec[Sequence[Any], ProtectionReport] = JobSpec(
    name="protect",
    description="Applying protection",
    failure="Protection failed",
    work=_protect,
    summary=outcomes.protection,
    needs_github=True,
)


def _plan_protection(
    context: JobContext, item_ids: ItemIds, progress: Progress
) -> DryRun[list[ProtectionPlan]]:
    from followup.sync import protect

    plans = protect.plan_protection(
        context.engine,
        context.client(),
        item_ids=item_ids,
        method=context.settings.protection_method,
        progress=progress,
    )
    return DryRun(list(plans), item_ids, True)


def _propose_protection(dry_run: DryRun[list[ProtectionPlan]]) -> Outcome:
    preview = previews.protection_confirmation(dry_run.plan)
    return Outcome("", changed=False, proposal=Proposal(preview, PROTECT(dry_run.plan)))


PLAN_PROTECT: JobSpec[ItemIds, DryRun[list[ProtectionPlan]]] = JobSpec(
    name="plan-protect",
    description="Reading branch protection",
    failure="Cannot plan the protection",
    work=_plan_protection,
    summary=_propose_protection,
    needs_github=True,
    palette=Palette(
        "Protect all pending branches", "Preview the diff, then protect every pending branch", None
    ),
)


def _verify(context: JobContext, item_ids: ItemIds, progress: Progress) -> VerifyReport:
    from followup.sync import drift

    return drift.verify_protection(
        context.engine, context.client(), item_ids=item_ids, progress=progress
    )


VERIFY: JobSpec[ItemIds, VerifyReport] = JobSpec(
    name="verify",
    description="Verifying branch protection",
    failure="Verification failed",
    work=_verify,
    summary=outcomes.verified,
    needs_github=True,
    palette=Palette(
        "Verify branch protection",
        "Re-read every protected branch and flag any that regressed",
        None,
    ),
)


# -- import ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefusedFiles:
    """Files refused only for what forcing overrides: the user may import them anyway."""

    paths: tuple[Path, ...]
    refused: tuple[FileProblem, ...]


def _read_files(
    context: JobContext, paths: Sequence[Path], *, force: bool
) -> ImportReport | RefusedFiles:
    from followup.sync.importing import ImportFailed, import_files

    try:
        return import_files(
            context.engine,
            list(paths),
            default_repo=context.settings.repo,
            policy=context.settings.policy,
            force=force,
        )
    except ImportFailed as exc:
        if not force and exc.problems and all(p.refused for p in exc.problems):
            return RefusedFiles(tuple(paths), exc.problems)
        first = exc.problems[0].message if exc.problems else ""
        raise InputError(f"{exc}: {first}" if first else str(exc)) from None


def _import(
    context: JobContext, paths: Sequence[Path], _progress: Progress
) -> ImportReport | RefusedFiles:
    return _read_files(context, paths, force=False)


def _import_anyway(context: JobContext, paths: Sequence[Path], _progress: Progress) -> ImportReport:
    report = _read_files(context, paths, force=True)
    assert not isinstance(report, RefusedFiles)
    return report


IMPORT_ANYWAY: JobSpec[Sequence[Path], ImportReport] = JobSpec(
    name="import-anyway",
    description="Importing",
    failure="Import failed",
    work=_import_anyway,
    summary=outcomes.imported,
)


def _imported_or_offer(result: ImportReport | RefusedFiles) -> Outcome:
    if isinstance(result, RefusedFiles):
        preview = previews.import_anyway(result.refused)
        return Outcome("", changed=False, proposal=Proposal(preview, IMPORT_ANYWAY(result.paths)))
    return outcomes.imported(result)


IMPORT: JobSpec[Sequence[Path], ImportReport | RefusedFiles] = JobSpec(
    name="import",
    description="Importing",
    failure="Import failed",
    work=_import,
    summary=_imported_or_offer,
)


# -- forgetting a post-mortem ------------------------------------------------------------


def _plan_forget(context: JobContext, slug: str, _progress: Progress) -> Forgettable:
    from followup.sync.forget import plan_forget

    (plan,) = plan_forget(context.engine, [slug])
    return plan


def _forget(context: JobContext, slug: str, _progress: Progress) -> list[Forgettable]:
    from followup.sync.forget import forget

    return forget(context.engine, [slug])


FORGET: JobSpec[str, list[Forgettable]] = JobSpec(
    name="forget",
    description=lambda slug: f"Forgetting {slug}",
    failure="Cannot forget the post-mortem",
    work=_forget,
    summary=outcomes.forgot,
)

PLAN_FORGET: JobSpec[str, Forgettable] = JobSpec(
    name="plan-forget",
    description="Reading what forgetting removes",
    failure="Cannot forget the post-mortem",
    work=_plan_forget,
    summary=lambda plan: Outcome(
        "",
        changed=False,
        proposal=Proposal(previews.forget_confirmation(plan), FORGET(plan.slug)),
    ),
)


# -- edits ----------------------------------------------------------------------------

EDIT: JobSpec[edit_job.EditRequest, edit_job.EditsDone] = JobSpec(
    name="edit",
    description=edit_job.EditRequest.describe,
    failure="Change failed",
    work=edit_job.run,
    summary=edit_job.summarise,
    # Edits of different items may run side by side; a selection's change runs alone.
    exclusive_per=edit_job.EditRequest.key,
)


# -- the review report -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """A report to write or post: its period, its scope, and the file or issue it goes to."""

    days: int
    today: date
    postmortems: tuple[str, ...]
    owner: str | None
    where: str  # a file's path, or owner/name#N

    def make(self, context: JobContext) -> tuple[ReviewReport, ReportContext]:
        """Compute the report (in the worker thread)."""
        from followup.sync import review

        report = review.make_report(
            context.engine,
            since=review.parse_since(f"{self.days}d", self.today),
            today=self.today,
            postmortems=self.postmortems,
            owner=self.owner,
        )
        return report, review.context_for(report, context.settings.policy, f"{self.days}d")


def _write_report(context: JobContext, request: ReportRequest, _progress: Progress) -> str:
    from followup.sync import review

    report, words = request.make(context)
    path = Path(request.where).expanduser()
    review.write_report(path, review.render(report, review.format_for(path, None), words))
    return f"Report written to {path}"


WRITE_REPORT: JobSpec[ReportRequest, str] = JobSpec(
    name="write-report",
    description="Writing the report",
    failure="Cannot write the report",
    work=_write_report,
    summary=lambda said: Outcome(said, changed=False),
)


def _post_report(context: JobContext, request: ReportRequest, _progress: Progress) -> str:
    from followup.github.repos import parse_issue_ref
    from followup.sync.review.post import post_report

    repo, number = parse_issue_ref(request.where)
    report, words = request.make(context)
    client = context.client()
    try:
        posted = post_report(client, repo, number, report, words)
    finally:
        client.close()
    return posted.describe().capitalize()


POST_REPORT: JobSpec[ReportRequest, str] = JobSpec(
    name="post-report",
    description="Posting the report",
    failure="Cannot post the report",
    work=_post_report,
    summary=lambda said: Outcome(said, changed=False),
    needs_github=True,
)


JOBS: tuple[JobSpec[Any, Any], ...] = (
    SYNC,
    PLAN_FILE,
    FILE,
    PLAN_PROTECT,
    PROTECT,
    VERIFY,
    IMPORT,
    IMPORT_ANYWAY,
    PLAN_FORGET,
    FORGET,
    EDIT,
    WRITE_REPORT,
    POST_REPORT,
)
