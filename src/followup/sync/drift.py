"""Catch drift: re-read the protection followup applied and flag what was weakened since.

Every `followup sync` runs this, so it must be cheap: one conditional read per distinct
branch or ruleset (a 304 costs no rate-limit points and writes nothing), and one item's
failure never stops the others. The verdicts are written in one retried transaction
(store/retry.py), each only on an item still as it was chosen: one a person closed or
reopened during the reads keeps the status they gave it
(tests/sync/test_concurrency_writers.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session

from followup import clock
from followup.github import protection as rest
from followup.github.client import GitHub
from followup.github.errors import GitHubError
from followup.github.protection_classic import effective_classic
from followup.github.protection_mapping import Effective, Shortfall, shortfalls
from followup.github.protection_rulesets import effective_ruleset
from followup.store import retry, session_scope
from followup.store.history import Changes
from followup.store.models import ItemRow, Status
from followup.store.protection import protection_of, store_applied
from followup.sync.client_pool import ClientPool, Job
from followup.sync.progress import Progress
from followup.sync.protection_targets import (
    VERIFIED_STATUSES,
    Target,
    items_by_ids,
    items_by_status,
    target_of,
)
from followup.sync.run_control import CANCELLED, RunControl, ends_run

VerifyOutcome = Literal["ok", "regressed", "still_regressed", "restored", "error"]

INTERRUPTED = (
    "a 'followup protect' run stopped while writing this branch and may have left it weaker "
    "than it was: run 'followup protect {item}' to check and restore it"
)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What re-reading one item's protection found."""

    item_id: str
    target: str
    outcome: VerifyOutcome
    status: str
    missing: tuple[Shortfall, ...] = ()
    message: str = ""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What verify_protection found; `error` is set when it had to stop early."""

    results: tuple[VerifyResult, ...] = ()
    reads: int = 0
    error: str | None = None

    def count(self, *outcomes: VerifyOutcome) -> int:
        """Return how many items ended with one of the outcomes."""
        return sum(1 for r in self.results if r.outcome in outcomes)

    @property
    def ok(self) -> bool:
        """Tell whether every item's protection is in effect and nothing failed."""
        return self.error is None and self.count("regressed", "still_regressed", "error") == 0


@dataclass(frozen=True, slots=True)
class _Read:
    live: Effective | None = None
    gone: str | None = None  # why nothing protects the branch any more
    error: str | None = None
    etag: str | None = None  # for the next read, which is then free while nothing changes
    unchanged: bool = False  # a 304: the branch is as it was when last judged


# What one read covers: method, repository, branch, and the ruleset's id if known.
ReadKey = tuple[str, str, str, int | None]


def _read_key(target: Target) -> ReadKey:
    applied = target.applied
    if applied is None:
        return "classic", target.repo or "", target.branch, None
    ruleset_id = applied.ruleset_id if applied.method == "ruleset" else None
    return applied.method, applied.repo, applied.branch, ruleset_id


def _etag(targets: Sequence[Target]) -> str | None:
    """Return the ETag all the targets were last judged at, if they share one."""
    tags = {t.applied.etag if t.applied is not None else None for t in targets}
    return tags.pop() if len(tags) == 1 else None


def _read_live(client: GitHub, key: ReadKey, etag: str | None = None) -> _Read:
    method, repo, branch, ruleset_id = key
    if method == "classic":
        try:
            live, new_etag = rest.get_protection_if_changed(client, repo, branch, etag)
        except rest.BranchNotFound:
            return _Read(Effective(), gone=f"branch {branch} no longer exists")
        if live is None:
            return _Read(etag=etag, unchanged=True)
        if not live.protected:
            return _Read(Effective(), gone=f"{branch} is no longer protected")
        return _Read(effective_classic(live), etag=new_etag)
    if ruleset_id is None:
        ruleset, new_etag = rest.find_ruleset(client, repo, branch), None
    else:
        ruleset, new_etag, changed = rest.get_ruleset_if_changed(client, repo, ruleset_id, etag)
        if not changed:
            return _Read(etag=etag, unchanged=True)
    if ruleset is None:
        return _Read(Effective(), gone="followup's ruleset was deleted")
    return _Read(effective_ruleset(ruleset, branch), etag=new_etag)


def _read_job(key: ReadKey, etag: str | None, control: RunControl) -> Job[_Read]:
    def job(client: GitHub) -> _Read:
        if control.halted():
            raise _Skipped
        try:
            return _read_live(client, key, etag)
        except GitHubError as exc:
            # Stopped here, on the worker, so that its next job already sees it.
            if control.stops_run(exc):
                raise
            return _Read(error=str(exc))

    return job


class _Skipped(Exception):
    """A read not started because the run is stopping."""


def _read_groups(
    pool: ClientPool,
    keys: Sequence[ReadKey],
    control: RunControl,
    etags: dict[ReadKey, str | None],
) -> dict[ReadKey, _Read]:
    """Read each branch or ruleset once, on the pool's threads."""
    reads: dict[ReadKey, _Read] = {}
    progress = control.progress
    jobs = [_read_job(key, etags.get(key), control) for key in keys]
    for index, outcome in pool.run(jobs):
        key = keys[index]
        if isinstance(outcome, _Skipped):
            continue
        if isinstance(outcome, GitHubError) and ends_run(outcome):
            progress.note("error", str(outcome))
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome.error is not None:
            progress.note("warning", f"{key[1]}:{key[2]}: {outcome.error}")
        reads[key] = outcome
        progress.advance(f"{key[1]}:{key[2]}")
    return reads


def _judge(
    session: Session, changes: Changes, target: Target, read: _Read, now: datetime
) -> VerifyResult | None:
    """Record what the read says of one item; None when the item is no longer the one read for.

    The items were chosen before the reads: meanwhile a person may have closed or
    reopened one, a protect run applied other settings or begun writing. The read does
    not judge such an item, and its status stays what they made it.
    """
    item = session.get(ItemRow, target.item_id)
    stored = protection_of(item) if item is not None else None
    if (
        item is None
        or stored is None
        or item.status not in VERIFIED_STATUSES
        or stored.intent is not None
        or stored.applied != target.applied
    ):
        return None
    if read.unchanged:
        # Nothing changed on GitHub since the last judgement: it stands, and nothing is written.
        outcome: VerifyOutcome = "still_regressed" if item.status == Status.REGRESSED else "ok"
        return VerifyResult(item.id, target.where, outcome, item.status)
    if read.error is not None or read.live is None:
        return VerifyResult(item.id, target.where, "error", item.status, message=read.error or "")
    if stored.applied is not None and read.etag != stored.applied.etag:
        store_applied(item, stored, applied=replace(stored.applied, etag=read.etag))
    settings = dict(target.applied.settings if target.applied else {}) or target.spec.requested()
    missing = tuple(shortfalls(read.live, settings))
    before = item.status
    if missing:
        shown = "; ".join(m.describe() for m in missing)
        why = f"{read.gone}: {shown}" if read.gone else shown
        reason = f"drift seen {now:%Y-%m-%d %H:%M} UTC: {why}; run 'followup protect {item.id}'"
        if before == Status.REGRESSED.value:
            return VerifyResult(item.id, target.where, "still_regressed", before, missing, why)
        changes.add(
            item.id,
            "status",
            before,
            Status.REGRESSED.value,
            detail={
                "seen_at": now.isoformat(),
                "target": target.where,
                "method": target.protection.method,
                "weakened": [m.to_json() for m in missing],
                "gone": read.gone,
            },
        )
        item.status = Status.REGRESSED.value
        item.status_reason = reason
        item.updated_at = now
        return VerifyResult(item.id, target.where, "regressed", item.status, missing, why)
    item.verified_at = now
    if before == Status.REGRESSED.value:
        changes.add(
            item.id,
            "status",
            before,
            Status.DONE.value,
            detail={"seen_at": now.isoformat(), "target": target.where, "restored": True},
        )
        item.status = Status.DONE.value
        item.status_reason = None
        item.updated_at = now
        return VerifyResult(item.id, target.where, "restored", item.status)
    return VerifyResult(item.id, target.where, "ok", item.status)


def verify_protection(
    engine: Engine,
    client: GitHub,
    *,
    item_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    concurrency: int = 1,
    control: RunControl | None = None,
    pool: ClientPool | None = None,
) -> VerifyReport:
    """Re-read the protection of done (and regressed) items and record any drift.

    One read per distinct branch or ruleset, `concurrency` at a time (each thread reads
    with a clone of the client; pass sync_concurrency to read in parallel), or on the
    caller's pool and under its run control (a sync's). Never raises for GitHub's answers:
    a failed read is reported on its items, and an exhausted rate limit or a refused
    token stops the reads and is reported in VerifyReport.error.
    """
    control = control or RunControl(progress)
    progress = control.progress
    with session_scope(engine) as session:
        rows = (
            items_by_ids(session, item_ids)
            if item_ids
            else items_by_status(session, VERIFIED_STATUSES)
        )
        targets = [target_of(row) for row in rows]
    results: list[VerifyResult] = []
    checkable: list[Target] = []
    for target in targets:
        if target.protection.intent is not None:
            # A read would judge only the requested settings; the interrupted write may
            # have weakened others, which only 'followup protect' checks and restores.
            results.append(
                VerifyResult(
                    target.item_id,
                    target.where,
                    "error",
                    target.status,
                    message=INTERRUPTED.format(item=target.item_id),
                )
            )
            continue
        if target.applied is None or target.status not in VERIFIED_STATUSES:
            if item_ids:
                message = (
                    f"not protected by followup yet (status {target.status}): "
                    f"run 'followup protect {target.item_id}'"
                )
                results.append(
                    VerifyResult(
                        target.item_id, target.where, "error", target.status, message=message
                    )
                )
            continue
        checkable.append(target)

    groups: dict[ReadKey, list[Target]] = {}
    for target in checkable:
        groups.setdefault(_read_key(target), []).append(target)
    progress.start(len(groups), "Verifying branch protection")
    etags = {key: _etag(members) for key, members in groups.items()}
    own_pool = pool is None
    pool = pool or ClientPool(client, min(concurrency, len(groups)), name="verify")
    try:
        reads = _read_groups(pool, list(groups), control, etags)
    finally:
        if own_pool:
            pool.close()
    stopped = control.reason or (CANCELLED if control.cancelled else None)

    now = clock.now()

    def judge_all(session: Session) -> list[VerifyResult]:
        # Runs again from a fresh read if a person edits one of the items meanwhile.
        changes = Changes(source="followup", at=now)
        judged: list[VerifyResult] = []
        for key, members in groups.items():
            read = reads.get(key, _Read(error=f"not checked ({stopped or 'stopped'})"))
            for target in members:
                result = _judge(session, changes, target, read, now)
                if result is not None:
                    judged.append(result)
        changes.flush(session)
        return judged

    results.extend(retry.write(engine, judge_all))
    for result in results:
        if result.outcome == "regressed":
            progress.note(
                "warning", f"{result.item_id} {result.target}: regressed: {result.message}"
            )
    return VerifyReport(tuple(results), reads=len(reads), error=stopped)


__all__ = ["VerifyOutcome", "VerifyReport", "VerifyResult", "verify_protection"]
