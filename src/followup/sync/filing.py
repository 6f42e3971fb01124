"""File a GitHub issue for each action item, exactly once, whatever fails.

The CLI (`followup file`) and the TUI both call plan_filing (reads only: what would
happen) and file_items (does it). Exactly once rests on three habits:

- before creating anything in a repository, list its `followup`-labelled issues (all
  states) and link every item whose marker is there (sync/reconcile.py);
- commit an intent on the item before each POST, and the issue's number and URL right
  after it, so a crash between the two leaves a trace the next run resolves;
- never re-send a create GitHub may have carried out (a 502, a timeout, a dropped
  connection): look again first, and create only if the issue is not there.

Runs on other stores are seen only on GitHub: a run that paces its writes looks again
right before each create (sync/filing_look.py), and any duplicate left is converged.

Others write the items meanwhile (a person in a TUI, a CLI close). Right before each
create the run reads the item again and files it only if it still should be (not
closed, not linked, same repository); an edit that lands before the intent is committed
makes it decide again, and one that lands during the create does not keep the issue
from being linked (tests/sync/test_concurrency_writers.py); what it changed is queued for
the issue the item ends linked to (sync/filing_edits.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session

from followup.github.client import GitHub
from followup.github.errors import GitHubError, Gone, NotFound, RateLimited
from followup.github.issues import get_issue
from followup.store.locks import DEFAULT_TIMEOUT, LockTimeout, StoreLock
from followup.store.models import PostMortemRow
from followup.sync.candidates import (
    Action,
    Candidate,
    by_repo,
    candidates,
    document_path,
    explain,
    missing_reference,
    postmortems_of,
)
from followup.sync.filing_create import CreatingRun
from followup.sync.filing_report import FilingReport, ItemOutcome, TrackingOutcome
from followup.sync.filing_tracking import TrackingRun
from followup.sync.filing_writeback import write_back_all
from followup.sync.links import apply_issue, record_failure, remote_from_row
from followup.sync.planning import FilingPlan, PlannedItem, PlannedTracking, plan_filing
from followup.sync.progress import Progress
from followup.sync.renames import record_moves
from followup.sync.run_control import RunControl, Stopped


def file_items(
    engine: Engine,
    client: GitHub,
    *,
    item_ids: Sequence[str] | None = None,
    postmortems: Sequence[str] | None = None,
    include_drafts: bool = False,
    write_back: bool = False,
    tracking_issue: bool = False,
    default_repo: str | None = None,
    progress: Progress,
    control: RunControl | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
) -> FilingReport:
    """File issues for the chosen items (all items when none are chosen) and report each.

    Items that reference an issue are linked to it; items whose issue exists already
    (this store or another filed it) are linked, not filed again. A failure in one
    repository leaves the others to proceed; a refused token or an exhausted rate limit
    ends the run. Work stops between items once progress.cancelled() says so (or the
    control, when given, says to stop).

    Two runs on one store take turns per repository, for items and tracking issues
    alike (the store's lock, waited for at most lock_timeout seconds); runs on
    different stores converge after creating (sync/converge.py), so that each item
    ends with one open issue either way.
    """
    if control is None:
        lock = StoreLock(
            engine, timeout=lock_timeout, on_wait=lambda message: progress.note("info", message)
        )
        control = RunControl(progress, lock=lock)
    with Session(engine, expire_on_commit=False) as session:
        run = _Filing(session, client, control, default_repo)
        cands = candidates(session, item_ids, postmortems, include_drafts, default_repo)
        return run.run(cands, write_back=write_back, tracking_issue=tracking_issue)


class _Filing(CreatingRun, TrackingRun):
    """One filing run: the order it does things in (the steps are in filing_*.py)."""

    # -- the run

    def run(
        self, cands: list[Candidate], *, write_back: bool, tracking_issue: bool
    ) -> FilingReport:
        self.by_id = {c.item_id: c for c in cands}
        work = [c for c in cands if c.action in ("link", "create")]
        self.progress.start(len(work), "Filing issues")
        for c in cands:
            if c.action == "skip":
                remote = None
                if c.issue is not None:
                    remote = remote_from_row(c.issue)
                self.outcomes[c.item_id] = ItemOutcome(
                    c.item_id,
                    c.title,
                    c.slug,
                    c.item.repo,
                    "skipped",
                    remote.ref if remote else None,
                    remote.url if remote else None,
                    c.reason,
                )
            elif c.action == "fail":
                self.done(c, "failed", reason=c.reason)
        for c in work:
            if c.action == "create" and c.item.filing_intent_at is not None:
                self.progress.note(
                    "info",
                    f"{c.label}: another run was filing it, or stopped while filing it; "
                    "looking for its issue first",
                )
        try:
            for c in work:
                if c.action == "link" and not self.control.halted():
                    self.guarded(c.ref[0] if c.ref else "?", [c], partial(self.link, c))
            for repo, group in by_repo(c for c in work if c.action == "create"):
                if self.control.halted():
                    break
                self.guarded(repo, group, partial(self.creates, repo, group))
            for repo in self.unconverged(cands):
                if self.control.halted():
                    break
                self.guarded(repo, [], partial(self.converge, repo))
            if tracking_issue and not self.control.halted():
                self.track(postmortems_of(cands))
            if write_back and not self.control.halted():
                self.write_back(postmortems_of(cands))
            if not self.control.halted():
                self.commit()
                engine = self.session.get_bind()
                assert isinstance(engine, Engine)
                for note in record_moves(engine, [self.client]):
                    self.warn(note)
        except Stopped:
            pass
        why = (
            "cancelled before it was filed"
            if self.control.cancelled
            else f"not attempted: {self.control.reason}"
        )
        for c in work:
            if c.item_id not in self.outcomes:
                self.outcomes[c.item_id] = ItemOutcome(
                    c.item_id, c.title, c.slug, c.repo, "skipped", reason=why
                )
        self.commit()
        return FilingReport(
            items=tuple(self.outcomes[c.item_id] for c in cands),
            tracking=tuple(self.tracking),
            written_back=tuple(self.written),
            warnings=tuple(self.warnings),
            stopped=self.control.reason,
            cancelled=self.control.cancelled,
        )

    def guarded(self, repo: str, group: list[Candidate], work: Callable[[], None]) -> None:
        """Run work; a GitHub failure fails the group's unfinished items, or ends the run."""
        try:
            work()
        except RateLimited as exc:
            self.control.stops_run(exc)
            self.progress.note("error", str(exc))
            raise Stopped from None
        except GitHubError as exc:
            reason = explain(exc, repo)
            for c in group:
                if c.item_id not in self.outcomes:
                    self.done(c, "failed", reason=reason)
            if self.control.stops_run(exc, reason):
                raise Stopped from None
        except LockTimeout as exc:
            for c in group:
                if c.item_id not in self.outcomes:
                    self.done(c, "failed", reason=str(exc))

    # -- items that name their issue

    def link(self, c: Candidate) -> None:
        assert c.ref is not None
        repo, number = c.ref
        try:
            remote = get_issue(self.client, repo, number)
        except (NotFound, Gone) as exc:
            reason = missing_reference(f"{repo}#{number}", exc)
            self.afresh(lambda: record_failure(c.item, reason))
            self.warn(f"{c.label}: {reason}")
            self.done(c, "skipped", reason=reason)
            return
        self.afresh(
            lambda: apply_issue(self.session, c.item, remote, self.changes, how="referenced")
        )
        self.done(c, "linked", remote=remote, reason=f"refers to {remote.ref}")

    # -- write-back

    def write_back(self, pms: list[PostMortemRow]) -> None:
        self.written += write_back_all(
            self.session,
            pms,
            default_repo=self.default_repo,
            control=self.control,
            warn=self.warn,
            afresh=self.afresh,
        )


__all__ = [
    "Action",
    "FilingPlan",
    "FilingReport",
    "ItemOutcome",
    "PlannedItem",
    "PlannedTracking",
    "TrackingOutcome",
    "document_path",
    "explain",
    "file_items",
    "plan_filing",
]
