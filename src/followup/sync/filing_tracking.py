"""File or update each post-mortem's tracking issue for a filing run.

`followup forget` waits for the repository's lock, as a second filing run would, so a
post-mortem is not forgotten while its tracking issue is being filed. One forgotten
before the run took the lock is skipped; one forgotten anyway between the create and
its record (a forget that did not wait) is reported with the issue just created, which
stays on GitHub, rather than end the run with a store conflict
(tests/sync/test_concurrency_forget.py).
"""

from __future__ import annotations

from contextlib import nullcontext

from followup.github.errors import GitHubError, Gone, NotFound, RateLimited, TransientError
from followup.github.issue_mapping import (
    FOLLOWUP_LABEL,
    NewIssue,
    RemoteIssue,
    build_tracking_body,
    parse_marker,
    postmortem_label,
    tracking_title,
)
from followup.github.issues import create_issue, get_issue, update_issue_body
from followup.store.failures import ConcurrentUpdate
from followup.store.locks import LockTimeout
from followup.store.models import IssueRow, PostMortemRow
from followup.sync.candidates import NO_REPO, document_path, explain, tracked_entries, tracking_repo
from followup.sync.filing_converge import ConvergingRun
from followup.sync.filing_report import TrackingOutcome
from followup.sync.links import issue_ref, set_tracking_issue, upsert_issue
from followup.sync.run_control import Stopped
from followup.sync.writeback import normalise

FORGOTTEN = "forgotten meanwhile (followup forget): not filed"


class TrackingRun(ConvergingRun):
    """A filing run's tracking issues: one per post-mortem, listing its items' issues."""

    def track(self, pms: list[PostMortemRow]) -> None:
        for pm in pms:
            if self.control.halted():
                return
            repo = tracking_repo(self.session, pm)
            try:
                # Another run on this store may be filing the same tracking issue: take
                # turns, and read what it stored, as creates() does for items.
                with self.control.locked(repo) if repo else nullcontext():
                    self.commit()
                    if self.pm_gone(pm.id):
                        self.tracking.append(TrackingOutcome(pm.slug, "skipped", reason=FORGOTTEN))
                        continue
                    self.tracking.append(self.track_one(pm, repo))
            except LockTimeout as exc:
                self.tracking.append(TrackingOutcome(pm.slug, "failed", reason=str(exc)))
            except RateLimited as exc:
                self.control.stops_run(exc)
                raise Stopped from None
            except GitHubError as exc:
                reason = explain(exc, repo or "?")
                self.progress.note("error", f"tracking issue of {pm.slug}: {reason}")
                self.tracking.append(TrackingOutcome(pm.slug, "failed", reason=reason))
                if self.control.stops_run(exc, reason):
                    raise Stopped from None

    def track_one(self, pm: PostMortemRow, repo: str | None) -> TrackingOutcome:
        entries = tracked_entries(self.session, pm)
        if not entries:
            return TrackingOutcome(pm.slug, "skipped", reason="no item of it has an issue yet")
        if repo is None:
            return TrackingOutcome(pm.slug, "failed", reason=NO_REPO)
        current = self.current_tracking(pm, repo)
        body = build_tracking_body(
            _marked_slug(current, pm.slug), pm.title, document_path(pm.path), entries
        )
        if current is not None:
            if normalise(current.body or "").strip() == body.strip():
                return TrackingOutcome(pm.slug, "unchanged", current.ref, current.url)
            updated = update_issue_body(self.client, current.repo, current.number, body)
            upsert_issue(self.session, updated)
            self.commit()
            return TrackingOutcome(pm.slug, "updated", updated.ref, updated.url)
        labels = (FOLLOWUP_LABEL, postmortem_label(pm.slug))
        self.ensure_labels(repo, [labels])
        new = NewIssue(tracking_title(pm.title), body, labels)
        try:
            created = create_issue(self.client, repo, new)
        except TransientError as exc:
            if not exc.maybe_applied:
                raise
            self.warn(f"tracking issue of {pm.slug}: {exc}; checking whether GitHub created it")
            found = self.reconcile(repo, again=True).tracking.get(pm.slug)
            created = found if found is not None else create_issue(self.client, repo, new)
        pm_id, slug = pm.id, pm.slug  # read before a rollback expires the row
        try:
            set_tracking_issue(pm, upsert_issue(self.session, created))
            self.commit()
        except ConcurrentUpdate:
            if not self.pm_gone(pm_id):
                raise
            reason = (
                f"{created.ref} was filed, but the post-mortem was forgotten meanwhile "
                "(followup forget); the issue stays on GitHub: close it there if unwanted"
            )
            self.warn(f"tracking issue of {slug}: {reason}")
            return TrackingOutcome(slug, "created", created.ref, created.url, reason=reason)
        return TrackingOutcome(pm.slug, "created", created.ref, created.url)

    def pm_gone(self, pm_id: int | None) -> bool:
        """Read the post-mortem afresh; tell whether it left the store (followup forget)."""
        self.session.rollback()
        return self.session.get(PostMortemRow, pm_id, populate_existing=True) is None

    def current_tracking(self, pm: PostMortemRow, repo: str) -> RemoteIssue | None:
        """Return the tracking issue as GitHub has it now, finding it if the store lost it."""
        stored = self.session.get(IssueRow, pm.tracking_issue_id) if pm.tracking_issue_id else None
        if stored is not None:
            try:
                return get_issue(self.client, stored.repo, stored.number)
            except (NotFound, Gone):
                self.warn(
                    f"the tracking issue {issue_ref(stored)} of {pm.slug} is gone; filing a new one"
                )
                pm.tracking_issue_id = None
                self.commit()
        found = self.reconcile(repo).tracking.get(pm.slug)
        if found is not None:
            set_tracking_issue(pm, upsert_issue(self.session, found))
            self.commit()
        return found


def _marked_slug(current: RemoteIssue | None, slug: str) -> str:
    """Return the post-mortem slug the tracking issue's marker should keep saying."""
    marker = parse_marker(current.body) if current is not None else None
    # Found under the post-mortem's earlier slug (its file was renamed, sync/moved_issues.py):
    # a kept store still knows it by that slug, a fresh one by the new. Keeping the marker
    # as filed lets both agree on the body instead of taking turns rewriting it.
    if marker is not None and marker.tracking and marker.postmortem:
        return marker.postmortem
    return slug
