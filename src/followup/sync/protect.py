"""Plan and apply branch protection for the store's protection items (drift.py verifies).

Shared by the CLI and the TUI. Reads go through github/protection.py, the thinking
through github/protection_mapping.py; this module decides which items, which method,
and what the store records. One item's failure never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine
from sqlmodel import Session

from followup import clock
from followup.config import ProtectionMethod
from followup.errors import FollowupError
from followup.github import protection as rest
from followup.github.client import GitHub
from followup.github.errors import AuthError, RateLimited, TransientError
from followup.github.protection_mapping import (
    MAX_CLASSIC_REVIEWS,
    MAX_RULESET_REVIEWS,
    ClassicPlan,
    DiffRow,
    Effective,
    LiveProtection,
    Ruleset,
    RulesetPlan,
    Shortfall,
    effective_classic,
    effective_ruleset,
    plan_classic,
    plan_ruleset,
    put_payload,
    ruleset_name,
    ruleset_payload,
    shortfalls,
    status_checks_fix,
    summary,
)
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import ItemRow, Status
from followup.store.protection import AppliedProtection, protection_of, store_applied
from followup.store.queries import OPEN_STATUSES
from followup.sync.progress import Progress, SilentProgress
from followup.sync.protection_targets import Target, items_by_ids, items_by_status, target_of

Method = Literal["classic", "ruleset"]
Outcome = Literal["done", "already", "unverified", "failed", "skipped"]

NO_REPO = (
    "no repository for this item: pass --repo on import or set repo: in the front matter, "
    "then import again"
)


# -- what the CLI and the TUI get -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProtectionPlan:
    """What protecting one item's branch would change, or why it cannot be done."""

    item_id: str
    title: str
    status: str
    repo: str | None
    branch: str
    requested: dict[str, Any]
    method: Method | None = None
    rows: tuple[DiffRow, ...] = ()
    satisfied: bool = False
    error: str | None = None
    note: str | None = None
    ruleset_id: int | None = None

    @property
    def target(self) -> str:
        """Return owner/name:branch."""
        return f"{self.repo or '?'}:{self.branch}"

    @property
    def changes(self) -> tuple[DiffRow, ...]:
        """Return the rows that applying the plan changes."""
        return tuple(row for row in self.rows if row.changed)

    @property
    def writes(self) -> bool:
        """Tell whether applying the plan sends anything to GitHub."""
        return self.error is None and not self.satisfied


@dataclass(frozen=True, slots=True)
class ProtectionResult:
    """What applying one plan did."""

    item_id: str
    target: str
    outcome: Outcome
    message: str = ""
    method: Method | None = None
    applied: tuple[DiffRow, ...] = ()
    missing: tuple[Shortfall, ...] = ()

    @property
    def ok(self) -> bool:
        """Tell whether the item is now done."""
        return self.outcome in ("done", "already")


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


# -- planning ---------------------------------------------------------------------------------


class _Reads:
    """The live protection read during one run, shared by the items on the same branch.

    A write forgets what was read of its branch until the read that verifies it, so no
    later item builds on a state older than its own run's writes.
    """

    def __init__(self, client: GitHub) -> None:
        self.client = client
        self._seen: dict[tuple[str, str, str], object] = {}

    def _read(self, key: tuple[str, str, str], read: Callable[[], object]) -> object:
        if key not in self._seen:
            try:
                self._seen[key] = read()
            except (AuthError, RateLimited):
                raise
            except FollowupError as exc:
                # The same refusal would come back for every item on this branch.
                self._seen[key] = exc
        value = self._seen[key]
        if isinstance(value, FollowupError):
            raise value
        return value

    def classic(self, repo: str, branch: str) -> LiveProtection:
        """Return the branch's classic protection, read once per run."""
        live = self._read(
            ("classic", repo.lower(), branch),
            lambda: rest.get_protection(self.client, repo, branch),
        )
        assert isinstance(live, LiveProtection)
        return live

    def ruleset(self, repo: str, branch: str) -> Ruleset | None:
        """Return followup's ruleset for the branch, read once per run."""
        found = self._read(
            ("ruleset", repo.lower(), branch),
            lambda: rest.find_ruleset(self.client, repo, branch),
        )
        assert found is None or isinstance(found, Ruleset)
        return found

    def forget(self, repo: str, branch: str) -> None:
        """Drop what was read of the branch, before writing to it."""
        for kind in ("classic", "ruleset"):
            self._seen.pop((kind, repo.lower(), branch), None)

    def saw(self, repo: str, branch: str, value: LiveProtection | Ruleset | None) -> None:
        """Keep the read that verified a write, for the next item on the branch."""
        kind = "classic" if isinstance(value, LiveProtection) else "ruleset"
        self._seen[(kind, repo.lower(), branch)] = value


@dataclass(frozen=True, slots=True)
class _Prepared:
    plan: ProtectionPlan
    classic: ClassicPlan | None = None
    ruleset: RulesetPlan | None = None


def _choose(target: Target, method: ProtectionMethod) -> ProtectionMethod:
    if method != "auto":
        return method
    if target.spec.is_pattern:
        return "ruleset"
    # An item once protected by a ruleset keeps it, even after its branch was created.
    return "ruleset" if target.protection.method == "ruleset" else "auto"


def _check_counts(method: Method, requested: dict[str, Any]) -> str | None:
    count = requested.get("required_approving_review_count")
    limit = MAX_CLASSIC_REVIEWS if method == "classic" else MAX_RULESET_REVIEWS
    if count is not None and count > limit:
        kind = "classic branch protection" if method == "classic" else "a ruleset"
        return f"{kind} allows at most {limit} required approving reviews, not {count}"
    return None


def _prepare(reads: _Reads, target: Target, method: ProtectionMethod) -> _Prepared:
    """Read the live protection of one item's branch and plan the change."""
    requested = target.spec.requested()
    base = ProtectionPlan(
        item_id=target.item_id,
        title=target.title,
        status=target.status,
        repo=target.repo,
        branch=target.branch,
        requested=requested,
    )

    def failed(message: str, chosen: Method | None = None) -> _Prepared:
        return _Prepared(replace(base, error=message, method=chosen))

    if not target.repo:
        return failed(NO_REPO)
    if not target.branch:
        return failed("the recommendation names no branch; edit the post-mortem and import again")
    if not requested:
        return failed("the recommendation asks for no protection setting")
    chosen = _choose(target, method)
    if target.spec.is_pattern and chosen == "classic":
        return failed(
            f"{target.branch} is a pattern, which needs a ruleset: set protection_method "
            "to ruleset or auto",
            "classic",
        )
    note: str | None = None
    try:
        if chosen != "ruleset":
            try:
                live = reads.classic(target.repo, target.branch)
            except rest.BranchNotFound:
                if chosen == "classic":
                    raise
                chosen = "ruleset"
                note = (
                    f"{target.branch} does not exist yet: a ruleset protects it from its creation"
                )
            else:
                problem = _check_counts("classic", requested)
                if problem:
                    return failed(problem, "classic")
                classic = plan_classic(live, requested)
                plan = replace(
                    base, method="classic", rows=classic.rows, satisfied=classic.satisfied
                )
                return _Prepared(plan, classic=classic)
        if target.spec.is_pattern:
            note = f"{target.branch} is a pattern: a ruleset protects every matching branch"
        problem = _check_counts("ruleset", requested)
        if problem:
            return failed(problem, "ruleset")
        existing = reads.ruleset(target.repo, target.branch)
        ruleset = plan_ruleset(existing, target.branch, requested)
        plan = replace(
            base,
            method="ruleset",
            rows=ruleset.rows,
            satisfied=ruleset.satisfied,
            note=note,
            ruleset_id=existing.id if existing else None,
        )
        return _Prepared(plan, ruleset=ruleset)
    except (AuthError, RateLimited):
        raise
    except FollowupError as exc:
        return failed(str(exc), chosen if chosen != "auto" else None)


def plan_protection(
    engine: Engine,
    client: GitHub,
    *,
    item_ids: Sequence[str] | None = None,
    include_done: bool = False,
    method: ProtectionMethod = "auto",
    progress: Progress | None = None,
) -> list[ProtectionPlan]:
    """Return one plan per pending protection item (or the given ones); nothing is written."""
    progress = progress or SilentProgress()
    with session_scope(engine) as session:
        targets = _load(session, item_ids, include_done)
    progress.start(len(targets), "Reading branch protection")
    reads = _Reads(client)
    plans: list[ProtectionPlan] = []
    for target in targets:
        if progress.cancelled():
            break
        plans.append(_prepare(reads, target, method).plan)
        progress.advance(target.item_id)
    return plans


# -- applying ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Written:
    """What the writes of one item did, and what the re-read found."""

    wrote: bool = False
    ruleset_id: int | None = None
    ruleset_name: str | None = None
    live: Effective | None = None
    unsure: str | None = None  # a write whose outcome GitHub did not report


def _write_classic(reads: _Reads, repo: str, branch: str, plan: ClassicPlan) -> _Written:
    client = reads.client
    reads.forget(repo, branch)
    done = _Written()
    after: LiveProtection = plan.live
    try:
        if plan.needs_put:
            done.wrote = True
            after = rest.put_protection(client, repo, branch, put_payload(plan.desired))
            fix = status_checks_fix(plan.desired, after)
            if fix is not None:
                rest.patch_status_checks(client, repo, branch, fix)
        if plan.desired.required_signatures and not after.required_signatures:
            done.wrote = True
            rest.require_signatures(client, repo, branch)
    except TransientError as exc:
        if not exc.maybe_applied:
            raise
        done.unsure = str(exc)
    live = rest.get_protection(client, repo, branch)
    reads.saw(repo, branch, live)
    done.live = effective_classic(live)
    return done


def _write_ruleset(reads: _Reads, repo: str, branch: str, plan: RulesetPlan) -> _Written:
    client = reads.client
    reads.forget(repo, branch)
    done = _Written(wrote=True, ruleset_name=plan.desired.name)
    payload = ruleset_payload(plan.desired)
    existing_id = plan.existing.id if plan.existing is not None else None
    try:
        if existing_id is not None:
            written = rest.update_ruleset(client, repo, existing_id, payload)
        else:
            written = rest.create_ruleset(client, repo, payload)
        done.ruleset_id = written.id
    except TransientError as exc:
        if not exc.maybe_applied:
            raise
        done.unsure = str(exc)
    if done.ruleset_id is None:
        # The create may have gone through unseen: the name finds it without a duplicate.
        found = rest.find_ruleset(client, repo, branch)
        done.ruleset_id = found.id if found else existing_id
    else:
        found = rest.get_ruleset(client, repo, done.ruleset_id)
    reads.saw(repo, branch, found)
    done.live = effective_ruleset(found, branch)
    return done


def _applied_record(
    plan: ProtectionPlan, written: _Written, missing: Sequence[Shortfall], now: datetime
) -> AppliedProtection:
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
        verified=not missing,
    )


def _record(
    engine: Engine,
    plan: ProtectionPlan,
    written: _Written,
    missing: Sequence[Shortfall],
) -> ProtectionResult:
    now = clock.now()
    applied = _applied_record(plan, written, missing, now)
    changes = Changes(source="followup", at=now)
    with session_scope(engine) as session:
        item = session.get(ItemRow, plan.item_id)
        stored = protection_of(item) if item is not None else None
        if item is None or stored is None:
            return ProtectionResult(plan.item_id, plan.target, "skipped", "the item is gone")
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
                    "verified": not missing,
                    "missing": [m.to_json() for m in missing],
                },
            )
        store_applied(item, stored, applied=applied)
        item.updated_at = now
        if missing:
            shown = "; ".join(m.describe() for m in missing)
            item.status_reason = (
                f"applied, but GitHub does not show it in effect: {shown}; "
                "run 'followup protect' again, or check the branch settings on GitHub"
            )
            if written.unsure:
                item.status_reason = f"{written.unsure}; {item.status_reason}"
            outcome: Outcome = "unverified"
            message = item.status_reason
        else:
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
            outcome = "done" if written.wrote else "already"
            message = "protected and verified" if written.wrote else "already in effect"
        changes.flush(session)
    return ProtectionResult(
        plan.item_id,
        plan.target,
        outcome,
        message,
        plan.method,
        plan.changes if written.wrote else (),
        tuple(missing),
    )


def _record_failure(engine: Engine, item_id: str, target: str, message: str) -> ProtectionResult:
    with session_scope(engine) as session:
        item = session.get(ItemRow, item_id)
        if item is not None and item.status_reason != message:
            item.status_reason = message
            item.updated_at = clock.now()
    return ProtectionResult(item_id, target, "failed", message)


def _apply_one(engine: Engine, reads: _Reads, plan: ProtectionPlan) -> ProtectionResult:
    with session_scope(engine) as session:
        item = session.get(ItemRow, plan.item_id)
        target = target_of(item) if item is not None else None
    if target is None:
        return ProtectionResult(plan.item_id, plan.target, "skipped", "the item is gone")
    # Read again right before writing: the plan may be old, and a PUT built from an old
    # read could undo a setting someone added since.
    prepared = _prepare(reads, target, plan.method or "auto")
    fresh = prepared.plan
    if fresh.error is not None or fresh.repo is None:
        return _record_failure(engine, plan.item_id, fresh.target, fresh.error or NO_REPO)
    try:
        if fresh.satisfied:
            written = _Written(ruleset_id=fresh.ruleset_id)
            if fresh.method == "ruleset":
                written.ruleset_name = ruleset_name(fresh.branch)
        elif prepared.classic is not None:
            written = _write_classic(reads, fresh.repo, fresh.branch, prepared.classic)
        else:
            assert prepared.ruleset is not None
            written = _write_ruleset(reads, fresh.repo, fresh.branch, prepared.ruleset)
    except (AuthError, RateLimited):
        raise
    except FollowupError as exc:
        message = str(exc)
        if isinstance(exc, TransientError):
            message += "; it may have been applied: run 'followup protect' again to check"
        return _record_failure(engine, plan.item_id, fresh.target, message)
    missing = [] if written.live is None else shortfalls(written.live, fresh.requested)
    return _record(engine, fresh, written, missing)


def apply_protection(
    engine: Engine,
    client: GitHub,
    plans: Sequence[ProtectionPlan],
    *,
    progress: Progress | None = None,
) -> ProtectionReport:
    """Apply each plan (re-reading first), verify it live, and record the outcome per item.

    An item is done only when every requested setting reads back in effect. Plans that
    carry an error store it as the item's reason; the item stays pending.
    """
    progress = progress or SilentProgress()
    progress.start(len(plans), "Applying branch protection")
    reads = _Reads(client)
    results: list[ProtectionResult] = []
    for plan in plans:
        if progress.cancelled():
            results.append(ProtectionResult(plan.item_id, plan.target, "skipped", "cancelled"))
            continue
        if plan.error is not None:
            result = _record_failure(engine, plan.item_id, plan.target, plan.error)
        else:
            result = _apply_one(engine, reads, plan)
        results.append(result)
        if result.outcome in ("failed", "unverified"):
            progress.note("error", f"{plan.item_id} {plan.target}: {result.message}")
        progress.advance(plan.item_id)
    return ProtectionReport(tuple(results))


# -- drift ------------------------------------------------------------------------------------


__all__ = [
    "ProtectionPlan",
    "ProtectionReport",
    "ProtectionResult",
    "apply_protection",
    "plan_protection",
    "protection_targets",
]
