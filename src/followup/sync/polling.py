"""Sync with GitHub: poll every repository, check issues by id, verify protection, push edits.

What a sync costs, and why (GitHub's REST and GraphQL limits are separate budgets):

1. Labelled issues, one conditional request per repository (sync/repo_poll.py): the
   followup-labelled issues updated since the repository's window start, newest first,
   with the ETag of the last answer. Nothing changed: a 304, 0 points. Something
   changed: one request per page of the window, which is kept under a page by moving
   its start up once it fills one (one extra request per ~100 changed issues). Issues
   seen unchanged write nothing; a changed one writes its row and one event per field.
2. Issues by node id, GraphQL `nodes(ids:)` (github/graphql.py, sync/by_id.py): 500 issues a query,
   3 points per 100 issues. Only these ids are asked for:
   - issues a local edit waits on (its base must be checked before the push);
   - issues the list said changed and that are open (or had a closing PR): the list
     does not tell whether a pull request closes them;
   - "suspects": known labelled issues a poll should have listed and did not (label
     removed, deleted, transferred, hidden);
   - linked issues without the followup label (existing issues the document named):
     no cheap list covers them, so they are re-read when older than
     UNLABELLED_MAX_AGE (30 minutes): ≤ 1 query per 500 of them per half hour;
   - the sweep: linked issues not read for SWEEP_MAX_AGE (a day), at most SWEEP_LIMIT
     (500, one query) per sync, oldest first. It finds deletions and transfers of
     issues nobody touches, which no list shows;
   - everything linked, with full=True (`followup sync --full`).
   An id GraphQL cannot resolve is asked once over REST: 410 means deleted, 404 that
   the token cannot see it (IssueRow.gone), and the item keeps its status with a
   reason. A node in another repository was transferred.
3. Protection drift (sync/drift.py): one conditional read per protected branch or
   ruleset; unchanged is a 304, 0 points, and writes nothing.
4. GitHub Projects (v2) followup put issues in (sync/project_poll.py): one GraphQL
   query per project and 100 of its items, about a point each; Priority and Due
   changed there come back to the items.
5. Edits waiting to be pushed (sync/pending.py): the state, assignees and priority
   label checked against what this sync read; a due date against the issue's body,
   read (one GET) right before it is written. Due dates the policy moved are queued
   first (sync/policy_mirror.py), so their issues' Due lines follow.

Repositories are polled on `concurrency` threads, each with its own client (PyGithub
connections are not thread-safe: sync/client_pool.py). Only the calling thread writes
to the store, one short transaction per repository or query. A failing repository does
not stop the others; a used-up rate limit, a refused token or the user's cancel stops
every phase the same way (sync/run_control.py), keeping what was stored.
Every run leaves a SyncRunRow, which the TUI's status bar reads. Failures are in the
SyncReport, not in progress notes, so that a caller shows each once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from datetime import datetime
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from followup import clock
from followup.github.client import GitHub
from followup.github.errors import AuthError, GitHubError
from followup.github.issue_mapping import RemoteIssue
from followup.github.repos import normalise_repo
from followup.store import retry, session_scope
from followup.store.history import Changes
from followup.store.locks import DEFAULT_TIMEOUT, StoreLock
from followup.store.models import IssueRow, ItemRow, RepoSyncRow, Status
from followup.sync.by_id import (
    SWEEP_LIMIT,
    SWEEP_MAX_AGE,
    UNLABELLED_MAX_AGE,
    check_by_id,
    queue_checks,
)
from followup.sync.client_pool import ClientPool, Job
from followup.sync.converge import DUPLICATE, Convergence, find_duplicates
from followup.sync.drift import VerifyReport, verify_protection
from followup.sync.issue_state import (
    FINAL_GONE,
    IssueUpdates,
    ItemChange,
    flush_changes,
    items_by_issue,
    rows_by_node,
    rows_by_number,
)
from followup.sync.pending import PendingOutcome, pending_issue_ids, push_pending
from followup.sync.policy_mirror import queue_policy_dates
from followup.sync.progress import Progress
from followup.sync.project_poll import poll_projects
from followup.sync.protection_targets import protected_items
from followup.sync.reconcile import (
    Reconciliation,
    apply_reconciliation,
    converge_on_github,
    fetch_followup_issues,
    match_issues,
    store_convergence,
)
from followup.sync.renames import record_moves
from followup.sync.repo_poll import RepoPlan, RepoPoll, poll_repo
from followup.sync.run_control import RunControl
from followup.sync.sync_report import (
    ProjectPoll,
    RepoOutcome,
    SyncReport,
    SyncRunView,
    finish_run,
    last_run,
    start_run,
)
from followup.sync.sync_run import SyncRun, labelled, live

DEFAULT_CONCURRENCY = 4


# -- what to poll -------------------------------------------------------------------------


def _linked_repos(session: Session, repos: Collection[str] | None) -> set[str]:
    query = select(IssueRow.repo).where(live(repos)).distinct()
    return set(session.exec(query))


def _plans(session: Session, repos: Collection[str] | None) -> list[RepoPlan]:
    """Return one plan per repository with a followed issue (of those asked for).

    Every such repository's labelled list is polled, even one whose issues all lack the
    label: it costs a 304 and shows when one of them gets the label.
    """
    plans = []
    for repo in sorted(_linked_repos(session, repos)):
        state = session.get(RepoSyncRow, repo)
        plans.append(RepoPlan(repo, state.etag if state else None, state.since if state else None))
    return plans


# -- applying a repository's poll ---------------------------------------------------------


def _store_poll(run: SyncRun, poll: RepoPoll) -> RepoOutcome:
    """Write one repository's poll: changed issues, their items, and the repo's watermark."""

    # Run again from a fresh read if another writer changes one of the items meanwhile:
    # what reaches `run` must therefore be idempotent (sets) or returned.
    def work(session: Session) -> tuple[int, list[ItemChange]]:
        changed = 0
        found: list[ItemChange] = []
        if poll.issues:
            numbers = [i.number for i in poll.issues if i.repo == poll.repo]
            rows = rows_by_number(session, poll.repo, numbers)
            # A renamed repository's list names the issues under the new name.
            elsewhere = rows_by_node(session, [i for i in poll.issues if i.repo != poll.repo])
            known = [*rows.values(), *elsewhere.values()]
            linked = items_by_issue(session, [r.id for r in known if r.id is not None])
            updates = IssueUpdates(session)
            for remote in poll.issues:
                if remote.repo == poll.repo:
                    row = rows.get(remote.number)
                else:
                    row = elsewhere.get(remote.node_id or "")
                known_items = linked.get(row.id, []) if row is not None and row.id else []
                raced = _filed_twice(session, remote, known_items)
                if raced:
                    run.converge.add(poll.repo)
                if row is None or row.id is None or row.gone in FINAL_GONE:
                    continue  # not an issue of this store's items
                run.fresh.add(row.id)
                # A duplicate's items move to the kept issue when converging; they do
                # not take its "closed as a duplicate" meanwhile.
                items = [] if raced else known_items
                if (row.repo, row.number) != (remote.repo, remote.number):
                    changed_now = updates.moved(row, items, remote)
                else:
                    changed_now = updates.apply(row, items, remote)
                # The list does not say whether a pull request closes an issue: ask.
                if changed_now and (remote.state == "open" or row.pull_request_state):
                    run.to_check.setdefault(row.id, "changed")
            changed = updates.issues_changed
            found = updates.flush()
            if poll.listed:
                _find_suspects(session, run, poll)
        state = session.get(RepoSyncRow, poll.repo) or RepoSyncRow(repo=poll.repo)
        state.polled_at = clock.now()
        if poll.complete:
            state.etag = poll.etag
            state.since = poll.since
            state.error = None
        else:
            state.error = poll.error
        session.add(state)
        return changed, found

    changed, found = retry.write(run.engine, work)
    run.changes.extend(found)
    return RepoOutcome(
        repo=poll.repo,
        ok=poll.ok,
        reason=poll.error,
        not_modified=poll.not_modified,
        issues_read=len(poll.issues),
        issues_changed=changed,
        requests=poll.requests,
    )


def _filed_twice(session: Session, remote: RemoteIssue, linked: Sequence[ItemRow]) -> bool:
    """Tell whether an issue shows that runs raced to file its item (sync/converge.py).

    It does when it carries the marker of an item of this store and either is an open
    issue the item is not linked to (the item follows another, or a run was killed
    between creating it and storing the link), or is the item's issue and was closed
    as a duplicate (another run kept another) or created by a run killed before it
    converged.
    """
    if remote.item_id is None or remote.tracking or remote.is_pull_request:
        return False
    mine = [item for item in linked if item.id == remote.item_id]
    if mine:
        # Closed as a duplicate by another run, or created by a run killed before
        # converging (its intent is still set).
        closed = remote.state == "closed" and remote.state_reason == DUPLICATE
        return closed or mine[0].filing_intent_at is not None
    item = session.get(ItemRow, remote.item_id)
    if item is None or item.kind != "issue" or remote.state != "open":
        return False
    return item.issue_id is not None or item.filing_intent_at is not None


def _converge(run: SyncRun, client: GitHub) -> None:
    """Converge the repositories whose poll showed an item filed twice."""
    for repo in sorted(run.converge):
        if run.halted():
            return
        try:
            with run.control.locked(repo):
                issues, converged = converge_on_github(client, run.control, repo)
                # Only the store half runs again if a person edits an item meanwhile.
                store = partial(_store_convergence, repo, issues, converged, clock.now())
                run.changes.extend(retry.write(run.engine, store))
        except GitHubError as exc:
            if not run.control.stops_run(exc):
                run.warnings.append(f"{repo}: could not converge issues filed twice: {exc}")
            continue
        run.warnings.extend(converged.notes)
        run.warnings.extend(f"{repo}: {closed.message}" for closed in converged.closed)


def _store_convergence(
    repo: str,
    issues: Sequence[RemoteIssue],
    converged: Convergence,
    at: datetime,
    session: Session,
) -> list[ItemChange]:
    changes = Changes(source="github", at=at)
    store_convergence(session, repo, issues, converged, changes)
    return flush_changes(session, changes)


def _find_suspects(session: Session, run: SyncRun, poll: RepoPoll) -> None:
    """Queue the known labelled issues that the list should have shown and did not."""
    seen = {i.number for i in poll.issues if i.repo == poll.repo}
    query = select(IssueRow.id, IssueRow.number).where(live({poll.repo}), labelled())
    if poll.window is not None:
        query = query.where(col(IssueRow.updated_at) > poll.window)
    for issue_id, number in session.exec(query):
        if issue_id is not None and number not in seen:
            run.to_check.setdefault(issue_id, "left the list")


def _rebuild(run: SyncRun, client: GitHub, repo: str) -> Reconciliation | None:
    """Restore the links of one repository from its issues' markers, then poll it afresh."""
    at = clock.now()
    try:
        issues = fetch_followup_issues(client, repo)
    except GitHubError as exc:
        why = str(exc) if run.control.stops_run(exc) else f"rebuild failed: {exc}"
        run.outcomes.append(RepoOutcome(repo, False, why))
        return None

    def store(session: Session) -> tuple[Reconciliation, list[ItemChange]]:
        changes = Changes(source="github", at=at)
        rec = match_issues(session, repo, issues)
        apply_reconciliation(session, rec, changes)
        # The next poll must read every issue again: forget the watermark.
        state = session.get(RepoSyncRow, repo)
        if state is not None:
            session.delete(state)
        return rec, flush_changes(session, changes)

    # Only the store half runs again if a person edits an item meanwhile.
    rec, changed = retry.write(run.engine, store)
    run.changes.extend(changed)
    run.warnings.extend(rec.warnings)
    return rec


class _Skipped(Exception):
    """A job not started because the run is stopping."""


def _poll_job(plan: RepoPlan, run: SyncRun) -> Job[RepoPoll]:
    def job(client: GitHub) -> RepoPoll:
        if run.halted():
            raise _Skipped
        result = poll_repo(client, plan, run.halted)
        if result.ends_run is not None:
            # Stopped here, on the worker, so that its next job already sees it.
            run.control.stops_run(result.ends_run)
        return result

    return job


def _poll_repos(run: SyncRun, plans: Sequence[RepoPlan]) -> None:
    run.progress.start(len(plans), "Polling repositories")
    jobs = [_poll_job(plan, run) for plan in plans]
    for index, outcome in run.pool.run(jobs):
        repo = plans[index].repo
        if isinstance(outcome, _Skipped):
            why = "not polled: the sync stopped"
            run.outcomes.append(RepoOutcome(repo, False, why))
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        result = _store_poll(run, outcome)
        run.outcomes.append(result)
        run.progress.advance(repo)


# -- protection and edits -----------------------------------------------------------------


def _drift_changes(report: VerifyReport | None) -> list[ItemChange]:
    """Return the status changes verify_protection recorded, as changes of this sync."""
    if report is None:
        return []
    now = clock.now()
    moves = {
        "regressed": (Status.DONE.value, Status.REGRESSED.value),
        "restored": (Status.REGRESSED.value, Status.DONE.value),
    }
    return [
        ItemChange(r.item_id, "status", *moves[r.outcome], at=now, issue=r.target)
        for r in report.results
        if r.outcome in moves
    ]


def _verify(run: SyncRun, repos: Collection[str] | None) -> VerifyReport | None:
    ids = protected_items(run.engine, repos)
    if not ids:
        return None
    return verify_protection(
        run.engine, run.pool.client, item_ids=ids, control=run.control, pool=run.pool
    )


# -- the run ------------------------------------------------------------------------------


def _waiting(progress: Progress | None) -> Callable[[str], None] | None:
    if progress is None:
        return None
    return lambda message: progress.note("info", message)


def _stop_reason(run: SyncRun) -> list[str]:
    """Return why the run stopped, unless a repository's failure already says it."""
    reason = run.control.reason
    if reason is None or run.control.rate_limited is not None:
        return []
    if any(o.reason == reason for o in run.outcomes) or reason in run.errors:
        return []
    return [reason]


def sync_all(
    engine: Engine,
    client_factory: Callable[[], GitHub],
    *,
    repos: Sequence[str] | None = None,
    rebuild_repo: str | None = None,
    full: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
) -> SyncReport:
    """Bring the store up to date with GitHub and push local edits; see the module doc.

    repos limits the sync to those repositories; rebuild_repo first restores that
    repository's links from its issues' markers (an empty or damaged store). Fails
    only when no client can be made (no token); everything else is in the report.
    """
    control = RunControl(
        progress, lock=StoreLock(engine, timeout=lock_timeout, on_wait=_waiting(progress))
    )
    started = clock.now()
    run_id = start_run(engine, started)
    wanted = {normalise_repo(r) for r in repos} if repos else None
    if rebuild_repo is not None:
        rebuild_repo = normalise_repo(rebuild_repo)
        wanted = (wanted or set()) | {rebuild_repo}
    try:
        main = client_factory()
    except AuthError as exc:
        now = clock.now()
        finish_run(engine, run_id, SyncReport(started, now, errors=(str(exc),)))
        raise
    run = SyncRun(engine=engine, pool=ClientPool(main, concurrency, name="sync"), control=control)
    rebuilt: Reconciliation | None = None
    protection: VerifyReport | None = None
    edits: list[PendingOutcome] = []
    projects: list[ProjectPoll] = []
    try:
        if rebuild_repo is not None:
            rebuilt = _rebuild(run, main, rebuild_repo)
        with session_scope(engine) as session:
            plans = _plans(session, wanted)
            failed = {o.repo for o in run.outcomes}
            plans = [p for p in plans if p.repo not in failed]
            if wanted is not None:
                linked = _linked_repos(session, None)
                for repo in sorted(wanted - linked - failed):
                    run.warnings.append(f"{repo}: no item is linked to an issue there")
        _poll_repos(run, plans)
        if rebuilt is not None and find_duplicates(rebuilt.issues)[0]:
            run.converge.add(rebuilt.repo)
        if run.converge and not run.halted():
            _converge(run, main)
        if not run.halted():
            pending = set(pending_issue_ids(engine))
            with session_scope(engine) as session:
                queue_checks(session, run, wanted, full, pending)
            check_by_id(run)
        if not run.halted() and wanted is None:
            projects, changes, warnings = poll_projects(engine, main, control)
            run.changes.extend(changes)
            run.warnings.extend(warnings)
            for poll in projects:
                run.count_query_points(poll.requests, poll.points)
        if not run.halted():
            protection = _verify(run, wanted)
            run.changes.extend(_drift_changes(protection))
        if not run.halted():
            queue_policy_dates(engine, repos=wanted)
            edits = push_pending(
                engine, main, fresh=run.fresh, repos=wanted, progress=control.progress
            )
        if not run.halted():
            run.warnings.extend(record_moves(engine, run.pool.clients))
    except BaseException as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        control.stop(detail)
        with suppress(Exception):  # the original failure is the one to report
            finish_run(engine, run_id, SyncReport(started, clock.now(), errors=(detail,)))
        raise
    finally:
        run.pool.close()
        main.close()
    requests = main.stats.requests
    not_modified = main.stats.not_modified
    rest_points = requests - not_modified - run.graphql_requests
    limited = control.rate_limited
    report = SyncReport(
        started_at=started,
        finished_at=clock.now(),
        repos=tuple(sorted(run.outcomes, key=lambda o: o.repo)),
        changes=tuple(run.changes),
        edits=tuple(edits),
        protection=protection,
        checked_by_id=run.checked_by_id,
        requests=requests,
        points=rest_points + run.graphql_points,
        not_modified=not_modified,
        rate_limited_until=limited.reset_at if limited else None,
        cancelled=control.halted() and control.cancelled,
        errors=(*run.errors, *_stop_reason(run)),
        warnings=tuple(run.warnings),
        rebuild=rebuilt,
        projects=tuple(projects),
    )
    finish_run(engine, run_id, report)
    return report


__all__ = [
    "DEFAULT_CONCURRENCY",
    "SWEEP_LIMIT",
    "SWEEP_MAX_AGE",
    "UNLABELLED_MAX_AGE",
    "RepoOutcome",
    "SyncReport",
    "SyncRunView",
    "last_run",
    "sync_all",
]
