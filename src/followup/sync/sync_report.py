"""What one sync did, and the SyncRunRow every sync leaves for the TUI's status bar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from followup.store import session_scope
from followup.store.models import SyncRunRow
from followup.sync.drift import VerifyReport
from followup.sync.issue_state import ItemChange
from followup.sync.pending import PendingOutcome
from followup.sync.reconcile import Reconciliation


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
class ProjectPoll:
    """How reading back one GitHub Project (v2) went."""

    project: str  # OWNER/NUMBER
    ok: bool
    reason: str | None = None
    items_read: int = 0
    items_changed: int = 0
    requests: int = 0
    points: int = 0


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
    projects: tuple[ProjectPoll, ...] = ()

    @property
    def failed_projects(self) -> tuple[ProjectPoll, ...]:
        """Return the projects whose poll failed."""
        return tuple(p for p in self.projects if not p.ok)

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
            and not self.failed_projects
            and not self.errors
            and self.rate_limited_until is None
            and not self.cancelled
            and protection_ok
        )

    def summary_error(self) -> str | None:
        """Return one line saying what failed, or None."""
        parts = [f"{r.repo}: {r.reason}" for r in self.failed_repos]
        parts.extend(f"project {p.project}: {p.reason}" for p in self.failed_projects)
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


def start_run(engine: Engine, started: datetime) -> int:
    """Record that a sync started; return the run's id."""
    with session_scope(engine) as session:
        row = SyncRunRow(started_at=started)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def finish_run(engine: Engine, run_id: int, report: SyncReport) -> None:
    """Record how a sync ended."""
    with session_scope(engine) as session:
        row = session.get(SyncRunRow, run_id)
        if row is None:
            return
        row.finished_at = report.finished_at
        row.changed = len(report.changes)
        row.requests = report.requests
        row.error = report.summary_error()


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
