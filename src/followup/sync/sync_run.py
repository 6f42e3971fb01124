"""What the phases of one sync share: the store, the clients, the run control, the tallies.

Only the calling thread touches SyncRun; worker threads get a client from its pool and
may stop the run through its control (both are thread-safe).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Engine, String, and_, cast, func, or_
from sqlmodel import col, select

from followup.github.issue_mapping import FOLLOWUP_LABEL
from followup.store.models import IssueRow, ItemRow, Status
from followup.sync.client_pool import ClientPool
from followup.sync.issue_state import FINAL_GONE, ItemChange
from followup.sync.progress import Progress
from followup.sync.run_control import RunControl
from followup.sync.sync_report import RepoOutcome


@dataclass(slots=True)
class SyncRun:
    """What the phases of one sync share."""

    engine: Engine
    # One pool for the whole sync: its threads keep their clients (and connections).
    pool: ClientPool
    control: RunControl
    changes: list[ItemChange] = field(default_factory=list)
    outcomes: list[RepoOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    to_check: dict[int, str] = field(default_factory=dict)  # issue id -> why
    fresh: set[int] = field(default_factory=set)  # issues read in this sync
    # Repositories whose poll showed issues filed twice (runs that raced): converged.
    converge: set[str] = field(default_factory=set)
    checked_by_id: int = 0
    graphql_requests: int = 0
    graphql_points: int = 0

    @property
    def progress(self) -> Progress:
        """Return where the run reports progress."""
        return self.control.progress

    def halted(self) -> bool:
        """Tell whether the sync must stop (see RunControl.halted)."""
        return self.control.halted()

    def count_query_points(self, queries: int, points: int) -> None:
        """Count GraphQL queries sent elsewhere (project polls) and the points they cost."""
        self.graphql_requests += queries
        self.graphql_points += points

    def count_query(self, cost: int | None) -> None:
        """Count one GraphQL query and what it cost (at least 1 point, GitHub's minimum)."""
        self.graphql_requests += 1
        self.graphql_points += max(1, cost or 0)


def live(repos: Collection[str] | None = None) -> ColumnElement[bool]:
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


def labelled() -> ColumnElement[bool]:
    """Return the condition on IssueRow for issues with the followup label.

    Matched on the JSON text, so that no row has to be loaded to tell: the store has
    tens of thousands of issues and a quiet sync must stay quick.
    """
    text = func.lower(cast(IssueRow.labels, String))
    return text.like(f'%"{FOLLOWUP_LABEL}"%')
