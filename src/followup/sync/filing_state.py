"""Hold a filing run's caches and outcomes, and commit its writes despite others' edits."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from followup.github.client import GitHub
from followup.github.errors import Forbidden, Unprocessable
from followup.github.issue_mapping import RemoteIssue, label_spec, same_label
from followup.github.issues import create_label, list_label_names
from followup.store import retry
from followup.store.failures import LOST_RACE, ConcurrentUpdate
from followup.store.history import Changes
from followup.sync.candidates import Candidate, unique_labels
from followup.sync.filing_edits import Built
from followup.sync.filing_report import ItemOutcome, Outcome, TrackingOutcome
from followup.sync.links import record_failure
from followup.sync.reconcile import Reconciliation
from followup.sync.run_control import RunControl


class FilingState:
    """One filing run's state: its caches and outcomes, and commits that survive others' edits."""

    def __init__(
        self, session: Session, client: GitHub, control: RunControl, default_repo: str | None
    ) -> None:
        self.session = session
        self.client = client
        self.control = control
        self.progress = control.progress
        self.default_repo = default_repo
        self.changes = Changes(source="followup")
        self.outcomes: dict[str, ItemOutcome] = {}
        self.tracking: list[TrackingOutcome] = []
        self.written: list[tuple[str, int]] = []
        self.warnings: list[str] = []
        self.recs: dict[str, Reconciliation] = {}
        self.labels: dict[str, list[str]] = {}
        self.assignable: dict[tuple[str, str], bool] = {}
        self.by_id: dict[str, Candidate] = {}
        # What each item's issue was built from, once this run tried to create it.
        self.built: dict[str, Built] = {}
        # Per repository: the newest change GitHub showed this run (filing_look.py), and
        # whether the run files the rest of its items there in reverse order.
        self.seen: dict[str, datetime] = {}
        self.reversed: set[str] = set()

    # -- bookkeeping

    def commit(self) -> None:
        try:
            self.changes.flush(self.session)
            self.session.commit()
        except StaleDataError:
            # Another writer changed an item this run read: nothing of this commit is
            # kept; where the run can decide again it does (intend, keep), else it ends
            # with one line.
            self.session.rollback()
            self.changes.rows.clear()
            raise ConcurrentUpdate(LOST_RACE) from None

    def note_seen(self, repo: str, issues: Iterable[RemoteIssue]) -> None:
        """Remember the newest change GitHub showed in the repository (in GitHub's time)."""
        times = [i.updated_at for i in issues if i.updated_at is not None]
        if times:
            newest = max(times)
            before = self.seen.get(repo)
            self.seen[repo] = newest if before is None else max(before, newest)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.progress.note("warning", message)

    def done(
        self,
        c: Candidate,
        outcome: Outcome,
        *,
        remote: RemoteIssue | None = None,
        reason: str | None = None,
        warnings: Sequence[str] = (),
        raced: bool = False,
    ) -> None:
        if c.item_id in self.outcomes:
            return
        if outcome == "failed" and reason:
            self.afresh(lambda: record_failure(c.item, reason))
            self.progress.note("error", f"{c.label}: {reason}")
        self.outcomes[c.item_id] = ItemOutcome(
            item_id=c.item_id,
            title=c.title,
            postmortem=c.slug,
            repo=c.repo or c.item_repo,
            outcome=outcome,
            issue=remote.ref if remote else None,
            url=remote.url if remote else None,
            reason=reason,
            warnings=tuple(warnings),
            raced=raced,
        )
        if c.action in ("link", "create"):
            self.progress.advance(c.item_id)

    def afresh(self, work: Callable[[], object]) -> None:
        """Run work on the items as the store has them now and commit; again if one changes.

        A person may edit an item between this run's reads of it (in a TUI, from the CLI):
        work that writes items already read reads them again first, as store/retry does.
        """
        self.commit()
        for attempt in range(1, retry.ATTEMPTS + 1):
            self.session.expire_all()
            try:
                work()
                self.commit()
                return
            except StaleDataError:  # from an autoflush, before commit() could say it
                self.session.rollback()
                self.changes.rows.clear()
                if attempt == retry.ATTEMPTS:
                    raise ConcurrentUpdate(LOST_RACE) from None
            except ConcurrentUpdate:
                if attempt == retry.ATTEMPTS:
                    raise

    def ensure_labels(self, repo: str, wanted: Iterable[tuple[str, ...]]) -> None:
        """Create the labels the repository lacks: one GET, then a POST per missing label."""
        if repo not in self.labels:
            self.labels[repo] = list_label_names(self.client, repo)
        have = self.labels[repo]
        for name in unique_labels(n for labels in wanted for n in labels):
            if any(same_label(name, h) for h in have):
                continue
            try:
                create_label(self.client, repo, label_spec(name))
            except (Unprocessable, Forbidden) as exc:
                self.warn(
                    f"{repo}: could not create the label {name!r} ({exc.github_message or exc}); "
                    "GitHub adds it without a colour when the issue is filed"
                )
            have.append(name)
