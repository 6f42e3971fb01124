"""Plan and apply branch protection for the store's protection items (drift.py verifies).

Shared by the CLI and the TUI. Planning is in protect_plan.py, the guarded writes in
protect_write.py, what the store keeps in protect_record.py; docs/protection.md explains
the algorithm. This module decides which items, in which order, under which run control.
One item's failure never stops the others; a refused token or a used-up rate limit does
(the intents already committed make the next run restore what the interrupted one left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from followup.config import ProtectionMethod
from followup.errors import FollowupError
from followup.github.client import GitHub
from followup.github.protection_classic import LiveProtection
from followup.github.protection_rulesets import ruleset_name
from followup.store import session_scope
from followup.store.locks import DEFAULT_TIMEOUT, LockTimeout, StoreLock
from followup.store.models import ItemRow, Status
from followup.store.protection import ProtectionIntent
from followup.store.queries import OPEN_STATUSES
from followup.sync.progress import Progress, SilentProgress
from followup.sync.protect_plan import NO_REPO, ProtectionPlan, prepare
from followup.sync.protect_reads import ProtectionReads, intents_on
from followup.sync.protect_record import (
    Outcome,
    ProtectionResult,
    record_failure,
    record_intent,
    record_result,
)
from followup.sync.protect_write import Written, write_classic, write_ruleset
from followup.sync.protection_targets import Target, items_by_ids, items_by_status, target_of
from followup.sync.run_control import RunControl, ends_run

UNSEEN_REFUSED = (
    "status check {names} has not reported on the latest commit of {branch}: requiring it "
    "would block every pull request until it does; make it report first, or confirm "
    "(--allow-unseen-checks)"
)


@dataclass(frozen=True, slots=True)
class ProtectionReport:
    """What apply_protection did, item by item."""

    results: tuple[ProtectionResult, ...] = ()

    @property
    def failed(self) -> int:
        """Return how many items are not done after all."""
        return sum(1 for r in self.results if r.outcome in ("failed", "unverified"))

    @property
    def ok(self) -> bool:
        """Tell whether every item that was tried is done."""
        return self.failed == 0


# -- loading items ----------------------------------------------------------------------------


def protection_targets(
    engine: Engine, *, item_ids: Sequence[str] | None = None, include_done: bool = False
) -> list[str]:
    """Return the ids of the items plan_protection would plan, in order, without any request."""
    with session_scope(engine) as session:
        return [t.item_id for t in _load(session, item_ids, include_done)]


def _load(session: Session, item_ids: Sequence[str] | None, include_done: bool) -> list[Target]:
    if item_ids:
        rows = items_by_ids(session, item_ids)
    else:
        statuses = list(OPEN_STATUSES) + ([Status.DONE.value] if include_done else [])
        rows = items_by_status(session, statuses)
    return [target_of(row) for row in rows]


def _intents(session: Session, target: Target) -> list[ProtectionIntent]:
    if not target.repo:
        return []
    return [intent for _, intent in intents_on(session, target.repo, target.branch)]


# -- planning ---------------------------------------------------------------------------------


def plan_protection(
    engine: Engine,
    client: GitHub,
    *,
    item_ids: Sequence[str] | None = None,
    include_done: bool = False,
    method: ProtectionMethod = "auto",
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> list[ProtectionPlan]:
    """Return one plan per pending protection item (or the given ones); nothing is written."""
    control = control or RunControl(progress)
    with session_scope(engine) as session:
        targets = _load(session, item_ids, include_done)
        intents = {t.item_id: _intents(session, t) for t in targets}
    control.progress.start(len(targets), "Reading branch protection")
    reads = ProtectionReads(client)
    plans: list[ProtectionPlan] = []
    for target in targets:
        if control.halted():
            break
        plans.append(prepare(reads, target, method, intents[target.item_id]).plan)
        control.progress.advance(target.item_id)
    return plans


# -- applying ---------------------------------------------------------------------------------


def _apply_one(
    engine: Engine, reads: ProtectionReads, plan: ProtectionPlan, allow_unseen: bool
) -> ProtectionResult:
    with session_scope(engine) as session:
        item = session.get(ItemRow, plan.item_id)
        target = target_of(item) if item is not None else None
        intents = _intents(session, target) if target is not None else []
    if target is None:
        return ProtectionResult(plan.item_id, plan.target, "skipped", "the item is gone")
    if target.status != plan.status:
        # Closed, reopened or judged since the plan was read: the plan no longer holds.
        message = f"its status became {target.status} since the plan: run 'followup protect' again"
        return ProtectionResult(plan.item_id, plan.target, "skipped", message)
    method = plan.method or "auto"
    # What this run last read of the branch (after writing to it for an earlier item) tells
    # whether anything is left to write; if so, read again right before writing: a write
    # built from an older read could undo a setting someone added since.
    known = bool(target.repo) and reads.knows(target.repo or "", target.branch)
    prepared = prepare(reads, target, method, intents, informative=False)
    if known and not prepared.plan.satisfied and prepared.plan.error is None:
        reads.forget(target.repo or "", target.branch)
        prepared = prepare(reads, target, method, intents, informative=False)
    fresh = prepared.plan
    if fresh.error is not None or fresh.repo is None:
        return record_failure(
            engine, plan.item_id, fresh.target, fresh.error or NO_REPO, fresh.status
        )
    if fresh.satisfied:
        written = Written(ruleset_id=fresh.ruleset_id)
        if fresh.method == "ruleset":
            written.ruleset_name = ruleset_name(fresh.branch)
        return record_result(engine, fresh, written)
    if plan.unseen_checks and not allow_unseen:
        message = UNSEEN_REFUSED.format(names=", ".join(plan.unseen_checks), branch=plan.branch)
        return record_failure(engine, plan.item_id, fresh.target, message, fresh.status)
    before = prepared.before
    record_intent(engine, fresh, before)
    try:
        if prepared.classic is not None:
            assert isinstance(before, LiveProtection)
            written = write_classic(
                reads, fresh.repo, fresh.branch, prepared.classic, fresh.requested, before
            )
        else:
            assert prepared.ruleset is not None and not isinstance(before, LiveProtection)
            written = write_ruleset(
                reads, fresh.repo, fresh.branch, prepared.ruleset, fresh.requested, before
            )
    except FollowupError as exc:
        if ends_run(exc):
            raise
        message = f"{exc}; run 'followup protect' again: it restores anything left weaker"
        return record_failure(engine, plan.item_id, fresh.target, message, fresh.status)
    return record_result(engine, fresh, written)


def apply_protection(
    engine: Engine,
    client: GitHub,
    plans: Sequence[ProtectionPlan],
    *,
    progress: Progress | None = None,
    allow_unseen_checks: bool = False,
    control: RunControl | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
) -> ProtectionReport:
    """Apply each plan (re-reading first), verify it whole, and record the outcome per item.

    An item is done only when every requested setting reads back in effect and nothing
    live before is weaker. Plans that carry an error store it as the item's reason; the
    item stays pending. A plan that requires a status check that never reported on the
    branch is refused unless allow_unseen_checks. Two runs on one store protect a branch
    one at a time (the store's lock, per branch; a plan whose branch stays locked for
    lock_timeout seconds fails, and nothing is written to it).
    """
    if control is None:
        shown = progress or SilentProgress()
        lock = StoreLock(
            engine, timeout=lock_timeout, on_wait=lambda message: shown.note("info", message)
        )
        control = RunControl(shown, lock=lock)
    progress = control.progress
    progress.start(len(plans), "Applying branch protection")
    reads = ProtectionReads(client)
    results: list[ProtectionResult] = []
    for plan in plans:
        if control.halted():
            results.append(ProtectionResult(plan.item_id, plan.target, "skipped", "cancelled"))
            continue
        if plan.error is not None:
            result = record_failure(engine, plan.item_id, plan.target, plan.error, plan.status)
        else:
            try:
                with control.locked(plan.target):
                    result = _apply_one(engine, reads, plan, allow_unseen_checks)
            except LockTimeout as exc:
                # Not the item's fault: nothing is stored, the next run tries again.
                result = ProtectionResult(plan.item_id, plan.target, "failed", str(exc))
        results.append(result)
        if result.outcome in ("failed", "unverified"):
            progress.note("error", f"{plan.item_id} {plan.target}: {result.message}")
        progress.advance(plan.item_id)
    return ProtectionReport(tuple(results))


__all__ = [
    "Outcome",
    "ProtectionPlan",
    "ProtectionReport",
    "ProtectionResult",
    "apply_protection",
    "plan_protection",
    "protection_targets",
]
