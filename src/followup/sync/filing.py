"""File a GitHub issue for each action item, exactly once, whatever fails.

The CLI (`followup file`) and the TUI both call plan_filing (reads only: what would
happen) and file_items (does it). Exactly once rests on three habits:

- before creating anything in a repository, list its `followup`-labelled issues (all
  states) and link every item whose marker is there (sync/reconcile.py);
- commit an intent on the item before each POST, and the issue's number and URL right
  after it, so a crash between the two leaves a trace the next run resolves;
- never re-send a create GitHub may have carried out (a 502, a timeout, a dropped
  connection): look again first, and create only if the issue is not there.

Others write the items meanwhile (a person in a TUI, a CLI close). Right before each
create the run reads the item again and files it only if it still should be (not
closed, not linked, same repository); an edit that lands before the intent is committed
makes it decide again, and one that lands during the create does not keep the issue
from being linked (tests/sync/test_concurrency_writers.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from followup.github.client import GitHub
from followup.github.errors import (
    AuthError,
    Forbidden,
    GitHubError,
    Gone,
    NotFound,
    RateLimited,
    TransientError,
    Unprocessable,
)
from followup.github.issue_mapping import (
    FOLLOWUP_LABEL,
    NewIssue,
    RemoteIssue,
    build_tracking_body,
    is_login,
    label_spec,
    postmortem_label,
    same_label,
    tracking_title,
)
from followup.github.issues import (
    can_be_assigned,
    create_issue,
    create_label,
    get_issue,
    list_label_names,
    update_issue_body,
)
from followup.github.repos import normalise_repo
from followup.store import retry
from followup.store.failures import LOST_RACE, ConcurrentUpdate
from followup.store.history import Changes
from followup.store.locks import DEFAULT_TIMEOUT, LockTimeout, StoreLock
from followup.store.models import IssueRow, ItemRow, PostMortemRow
from followup.sync.candidates import (
    NO_REPO,
    Action,
    Candidate,
    about_assignees,
    by_repo,
    candidates,
    classify,
    document_path,
    explain,
    labels_for,
    missing_reference,
    new_issue,
    postmortems_of,
    tracked_entries,
    tracking_repo,
    unique_labels,
)
from followup.sync.filing_writeback import write_back_all
from followup.sync.links import (
    apply_issue,
    clear_intent,
    issue_ref,
    record_failure,
    record_intent,
    remote_from_row,
    set_tracking_issue,
    upsert_issue,
)
from followup.sync.planning import FilingPlan, PlannedItem, PlannedTracking, plan_filing
from followup.sync.progress import Progress
from followup.sync.reconcile import Reconciliation, converge_on_github, store_convergence
from followup.sync.renames import record_moves
from followup.sync.run_control import RunControl, Stopped
from followup.sync.writeback import normalise

Outcome = Literal["created", "linked", "skipped", "failed"]
TrackingResult = Literal["created", "updated", "unchanged", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What filing did with one item: the issue's URL, or a one-line reason."""

    item_id: str
    title: str
    postmortem: str
    repo: str | None
    outcome: Outcome
    issue: str | None = None  # owner/name#12
    url: str | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    raced: bool = False  # runs at once filed it twice; the duplicates were closed


@dataclass(frozen=True, slots=True)
class TrackingOutcome:
    """What filing did with a post-mortem's tracking issue."""

    postmortem: str
    outcome: TrackingResult
    issue: str | None = None
    url: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FilingReport:
    """Everything a filing run did, item by item."""

    items: tuple[ItemOutcome, ...]
    tracking: tuple[TrackingOutcome, ...] = ()
    written_back: tuple[tuple[str, int], ...] = ()  # (path, references added)
    warnings: tuple[str, ...] = ()
    stopped: str | None = None  # why the run ended early (rate limit, bad token)
    cancelled: bool = False

    def count(self, outcome: Outcome) -> int:
        """Return how many items had an outcome."""
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def failed(self) -> bool:
        """Tell whether something failed, so the exit code must say so."""
        return (
            self.stopped is not None
            or any(item.outcome == "failed" for item in self.items)
            or any(t.outcome == "failed" for t in self.tracking)
        )


# -- filing ---------------------------------------------------------------------------


class _Changed(Exception):
    """Another writer changed the item between the run's read of it and its intent."""


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


class _Filing:
    """One filing run: its caches, its outcomes, and the order it does things in."""

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
        if c.item.id in self.outcomes:
            return
        if outcome == "failed" and reason:
            self.afresh(lambda: record_failure(c.item, reason))
            self.progress.note("error", f"{c.label}: {reason}")
        self.outcomes[c.item.id] = ItemOutcome(
            item_id=c.item.id,
            title=c.item.title,
            postmortem=c.pm.slug,
            repo=c.repo or c.item.repo,
            outcome=outcome,
            issue=remote.ref if remote else None,
            url=remote.url if remote else None,
            reason=reason,
            warnings=tuple(warnings),
            raced=raced,
        )
        if c.action in ("link", "create"):
            self.progress.advance(c.item.id)

    # -- the run

    def run(
        self, cands: list[Candidate], *, write_back: bool, tracking_issue: bool
    ) -> FilingReport:
        self.by_id = {c.item.id: c for c in cands}
        work = [c for c in cands if c.action in ("link", "create")]
        self.progress.start(len(work), "Filing issues")
        for c in cands:
            if c.action == "skip":
                remote = None
                if c.issue is not None:
                    remote = remote_from_row(c.issue)
                self.outcomes[c.item.id] = ItemOutcome(
                    c.item.id,
                    c.item.title,
                    c.pm.slug,
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
                for note in record_moves(self.session, [self.client]):
                    self.warn(note)
        except Stopped:
            pass
        why = (
            "cancelled before it was filed"
            if self.control.cancelled
            else f"not attempted: {self.control.reason}"
        )
        for c in work:
            if c.item.id not in self.outcomes:
                self.outcomes[c.item.id] = ItemOutcome(
                    c.item.id, c.item.title, c.pm.slug, c.repo, "skipped", reason=why
                )
        self.commit()
        return FilingReport(
            items=tuple(self.outcomes[c.item.id] for c in cands),
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
                if c.item.id not in self.outcomes:
                    self.done(c, "failed", reason=reason)
            if self.control.stops_run(exc, reason):
                raise Stopped from None
        except LockTimeout as exc:
            for c in group:
                if c.item.id not in self.outcomes:
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

    # -- items to create

    def creates(self, repo: str, group: list[Candidate]) -> None:
        # Another run on this store may be filing into repo: wait for it, then read
        # again what it stored and what GitHub has, before creating anything.
        with self.control.locked(repo):

            def keep_repo() -> None:
                for c in group:
                    if c.item.repo is None:
                        # Filed with --repo: keep the repository when the document is
                        # re-imported.
                        c.item.repo = repo
                        c.item.overrides = {**(c.item.overrides or {}), "repo": repo}

            self.afresh(keep_repo)
            self.reconcile(repo)
            remaining = [c for c in group if c.item.id not in self.outcomes]
            if not remaining:
                return
            self.ensure_labels(repo, [labels_for(c) for c in remaining])
            created = 0
            for c in remaining:
                if self.control.halted():
                    break
                created += self.create(repo, c)
            if created and not self.control.halted():
                # Runs on other stores may have filed the same items meanwhile: list
                # again, fresh, and keep the lowest-numbered issue of each.
                self.reconcile(repo, again=True)
                self.settle(repo)

    def unconverged(self, cands: list[Candidate]) -> list[str]:
        """Return the repositories where a run created issues and stopped before converging."""
        repos = {
            c.issue.repo
            for c in cands
            if c.issue is not None and c.item.filing_intent_at is not None
        }
        return sorted(repos - set(self.recs))

    def converge(self, repo: str) -> None:
        """Converge what a killed run created in repo (it left its items' intents set)."""
        with self.control.locked(repo):
            self.commit()
            self.session.expire_all()
            self.reconcile(repo, again=True)
            self.settle(repo)

    def settle(self, repo: str) -> None:
        """Clear the intents of the items linked in repo: their issues are converged."""

        def clear() -> None:
            for c in self.by_id.values():
                issue = self.session.get(IssueRow, c.item.issue_id) if c.item.issue_id else None
                if issue is not None and issue.repo == repo and c.item.filing_intent_at is not None:
                    clear_intent(c.item)

        self.afresh(clear)

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

    def reconcile(self, repo: str, *, again: bool = False) -> Reconciliation:
        """List repo's followup issues afresh, close duplicates, link items to the kept ones."""
        if repo in self.recs and not again:
            return self.recs[repo]
        found: list[Reconciliation] = []
        name = normalise_repo(repo)
        with self.control.locked(name):
            issues, converged = converge_on_github(self.client, self.control, name)

            def store() -> None:
                found[:] = [
                    store_convergence(self.session, name, issues, converged, self.changes)[0]
                ]

            self.afresh(store)
        rec = found[0]
        self.recs[repo] = rec
        for message in (*rec.warnings, *converged.notes):
            self.warn(message)
        for match in rec.matches:
            c = self.by_id.get(match.item_id)
            if c is None:
                continue
            raced = [closed.message for closed in converged.closed_for(match.item_id)]
            for message in raced:
                self.warn(f"{c.label}: {message}")
            if c.action == "create" and not again:
                how = "by title" if match.how == "title" else "by its marker"
                reason = f"already on GitHub (found {how})"
                self.done(
                    c,
                    "linked",
                    remote=match.issue,
                    reason=reason,
                    warnings=raced,
                    raced=bool(raced),
                )
            else:
                self.raced(c, match.issue, raced)
        return rec

    def raced(self, c: Candidate, kept: RemoteIssue, warnings: list[str]) -> None:
        """Correct an item's outcome after converging: linked, if another run's issue is kept."""
        before = self.outcomes.get(c.item.id)
        if before is None or before.outcome == "failed":
            return
        raced = before.raced or bool(warnings)
        if before.issue == kept.ref:
            if warnings:
                self.outcomes[c.item.id] = replace(
                    before, warnings=(*before.warnings, *warnings), raced=raced
                )
            return
        self.outcomes[c.item.id] = replace(
            before,
            outcome="linked",
            issue=kept.ref,
            url=kept.url,
            reason=f"another run filed it first, as {kept.ref}",
            warnings=(*before.warnings, *warnings),
            raced=raced,
        )

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

    def can_assign(self, repo: str, owner: str | None) -> bool:
        if not owner or not is_login(owner):
            return False
        key = (repo, owner.lower())
        if key not in self.assignable:
            self.assignable[key] = can_be_assigned(self.client, repo, owner)
        return self.assignable[key]

    def forgotten(self, c: Candidate) -> bool:
        """Tell whether the item left the store (followup forget) since this run read it.

        Reads the item afresh either way: what the run decides next goes by it.
        """
        if self.session.get(ItemRow, c.item.id, populate_existing=True) is not None:
            return False
        self.done(c, "skipped", reason="forgotten meanwhile (followup forget): not filed")
        return True

    def still_to_create(self, repo: str, c: Candidate) -> bool:
        """Read the item afresh and tell whether it is still to be created in repo.

        A person may have closed or edited it since the run chose it (in a TUI, from the
        CLI), or another run linked it: the run files what the store says now.
        """
        if self.forgotten(c):
            return False
        if c.item.issue_id is not None:
            issue = self.session.get(IssueRow, c.item.issue_id)
            remote = remote_from_row(issue) if issue else None
            self.done(c, "linked", remote=remote, reason="linked meanwhile by another followup")
            return False
        now = classify(c.item, c.pm, None, include_drafts=True, default_repo=self.default_repo)
        if now.action == "create" and now.repo == repo:
            return True
        why = f"its repository is now {now.repo}" if now.action == "create" else now.reason
        self.done(c, "skipped", reason=f"changed meanwhile ({why}): not filed")
        return False

    def intend(self, c: Candidate) -> bool:
        """Commit the intent to create the item's issue; False when the item was forgotten.

        Raises _Changed when another writer changed the item since it was read.
        """
        record_intent(c.item)
        try:
            self.commit()
        except ConcurrentUpdate:
            if self.forgotten(c):
                return False
            raise _Changed from None
        return True

    def create(self, repo: str, c: Candidate) -> bool:
        """Create the item's issue; tell whether this run created one."""
        for _ in range(retry.ATTEMPTS):
            if not self.still_to_create(repo, c):
                return False
            assign = self.can_assign(repo, c.item.owner)
            if c.item.owner and is_login(c.item.owner) and not assign:
                self.warn(
                    f"{c.label}: @{c.item.owner} cannot be assigned in {repo}; "
                    "the issue mentions them instead"
                )
            new = new_issue(c, assign=assign)
            try:
                remote = self.post(repo, c, new)
            except _Changed:
                continue  # decide again, on the item as the other writer left it
            break
        else:
            self.done(c, "failed", reason=LOST_RACE)
            return False
        if remote is None:
            return c.item.id in self.outcomes and self.outcomes[c.item.id].outcome == "created"
        self.keep(c, remote)
        if not any(same_label(label, FOLLOWUP_LABEL) for label in remote.labels):
            self.warn(
                f"{c.label}: {remote.ref} was filed without its labels (the token may not set "
                f"labels in {repo}); a fresh store cannot find it again"
            )
        self.done(c, "created", remote=remote)
        return True

    def keep(self, c: Candidate, remote: RemoteIssue) -> None:
        """Store the issue just created and link the item to it, whoever edits the item meanwhile.

        The create is done: a conflict with another writer (a person's edit of the item
        during the POST) stores the link again on the item as it is now.
        """
        for attempt in range(1, retry.ATTEMPTS + 1):
            apply_issue(
                self.session, c.item, remote, self.changes, how="created", at=remote.created_at
            )
            # Created, not yet converged: a run killed before converging leaves this for the
            # next one to find (see unconverged); converging clears it.
            record_intent(c.item)
            try:
                self.commit()
                return
            except ConcurrentUpdate:
                if self.forgotten(c):
                    return
                if attempt == retry.ATTEMPTS:
                    raise

    def post(self, repo: str, c: Candidate, new: NewIssue) -> RemoteIssue | None:
        """Create the issue once; after an unconfirmed create, look before trying again."""
        attempts = 0
        while True:
            attempts += 1
            if not self.intend(c):
                return None
            try:
                return create_issue(self.client, repo, new)
            except TransientError as exc:
                if not exc.maybe_applied:
                    raise
                self.warn(f"{c.label}: {exc}; checking whether GitHub created the issue")
                rec = self.reconcile(repo, again=True)
                found = rec.issue_for(c.item.id)
                if found is not None:
                    self.done(
                        c,
                        "created",
                        remote=found,
                        reason="GitHub created it; found on a second look",
                    )
                    return None
                if attempts >= 2:
                    self.done(
                        c,
                        "failed",
                        reason=f"GitHub did not confirm the issue twice ({exc}); run again: "
                        "followup finds the issue if it was created",
                    )
                    return None
            except Unprocessable as exc:
                clear_intent(c.item)
                self.commit()
                if new.assignees and about_assignees(exc):
                    self.assignable[(repo, (c.item.owner or "").lower())] = False
                    self.warn(
                        f"{c.label}: GitHub refused to assign @{c.item.owner}; "
                        "filing it with a mention instead"
                    )
                    new = new_issue(c, assign=False)
                    continue
                self.done(c, "failed", reason=explain(exc, repo))
                return None
            except (NotFound, Gone, Forbidden, AuthError, RateLimited):
                # Refused: nothing was created, so no intent is left for the next run to chase.
                clear_intent(c.item)
                self.commit()
                raise

    # -- tracking issues

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
                    self.session.refresh(pm)
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
        body = build_tracking_body(pm.slug, pm.title, document_path(pm.path), entries)
        current = self.current_tracking(pm, repo)
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
        set_tracking_issue(pm, upsert_issue(self.session, created))
        self.commit()
        return TrackingOutcome(pm.slug, "created", created.ref, created.url)

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

    # -- write-back

    def write_back(self, pms: list[PostMortemRow]) -> None:
        self.written += write_back_all(
            self.session,
            pms,
            default_repo=self.default_repo,
            control=self.control,
            warn=self.warn,
            commit=self.commit,
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
