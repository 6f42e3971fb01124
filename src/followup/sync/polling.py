"""Sync with GitHub: poll every repository, check issues by id, verify protection, push edits.

What a sync costs, and why (GitHub's REST and GraphQL limits are separate budgets):

1. Labelled issues, one conditional request per repository (sync/repo_poll.py): the
   followup-labelled issues updated since the repository's window start, newest first,
   with the ETag of the last answer. Nothing changed: a 304, 0 points. Something
   changed: one request per page of the window, which is kept under a page by moving
   its start up once it fills one (one extra request per ~100 changed issues). Issues
   seen unchanged write nothing; a changed one writes its row and one event per field.
2. Issues by node id, GraphQL `nodes(ids:)` (github/graphql.py): 500 issues a query,
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
4. Edits waiting to be pushed (sync/edits.py).

Repositories are polled on `concurrency` threads, each with its own client (PyGithub
connections are not thread-safe). Only the calling thread writes to the store, one
short transaction per repository or query. A failing repository does not stop the
others; an exhausted rate limit stops the run cleanly, keeping what was stored.
Every run leaves a SyncRunRow, which the TUI's status bar reads. Failures are in the
SyncReport, not in progress notes, so that a caller shows each once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Engine, String, and_, cast, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from followup import clock
from followup.github.client import GitHub
from followup.github.errors import AuthError, GitHubError, Gone, NotFound, RateLimited
from followup.github.graphql import (
    MISSING_FORBIDDEN,
    FetchedNode,
    NodesAnswer,
    NodesQuery,
    parse_nodes_answer,
    plan_queries,
)
from followup.github.issue_mapping import FOLLOWUP_LABEL, RemoteIssue, remote_issue_from_rest
from followup.github.repos import normalise_repo, repo_path
from followup.store import retry, session_scope
from followup.store.history import Changes
from followup.store.models import (
    IssueRow,
    ItemRow,
    RepoSyncRow,
    Status,
    SyncRunRow,
)
from followup.sync.drift import VerifyReport, verify_protection
from followup.sync.edits import PendingOutcome, pending_issue_ids, push_pending
from followup.sync.issue_state import (
    CHUNK,
    FINAL_GONE,
    GONE_DELETED,
    GONE_INACCESSIBLE,
    GONE_TRANSFERRED,
    IssueUpdates,
    ItemChange,
    flush_changes,
    items_by_issue,
    rows_by_number,
)
from followup.sync.progress import Progress, SilentProgress
from followup.sync.protection_targets import protected_items
from followup.sync.reconcile import Reconciliation, reconcile_repo
from followup.sync.repo_poll import RepoPlan, RepoPoll, poll_repo

UNLABELLED_MAX_AGE = timedelta(minutes=30)
SWEEP_MAX_AGE = timedelta(hours=24)
SWEEP_LIMIT = 500
DEFAULT_CONCURRENCY = 4

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RepoOutcome:
    """How polling one repository went."""

    repo: str
    ok: bool
    reason: str | None = None  # one line when it failed
    not_modified: bool = False
    issues_read: int = 0
    issues_changed: int = 0
    requests: int = 0


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did: per repository, per item, and what it cost."""

    started_at: datetime
    finished_at: datetime
    repos: tuple[RepoOutcome, ...] = ()
    changes: tuple[ItemChange, ...] = ()
    edits: tuple[PendingOutcome, ...] = ()
    protection: VerifyReport | None = None
    checked_by_id: int = 0
    requests: int = 0
    points: int = 0
    not_modified: int = 0
    rate_limited_until: datetime | None = None
    cancelled: bool = False
    errors: tuple[str, ...] = ()  # failures outside a repository's poll
    warnings: tuple[str, ...] = ()
    rebuild: Reconciliation | None = None

    @property
    def failed_repos(self) -> tuple[RepoOutcome, ...]:
        """Return the repositories whose poll failed."""
        return tuple(r for r in self.repos if not r.ok)

    @property
    def dropped_edits(self) -> tuple[PendingOutcome, ...]:
        """Return the local edits that GitHub's own changes (or refusals) overruled."""
        return tuple(e for e in self.edits if e.outcome in ("dropped", "failed"))

    @property
    def ok(self) -> bool:
        """Tell whether everything was polled and nothing failed."""
        protection_ok = self.protection is None or (
            self.protection.error is None and not self.protection.count("error")
        )
        return (
            not self.failed_repos
            and not self.errors
            and self.rate_limited_until is None
            and not self.cancelled
            and protection_ok
        )

    def summary_error(self) -> str | None:
        """Return one line saying what failed, or None."""
        parts = [f"{r.repo}: {r.reason}" for r in self.failed_repos]
        parts.extend(self.errors)
        if self.protection is not None:
            if self.protection.error:
                parts.append(f"protection: {self.protection.error}")
            parts.extend(
                f"{r.target}: {r.message}" for r in self.protection.results if r.outcome == "error"
            )
        if self.cancelled:
            parts.append("cancelled")
        return "; ".join(parts) or None


# -- clients ------------------------------------------------------------------------------


class _Clients:
    """One client per thread, made on first use; their counts are summed at the end."""

    def __init__(self, factory: Callable[[], GitHub], main: GitHub) -> None:
        self._factory = factory
        self._local = threading.local()
        self._lock = threading.Lock()
        self.all: list[GitHub] = [main]
        self.graphql_requests = 0
        self.graphql_points = 0

    def here(self) -> GitHub:
        """Return this thread's client."""
        client: GitHub | None = getattr(self._local, "client", None)
        if client is None:
            client = self._factory()
            self._local.client = client
            with self._lock:
                self.all.append(client)
        return client

    def count_query(self, cost: int | None) -> None:
        """Count one GraphQL query and what it cost (at least 1 point, GitHub's minimum)."""
        with self._lock:
            self.graphql_requests += 1
            self.graphql_points += max(1, cost or 0)

    def totals(self) -> tuple[int, int, int]:
        """Return requests, rate-limit points and 304s over every client."""
        requests = sum(c.stats.requests for c in self.all)
        not_modified = sum(c.stats.not_modified for c in self.all)
        rest_points = requests - not_modified - self.graphql_requests
        return requests, rest_points + self.graphql_points, not_modified

    def close(self) -> None:
        """Close every connection."""
        for client in self.all:
            client.close()


# -- what to poll -------------------------------------------------------------------------


def _live(repos: Collection[str] | None = None) -> ColumnElement[bool]:
    """Return the condition on IssueRow for issues a sync follows.

    Linked to an item that still counts (not removed), not gone for good, and in one
    of repos when given.
    """
    linked = select(ItemRow.issue_id).where(
        col(ItemRow.issue_id).is_not(None), ItemRow.status != Status.REMOVED.value
    )
    condition = and_(
        col(IssueRow.id).in_(linked),
        or_(col(IssueRow.gone).is_(None), col(IssueRow.gone).not_in(FINAL_GONE)),
    )
    if repos is not None:
        condition = and_(condition, col(IssueRow.repo).in_(sorted(repos)))
    return condition


def _labelled() -> ColumnElement[bool]:
    """Return the condition on IssueRow for issues with the followup label.

    Matched on the JSON text, so that no row has to be loaded to tell: the store has
    tens of thousands of issues and a quiet sync must stay quick.
    """
    text = func.lower(cast(IssueRow.labels, String))
    return text.like(f'%"{FOLLOWUP_LABEL}"%')


def _linked_repos(session: Session, repos: Collection[str] | None) -> set[str]:
    query = select(IssueRow.repo).where(_live(repos)).distinct()
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


@dataclass(slots=True)
class _Run:
    """What the phases of one sync share."""

    engine: Engine
    clients: _Clients
    progress: Progress
    stop: threading.Event
    # One pool for the whole sync: its threads keep their clients (and connections).
    pool: ThreadPoolExecutor
    changes: list[ItemChange] = field(default_factory=list)
    outcomes: list[RepoOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    to_check: dict[int, str] = field(default_factory=dict)  # issue id -> why
    fresh: set[int] = field(default_factory=set)  # issues read in this sync
    rate_limited: RateLimited | None = None
    checked_by_id: int = 0

    def halted(self) -> bool:
        return self.stop.is_set() or self.progress.cancelled()

    def note_rate_limit(self, exc: RateLimited) -> None:
        if self.rate_limited is None:
            self.rate_limited = exc
        self.stop.set()


def _store_poll(run: _Run, poll: RepoPoll) -> RepoOutcome:
    """Write one repository's poll: changed issues, their items, and the repo's watermark."""

    # Run again from a fresh read if another writer changes one of the items meanwhile:
    # what reaches `run` must therefore be idempotent (sets) or returned.
    def work(session: Session) -> tuple[int, list[ItemChange]]:
        changed = 0
        found: list[ItemChange] = []
        if poll.issues:
            numbers = [i.number for i in poll.issues if i.repo == poll.repo]
            rows = rows_by_number(session, poll.repo, numbers)
            linked = items_by_issue(session, [r.id for r in rows.values() if r.id is not None])
            updates = IssueUpdates(session)
            for remote in poll.issues:
                row = rows.get(remote.number)
                if row is None or row.id is None or row.gone in FINAL_GONE:
                    continue  # not an issue of this store's items
                run.fresh.add(row.id)
                changed_now = updates.apply(row, linked.get(row.id, []), remote)
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


def _find_suspects(session: Session, run: _Run, poll: RepoPoll) -> None:
    """Queue the known labelled issues that the list should have shown and did not."""
    seen = {i.number for i in poll.issues if i.repo == poll.repo}
    query = select(IssueRow.id, IssueRow.number).where(_live({poll.repo}), _labelled())
    if poll.window is not None:
        query = query.where(col(IssueRow.updated_at) > poll.window)
    for issue_id, number in session.exec(query):
        if issue_id is not None and number not in seen:
            run.to_check.setdefault(issue_id, "left the list")


# -- issues by node id --------------------------------------------------------------------


def _ids_to_check(
    session: Session, run: _Run, repos: Collection[str] | None, full: bool, pending: set[int]
) -> None:
    """Queue the issues to read by node id in this sync (see the module doc)."""
    now = clock.now()
    live = _live(repos)

    def ids(query: SelectOfScalar[Any]) -> list[int]:
        return [i for i in session.exec(query) if i is not None]

    for issue_id in pending:
        run.to_check[issue_id] = "pending edit"
    if full:
        for issue_id in ids(select(IssueRow.id).where(live)):
            run.to_check.setdefault(issue_id, "full")
        return
    never = col(IssueRow.synced_at).is_(None)
    unlabelled = select(IssueRow.id).where(
        live, ~_labelled(), or_(never, col(IssueRow.synced_at) < now - UNLABELLED_MAX_AGE)
    )
    for issue_id in ids(unlabelled):
        run.to_check.setdefault(issue_id, "unlabelled")
    sweep = (
        select(IssueRow.id)
        .where(live, or_(never, col(IssueRow.synced_at) < now - SWEEP_MAX_AGE))
        .order_by(col(IssueRow.synced_at).asc().nulls_first())
        .limit(SWEEP_LIMIT)
    )
    for issue_id in ids(sweep):
        run.to_check.setdefault(issue_id, "sweep")


def _run_parallel(
    run: _Run, jobs: Sequence[Callable[[GitHub], T]]
) -> Iterable[tuple[int, T | BaseException]]:
    """Run jobs on the run's pool, each with its thread's client; yield (index, result)."""
    futures: dict[Future[T], int] = {
        run.pool.submit(_with_client, run, job): index for index, job in enumerate(jobs)
    }
    for future in as_completed(futures):
        try:
            yield futures[future], future.result()
        except BaseException as exc:  # reported to the caller, which decides
            yield futures[future], exc


def _answers(
    run: _Run,
    jobs: Sequence[Callable[[GitHub], T]],
    failed: Callable[[int, GitHubError], None],
) -> Iterator[tuple[int, T]]:
    """Yield the jobs' answers; skipped jobs are passed over, GitHub's refusals reported."""
    for index, outcome in _run_parallel(run, jobs):
        if isinstance(outcome, _Skipped):
            continue
        if isinstance(outcome, RateLimited):
            run.note_rate_limit(outcome)
            continue
        if isinstance(outcome, GitHubError):
            failed(index, outcome)
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        yield index, outcome


def _with_client(run: _Run, job: Callable[[GitHub], T]) -> T:
    return job(run.clients.here())


def _query_job(plan: NodesQuery, run: _Run) -> Callable[[GitHub], NodesAnswer]:
    def job(client: GitHub) -> NodesAnswer:
        if run.halted():
            raise _Skipped
        try:
            result = client.graphql(plan.query, plan.variables)
        except RateLimited:
            run.stop.set()
            raise
        answer = parse_nodes_answer(plan, result.data, result.errors)
        run.clients.count_query(answer.cost)
        return answer

    return job


class _Skipped(Exception):
    """A job not started because the run is stopping."""


def _check_by_id(run: _Run) -> None:
    """Read the queued issues by node id and store what changed."""
    wanted = sorted(run.to_check)
    issues: list[str] = []
    pulls: list[str] = []
    lookups: list[tuple[int | None, str, int]] = []
    with session_scope(run.engine) as session:
        for start in range(0, len(wanted), CHUNK):
            query = (
                select(IssueRow.id, IssueRow.node_id, IssueRow.url)
                .where(col(IssueRow.id).in_(wanted[start : start + CHUNK]))
                # In the store's order, so that the same sync always sends the same queries.
                .order_by(col(IssueRow.id))
            )
            for issue_id, node, url in session.exec(query):
                if not node:
                    # Known by number only: asked about over REST below.
                    row = session.get(IssueRow, issue_id)
                    assert row is not None
                    lookups.append((issue_id, row.repo, row.number))
                elif url and "/pull/" in url:
                    pulls.append(node)
                else:
                    issues.append(node)
    plans = plan_queries(issues) + plan_queries(pulls, pulls=True)
    if not plans and not lookups:
        return
    run.progress.start(len(plans), "Checking issues by id")
    missing: list[FetchedNode] = []
    jobs = [_query_job(plan, run) for plan in plans]

    def failed(index: int, error: GitHubError) -> None:
        run.errors.append(f"reading {len(plans[index].ids)} issues by id failed: {error}")

    for _, answer in _answers(run, jobs, failed):
        missing.extend(_store_nodes(run, answer))
        run.progress.advance()
    _look_up_missing(run, missing, lookups)


def _store_nodes(run: _Run, answer: NodesAnswer) -> list[FetchedNode]:
    """Store one query's answer; return the nodes GitHub could not resolve."""

    def work(session: Session) -> tuple[list[FetchedNode], list[ItemChange], int]:
        unresolved: list[FetchedNode] = []
        checked = 0
        ids = [n.node_id for n in answer.nodes]
        rows = {
            r.node_id: r
            for r in session.exec(select(IssueRow).where(col(IssueRow.node_id).in_(ids)))
        }
        linked = items_by_issue(session, [r.id for r in rows.values() if r.id is not None])
        updates = IssueUpdates(session)
        for node in answer.nodes:
            row = rows.get(node.node_id)
            if row is None or row.id is None:
                continue
            items = linked.get(row.id, [])
            checked += 1
            if node.issue is None:
                if node.missing == MISSING_FORBIDDEN:
                    updates.mark_gone(row, items, GONE_INACCESSIBLE)
                    run.fresh.add(row.id)
                else:
                    unresolved.append(node)
                continue
            run.fresh.add(row.id)
            if node.issue.repo != row.repo:
                updates.mark_gone(row, items, GONE_TRANSFERRED, moved_to=node.issue.ref)
                continue
            updates.apply(
                row,
                items,
                node.issue,
                closing_pr=node.closing_pr_state,
                closing_pr_known=True,
                touch=True,
            )
        return unresolved, updates.flush(), checked

    unresolved, found, checked = retry.write(run.engine, work)
    run.changes.extend(found)
    run.checked_by_id += checked
    return unresolved


def _lookup_job(repo: str, number: int, run: _Run) -> Callable[[GitHub], RemoteIssue | str]:
    def job(client: GitHub) -> RemoteIssue | str:
        if run.halted():
            raise _Skipped
        try:
            response = client.get(repo_path(repo, "issues", number))
        except RateLimited:
            run.stop.set()
            raise
        except Gone:
            return GONE_DELETED
        except NotFound:
            return GONE_INACCESSIBLE
        # GitHub redirects a transferred issue; its repository_url names the new place.
        return remote_issue_from_rest(response.data)

    return job


def _look_up_missing(
    run: _Run,
    missing: Sequence[FetchedNode],
    extra: Sequence[tuple[int | None, str, int]],
) -> None:
    """Ask REST about issues GraphQL could not resolve: deleted (410) or hidden (404)."""
    with session_scope(run.engine) as session:
        wanted: list[tuple[int, str, int]] = [
            (i, repo, number) for i, repo, number in extra if i is not None
        ]
        ids = [n.node_id for n in missing]
        for row in session.exec(select(IssueRow).where(col(IssueRow.node_id).in_(ids))):
            assert row.id is not None
            wanted.append((row.id, row.repo, row.number))
    if not wanted:
        return
    jobs = [_lookup_job(repo, number, run) for _, repo, number in wanted]

    def failed(index: int, error: GitHubError) -> None:
        run.warnings.append(f"{wanted[index][1]}#{wanted[index][2]}: {error}")

    def store(session: Session, issue_id: int, outcome: RemoteIssue | str) -> list[ItemChange]:
        row = session.get(IssueRow, issue_id)
        if row is None:
            return []
        items = items_by_issue(session, [issue_id]).get(issue_id, [])
        updates = IssueUpdates(session)
        if isinstance(outcome, str):
            updates.mark_gone(row, items, outcome)
        elif outcome.repo != row.repo:
            updates.mark_gone(row, items, GONE_TRANSFERRED, moved_to=outcome.ref)
        else:
            updates.apply(row, items, outcome, touch=True)
        run.fresh.add(issue_id)
        return updates.flush()

    for index, outcome in _answers(run, jobs, failed):
        issue_id = wanted[index][0]
        run.changes.extend(
            retry.write(run.engine, partial(store, issue_id=issue_id, outcome=outcome))
        )


# -- the run ------------------------------------------------------------------------------


def _start_run(engine: Engine, started: datetime) -> int:
    with session_scope(engine) as session:
        row = SyncRunRow(started_at=started)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _finish_run(engine: Engine, run_id: int, report: SyncReport) -> None:
    with session_scope(engine) as session:
        row = session.get(SyncRunRow, run_id)
        if row is None:
            return
        row.finished_at = report.finished_at
        row.changed = len(report.changes)
        row.requests = report.requests
        row.error = report.summary_error()


def _rebuild(run: _Run, client: GitHub, repo: str) -> Reconciliation | None:
    """Restore the links of one repository from its issues' markers, then poll it afresh."""
    changes = Changes(source="github", at=clock.now())
    try:
        with session_scope(run.engine) as session:
            rec = reconcile_repo(session, client, repo, changes=changes)
            run.changes.extend(flush_changes(session, changes))
            # The next poll must read every issue again: forget the watermark.
            state = session.get(RepoSyncRow, repo)
            if state is not None:
                session.delete(state)
    except RateLimited as exc:
        run.note_rate_limit(exc)
        run.outcomes.append(RepoOutcome(repo, False, str(exc)))
        return None
    except GitHubError as exc:
        run.outcomes.append(RepoOutcome(repo, False, f"rebuild failed: {exc}"))
        return None
    run.warnings.extend(rec.warnings)
    return rec


def _poll_job(plan: RepoPlan, run: _Run) -> Callable[[GitHub], RepoPoll]:
    def job(client: GitHub) -> RepoPoll:
        if run.halted():
            raise _Skipped
        result = poll_repo(client, plan, run.halted)
        if result.rate_limited is not None:
            # Set here, on the worker, so that its next job already sees it.
            run.stop.set()
        return result

    return job


def _poll_repos(run: _Run, plans: Sequence[RepoPlan]) -> None:
    run.progress.start(len(plans), "Polling repositories")
    jobs = [_poll_job(plan, run) for plan in plans]
    for index, outcome in _run_parallel(run, jobs):
        repo = plans[index].repo
        if isinstance(outcome, _Skipped):
            why = "not polled: the sync stopped"
            run.outcomes.append(RepoOutcome(repo, False, why))
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome.rate_limited is not None:
            run.note_rate_limit(outcome.rate_limited)
        result = _store_poll(run, outcome)
        run.outcomes.append(result)
        run.progress.advance(repo)


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


def _verify(run: _Run, client: GitHub, repos: Collection[str] | None) -> VerifyReport | None:
    ids = protected_items(run.engine)
    if repos is not None:
        with session_scope(run.engine) as session:
            ids = [
                i
                for i in ids
                if (item := session.get(ItemRow, i)) is not None
                and ((item.protection or {}).get("repo") or item.repo) in repos
            ]
    if not ids:
        return None
    return verify_protection(run.engine, client, item_ids=ids, progress=run.progress)


def sync_all(
    engine: Engine,
    client_factory: Callable[[], GitHub],
    *,
    repos: Sequence[str] | None = None,
    rebuild_repo: str | None = None,
    full: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
) -> SyncReport:
    """Bring the store up to date with GitHub and push local edits; see the module doc.

    repos limits the sync to those repositories; rebuild_repo first restores that
    repository's links from its issues' markers (an empty or damaged store). Fails
    only when no client can be made (no token); everything else is in the report.
    """
    progress = progress or SilentProgress()
    started = clock.now()
    run_id = _start_run(engine, started)
    wanted = {normalise_repo(r) for r in repos} if repos else None
    if rebuild_repo is not None:
        rebuild_repo = normalise_repo(rebuild_repo)
        wanted = (wanted or set()) | {rebuild_repo}
    try:
        main = client_factory()
    except AuthError as exc:
        now = clock.now()
        _finish_run(engine, run_id, SyncReport(started, now, errors=(str(exc),)))
        raise
    clients = _Clients(client_factory, main)
    run = _Run(
        engine=engine,
        clients=clients,
        progress=progress,
        stop=threading.Event(),
        pool=ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="sync"),
    )
    rebuilt: Reconciliation | None = None
    protection: VerifyReport | None = None
    edits: list[PendingOutcome] = []
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
        if not run.halted():
            pending = set(pending_issue_ids(engine))
            with session_scope(engine) as session:
                _ids_to_check(session, run, wanted, full, pending)
            _check_by_id(run)
        if not run.halted():
            protection = _verify(run, main, wanted)
            run.changes.extend(_drift_changes(protection))
        if not run.halted():
            edits = push_pending(engine, main, fresh=run.fresh, repos=wanted, progress=progress)
    except BaseException as exc:
        run.stop.set()
        detail = " ".join(str(exc).split()) or type(exc).__name__
        with suppress(Exception):  # the original failure is the one to report
            _finish_run(engine, run_id, SyncReport(started, clock.now(), errors=(detail,)))
        raise
    finally:
        run.pool.shutdown(wait=True, cancel_futures=True)
        requests, points, not_modified = clients.totals()
        clients.close()
    report = SyncReport(
        started_at=started,
        finished_at=clock.now(),
        repos=tuple(sorted(run.outcomes, key=lambda o: o.repo)),
        changes=tuple(run.changes),
        edits=tuple(edits),
        protection=protection,
        checked_by_id=run.checked_by_id,
        requests=requests,
        points=points,
        not_modified=not_modified,
        rate_limited_until=run.rate_limited.reset_at if run.rate_limited else None,
        cancelled=progress.cancelled() and run.rate_limited is None,
        errors=tuple(run.errors),
        warnings=tuple(run.warnings),
        rebuild=rebuilt,
    )
    _finish_run(engine, run_id, report)
    return report


@dataclass(frozen=True, slots=True)
class SyncRunView:
    """One sync as the store recorded it."""

    started_at: datetime
    finished_at: datetime | None
    changed: int
    requests: int
    error: str | None


def last_run(engine: Engine) -> SyncRunView | None:
    """Return the latest sync, for a status line."""
    with session_scope(engine) as session:
        row = session.exec(
            select(SyncRunRow).order_by(col(SyncRunRow.started_at).desc()).limit(1)
        ).first()
        if row is None:
            return None
        return SyncRunView(row.started_at, row.finished_at, row.changed, row.requests, row.error)
