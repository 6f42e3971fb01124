"""What a protection run writes to the store: intents before writing, outcomes after.

Before its first request to a branch, a run commits the intent: what the branch has
(merged with what earlier interrupted runs found). A run that dies half-way (kill -9,
a lost connection, a rate limit) leaves the intent behind, and the next run restores
the branch to it before anything else. A run that verifies the branch clears the
intents of every item on it. Every request whose outcome was not a plain answer, and
every setting found weakened and put back, is an event on the item.

Each record is a transaction of store/retry.write: a person's edit of the item at the
same moment makes it run again on the item as edited, rather than end the run with
its writes to GitHub unrecorded (tests/sync/test_concurrency_writers.py). A status a
person set while the run worked (closed, reopened, a sync's verdict) is theirs: the
run records what it wrote to the branch but leaves the status and its reason as they
are, and reports the item skipped, saying so (tests/faults/test_concurrency_protect.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine
from sqlmodel import Session

from followup import clock
from followup.github.protection_classic import LiveProtection, classic_json
from followup.github.protection_compare import Weakening
from followup.github.protection_mapping import DiffRow, Shortfall, summary
from followup.github.protection_rulesets import Ruleset, ruleset_json
from followup.store import retry
from followup.store.history import Changes
from followup.store.models import ItemRow, Status
from followup.store.protection import (
    AppliedProtection,
    ProtectionIntent,
    protection_of,
    store_applied,
)
from followup.sync.protect_plan import ProtectionPlan
from followup.sync.protect_reads import intents_on
from followup.sync.protect_write import Step, Written

Outcome = Literal["done", "already", "unverified", "failed", "skipped"]
WRITE_EVENT = "protection_write"


@dataclass(frozen=True, slots=True)
class ProtectionResult:
    """What applying one plan did."""

    item_id: str
    target: str
    outcome: Outcome
    message: str = ""
    method: Literal["classic", "ruleset"] | None = None
    applied: tuple[DiffRow, ...] = ()
    missing: tuple[Shortfall, ...] = ()
    weakened: tuple[Weakening, ...] = ()  # below what was live before, and not put back
    restored: tuple[str, ...] = ()  # found below it after writing, and put back
    partial: tuple[Step, ...] = ()  # requests whose outcome GitHub did not report

    @property
    def ok(self) -> bool:
        """Tell whether the item is now done."""
        return self.outcome in ("done", "already")


def _snapshot(before: LiveProtection | Ruleset | None) -> dict[str, Any] | None:
    if isinstance(before, LiveProtection):
        return classic_json(before)
    return ruleset_json(before)


def record_intent(
    engine: Engine, plan: ProtectionPlan, before: LiveProtection | Ruleset | None
) -> None:
    """Commit, before the first request, what the branch has: no run may leave it weaker."""
    assert plan.method is not None
    now = clock.now()
    snapshot = _snapshot(before)
    method = plan.method

    def work(session: Session) -> None:
        item = session.get(ItemRow, plan.item_id)
        stored = protection_of(item) if item is not None else None
        if item is None or stored is None:
            return
        changes = Changes(source="followup", at=now)
        store_applied(item, stored, intent=ProtectionIntent(method, now, snapshot))
        changes.add(
            item.id,
            WRITE_EVENT,
            None,
            "started",
            detail={"target": plan.target, "method": method, "before": snapshot},
        )
        changes.flush(session)

    retry.write(engine, work)


def _clear_intents(session: Session, plan: ProtectionPlan) -> None:
    """Forget the intents on the branch for this method: a run has just verified it."""
    for item_id, intent in intents_on(session, plan.repo or "", plan.branch):
        if intent.method != plan.method:
            continue
        item = session.get(ItemRow, item_id)
        stored = protection_of(item) if item is not None else None
        if item is not None and stored is not None:
            store_applied(item, stored, intent=None)


def _write_events(changes: Changes, item_id: str, plan: ProtectionPlan, written: Written) -> None:
    for step in written.partial:
        changes.add(
            item_id,
            WRITE_EVENT,
            None,
            f"{step.outcome}: {step.request}",
            detail={"target": plan.target, **step.to_json()},
        )
    for found in written.found:
        changes.add(
            item_id,
            WRITE_EVENT,
            None,
            "found weaker after writing: " + "; ".join(found),
            detail={"target": plan.target, "found": list(found), "restored": written.verified},
        )


def _message(written: Written) -> tuple[Outcome, str]:
    """Return the outcome and its one-line reason for a write that was not verified."""
    if written.unreadable is not None:
        return "failed", (
            f"{written.unreadable}; the branch may be weaker than before: "
            "run 'followup protect' again to check and restore it"
        )
    parts: list[str] = []
    if written.weakened:
        shown = "; ".join(w.describe() for w in written.weakened)
        parts.append(f"weaker than before the run and not restored: {shown}")
    if written.refused:
        parts.append(f"GitHub refused a request: {written.refused}")
    if written.weakened or written.refused:
        if written.missing:
            parts.append("; ".join(m.describe() for m in written.missing))
        if written.weakened:
            parts.append("run 'followup protect' again to restore it")
        return "failed", "; ".join(parts)
    shown = "; ".join(m.describe() for m in written.missing)
    message = (
        f"applied, but GitHub does not show it in effect: {shown}; "
        "run 'followup protect' again, or check the branch settings on GitHub"
    )
    uncertain = [s for s in written.partial if s.outcome == "uncertain"]
    if uncertain:
        message = f"{uncertain[-1].detail}; {message}"
    return "unverified", message


def _applied(plan: ProtectionPlan, written: Written, now: datetime) -> AppliedProtection:
    assert plan.method is not None and plan.repo is not None
    return AppliedProtection(
        method=plan.method,
        repo=plan.repo,
        branch=plan.branch,
        settings=plan.requested,
        ruleset_id=written.ruleset_id,
        ruleset_name=written.ruleset_name,
        changes=tuple(row.to_json() for row in plan.changes) if written.wrote else (),
        applied_at=now,
        verified=written.verified,
    )


def status_moved(item: ItemRow, plan: ProtectionPlan) -> str | None:
    """Return why the run may not set the item's status: someone changed it meanwhile."""
    stored = protection_of(item)
    if item.status != plan.status:
        return f"its status became {item.status} while this run worked: left so"
    if stored is not None and stored.spec.requested() != plan.requested:
        return "what it asks for changed while this run worked: run 'followup protect' again"
    return None


def record_result(engine: Engine, plan: ProtectionPlan, written: Written) -> ProtectionResult:
    """Store what applying one plan did, and return it."""
    now = clock.now()
    outcome, message = retry.write(
        engine, lambda session: _store_result(session, plan, written, now)
    )
    if outcome == "skipped" and not written.wrote:
        return ProtectionResult(plan.item_id, plan.target, outcome, message)
    return ProtectionResult(
        plan.item_id,
        plan.target,
        outcome,
        message,
        plan.method,
        plan.changes if written.wrote else (),
        tuple(written.missing),
        tuple(written.weakened),
        written.restored,
        written.partial,
    )


def _store_result(
    session: Session, plan: ProtectionPlan, written: Written, now: datetime
) -> tuple[Outcome, str]:
    """Store what applying one plan did; return its outcome and one-line message."""
    changes = Changes(source="followup", at=now)
    item = session.get(ItemRow, plan.item_id)
    stored = protection_of(item) if item is not None else None
    if item is None or stored is None:
        return "skipped", "the item is gone"
    applied = _applied(plan, written, now)
    if written.wrote:
        before = stored.applied
        changes.add(
            item.id,
            "protection",
            f"{before.method}: {summary(before.settings)}"
            if before is not None and before.settings
            else None,
            f"{plan.method}: {summary(plan.requested)}",
            detail={
                "method": plan.method,
                "target": plan.target,
                "ruleset_id": written.ruleset_id,
                "changes": [dict(c) for c in applied.changes],
                "verified": written.verified,
                "missing": [m.to_json() for m in written.missing],
                "weakened": [w.to_json() for w in written.weakened],
                "requests": [s.to_json() for s in written.steps],
            },
        )
        _write_events(changes, item.id, plan, written)
    store_applied(item, stored, applied=applied)
    item.updated_at = now
    moved = status_moved(item, plan)
    if moved is not None:
        # What was written to the branch is recorded above; the status is the person's.
        if written.verified:
            _clear_intents(session, plan)
            done = "protected and verified" if written.wrote else "already in effect"
        else:
            done = _message(written)[1]
        changes.flush(session)
        return "skipped", f"{moved} ({done})"
    if written.verified:
        _clear_intents(session, plan)
        if item.status != Status.DONE.value:
            changes.add(
                item.id,
                "status",
                item.status,
                Status.DONE.value,
                detail={
                    "verified": plan.requested,
                    "method": plan.method,
                    "wrote": written.wrote,
                },
            )
        item.status = Status.DONE.value
        item.status_reason = None
        item.verified_at = now
        outcome: Outcome = "done" if written.wrote else "already"
        message = "protected and verified" if written.wrote else "already in effect"
        if written.restored:
            message += f"; restored what a write had weakened: {'; '.join(written.restored)}"
    else:
        outcome, message = _message(written)
        item.status_reason = message
    changes.flush(session)
    return outcome, message


def record_failure(
    engine: Engine, item_id: str, target: str, message: str, status: str | None = None
) -> ProtectionResult:
    """Keep a one-line reason on an item that could not be protected; it stays pending.

    status is the item's status as the run read it: one set since keeps its own reason.
    """

    def work(session: Session) -> None:
        item = session.get(ItemRow, item_id)
        if item is None or (status is not None and item.status != status):
            return
        if item.status_reason != message:
            item.status_reason = message
            item.updated_at = clock.now()

    retry.write(engine, work)
    return ProtectionResult(item_id, target, "failed", message)


__all__ = [
    "WRITE_EVENT",
    "Outcome",
    "ProtectionResult",
    "record_failure",
    "record_intent",
    "record_result",
    "status_moved",
]
