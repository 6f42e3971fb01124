"""Read issues by node id (GraphQL), and over REST the ones GraphQL cannot resolve.

Which issues are read, and why, is in polling's module doc. Queries run on the sync's
client pool; only the calling thread writes to the store, one transaction per answer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from followup import clock
from followup.github.client import GitHub
from followup.github.errors import GitHubError, Gone, NotFound
from followup.github.graphql import (
    MISSING_FORBIDDEN,
    FetchedNode,
    NodesAnswer,
    NodesQuery,
    parse_nodes_answer,
    plan_queries,
)
from followup.github.issue_mapping import RemoteIssue
from followup.github.issues import issue_from
from followup.github.repos import repo_path
from followup.store import session_scope
from followup.store.models import IssueRow
from followup.sync.client_pool import Job
from followup.sync.issue_state import (
    CHUNK,
    GONE_DELETED,
    GONE_INACCESSIBLE,
    IssueUpdates,
    items_by_issue,
)
from followup.sync.sync_run import SyncRun, labelled, live

UNLABELLED_MAX_AGE = timedelta(minutes=30)
SWEEP_MAX_AGE = timedelta(hours=24)
SWEEP_LIMIT = 500

T = TypeVar("T")


def queue_checks(
    session: Session, run: SyncRun, repos: Collection[str] | None, full: bool, pending: set[int]
) -> None:
    """Queue the issues to read by node id in this sync (see the module doc)."""
    now = clock.now()
    following = live(repos)

    def ids(query: SelectOfScalar[Any]) -> list[int]:
        return [i for i in session.exec(query) if i is not None]

    for issue_id in pending:
        run.to_check[issue_id] = "pending edit"
    if full:
        for issue_id in ids(select(IssueRow.id).where(following)):
            run.to_check.setdefault(issue_id, "full")
        return
    never = col(IssueRow.synced_at).is_(None)
    unlabelled = select(IssueRow.id).where(
        following, ~labelled(), or_(never, col(IssueRow.synced_at) < now - UNLABELLED_MAX_AGE)
    )
    for issue_id in ids(unlabelled):
        run.to_check.setdefault(issue_id, "unlabelled")
    sweep = (
        select(IssueRow.id)
        .where(following, or_(never, col(IssueRow.synced_at) < now - SWEEP_MAX_AGE))
        .order_by(col(IssueRow.synced_at).asc().nulls_first())
        .limit(SWEEP_LIMIT)
    )
    for issue_id in ids(sweep):
        run.to_check.setdefault(issue_id, "sweep")


def _answers(
    run: SyncRun,
    jobs: Sequence[Job[T]],
    failed: Callable[[int, GitHubError], None],
) -> Iterator[tuple[int, T]]:
    """Yield the jobs' answers; skipped jobs are passed over, GitHub's refusals reported."""
    for index, outcome in run.pool.run(jobs):
        if isinstance(outcome, _Skipped):
            continue
        if isinstance(outcome, GitHubError):
            if not run.control.stops_run(outcome):
                failed(index, outcome)
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        yield index, outcome


def _query_job(plan: NodesQuery, run: SyncRun) -> Job[NodesAnswer]:
    def job(client: GitHub) -> NodesAnswer:
        if run.halted():
            raise _Skipped
        try:
            result = client.graphql(plan.query, plan.variables)
        except GitHubError as exc:
            # Stopped here, on the worker, so that its next job already sees it.
            run.control.stops_run(exc)
            raise
        return parse_nodes_answer(plan, result.data, result.errors)

    return job


class _Skipped(Exception):
    """A job not started because the run is stopping."""


def check_by_id(run: SyncRun) -> None:
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
        run.count_query(answer.cost)
        missing.extend(_store_nodes(run, answer))
        run.progress.advance()
    _look_up_missing(run, missing, lookups)


def _store_nodes(run: SyncRun, answer: NodesAnswer) -> list[FetchedNode]:
    """Store one query's answer; return the nodes GitHub could not resolve."""
    unresolved: list[FetchedNode] = []
    with session_scope(run.engine) as session:
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
            run.checked_by_id += 1
            if node.issue is None:
                if node.missing == MISSING_FORBIDDEN:
                    updates.mark_gone(row, items, GONE_INACCESSIBLE)
                    run.fresh.add(row.id)
                else:
                    unresolved.append(node)
                continue
            run.fresh.add(row.id)
            if (node.issue.repo, node.issue.number) != (row.repo, row.number):
                updates.moved(
                    row,
                    items,
                    node.issue,
                    closing_pr=node.closing_pr_state,
                    closing_pr_known=True,
                )
                continue
            updates.apply(
                row,
                items,
                node.issue,
                closing_pr=node.closing_pr_state,
                closing_pr_known=True,
                touch=True,
            )
        run.changes.extend(updates.flush())
    return unresolved


def _lookup_job(repo: str, number: int, run: SyncRun) -> Job[RemoteIssue | str]:
    def job(client: GitHub) -> RemoteIssue | str:
        if run.halted():
            raise _Skipped
        try:
            response = client.get(repo_path(repo, "issues", number))
        except Gone:
            return GONE_DELETED
        except NotFound:
            return GONE_INACCESSIBLE
        except GitHubError as exc:
            run.control.stops_run(exc)
            raise
        # GitHub redirects a transferred issue; its repository_url names the new place.
        return issue_from(response)

    return job


def _look_up_missing(
    run: SyncRun,
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

    for index, outcome in _answers(run, jobs, failed):
        issue_id = wanted[index][0]
        with session_scope(run.engine) as session:
            found = session.get(IssueRow, issue_id)
            if found is None:
                continue
            row = found
            items = items_by_issue(session, [issue_id]).get(issue_id, [])
            updates = IssueUpdates(session)
            if isinstance(outcome, str):
                updates.mark_gone(row, items, outcome)
            elif (outcome.repo, outcome.number) != (row.repo, row.number):
                updates.moved(row, items, outcome)
            else:
                updates.apply(row, items, outcome, touch=True)
            run.fresh.add(issue_id)
            run.changes.extend(updates.flush())
