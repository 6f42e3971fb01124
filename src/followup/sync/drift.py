"""Catch drift: re-read the protection followup applied and flag what was weakened since.

Every `followup sync` runs this, so it must be cheap: one conditional read per distinct
branch or ruleset (a 304 costs no rate-limit points and writes nothing), and one item's
failure never stops the others.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session

from followup import clock
from followup.errors import FollowupError
from followup.github import protection as rest
from followup.github.client import GitHub
from followup.github.errors import AuthError, RateLimited
from followup.github.protection_mapping import (
    Effective,
    Shortfall,
    effective_classic,
    effective_ruleset,
    shortfalls,
)
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import ItemRow, Status
from followup.sync.progress import Progress, SilentProgress
from followup.sync.protection_targets import (
    VERIFIED_STATUSES,
    Target,
    items_by_ids,
    items_by_status,
    target_of,
)

VerifyOutcome = Literal["ok", "regressed", "still_regressed", "restored", "error"]


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
    applied = target.applied or {}
    method = str(applied.get("method") or "classic")
    repo = str(applied.get("repo") or target.repo or "")
    branch = str(applied.get("branch") or target.branch)
    ruleset_id = applied.get("ruleset_id") if method == "ruleset" else None
    return method, repo, branch, ruleset_id


def _etag(targets: Sequence[Target]) -> str | None:
    """Return the ETag all the targets were last judged at, if they share one."""
    tags = {(t.applied or {}).get("etag") for t in targets}
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


def _read_groups(
    client: GitHub,
    keys: Sequence[ReadKey],
    progress: Progress,
    concurrency: int,
    etags: dict[ReadKey, str | None] | None = None,
) -> tuple[dict[ReadKey, _Read], str | None]:
    """Read each branch or ruleset once, a few at a time, each thread with its own client."""
    reads: dict[ReadKey, _Read] = {}
    stop = threading.Event()
    stopped: list[str] = []
    local = threading.local()
    clones: list[GitHub] = []
    lock = threading.Lock()
    workers = max(1, min(concurrency, len(keys)))

    def thread_client() -> GitHub:
        if workers == 1:
            return client
        if not hasattr(local, "client"):
            local.client = client.clone()
            with lock:
                clones.append(local.client)
        return local.client  # type: ignore[no-any-return]

    def read(key: ReadKey) -> None:
        if stop.is_set():
            return
        if progress.cancelled():
            stopped.append("cancelled")
            stop.set()
            return
        try:
            result = _read_live(thread_client(), key, (etags or {}).get(key))
        except (AuthError, RateLimited) as exc:
            stopped.append(str(exc))
            stop.set()
            progress.note("error", str(exc))
            return
        except FollowupError as exc:
            result = _Read(error=str(exc))
            progress.note("warning", f"{key[1]}:{key[2]}: {exc}")
        with lock:
            reads[key] = result
        progress.advance(f"{key[1]}:{key[2]}")

    try:
        if workers == 1:
            for key in keys:
                read(key)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(read, keys))
    finally:
        for clone in clones:
            _merge_stats(client, clone)
            clone.close()
    return reads, (stopped[0] if stopped else None)


def _merge_stats(client: GitHub, clone: GitHub) -> None:
    """Count a clone's requests as the client's, so callers see what the run cost."""
    for f in fields(clone.stats):
        setattr(client.stats, f.name, getattr(client.stats, f.name) + getattr(clone.stats, f.name))
    remaining = clone.rate.remaining
    if remaining is not None and (
        client.rate.remaining is None or remaining < client.rate.remaining
    ):
        client.rate = clone.rate


def _judge(
    session: Session, changes: Changes, target: Target, read: _Read, now: datetime
) -> VerifyResult:
    item = session.get(ItemRow, target.item_id)
    assert item is not None
    if read.unchanged:
        # Nothing changed on GitHub since the last judgement: it stands, and nothing is written.
        outcome: VerifyOutcome = "still_regressed" if item.status == Status.REGRESSED else "ok"
        return VerifyResult(item.id, target.where, outcome, item.status)
    if read.error is not None or read.live is None:
        return VerifyResult(item.id, target.where, "error", item.status, message=read.error or "")
    applied = item.protection_applied or {}
    if read.etag != applied.get("etag"):
        item.protection_applied = {**applied, "etag": read.etag}
    settings = dict((target.applied or {}).get("settings") or target.spec.requested())
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
                "method": (target.applied or {}).get("method"),
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
) -> VerifyReport:
    """Re-read the protection of done (and regressed) items and record any drift.

    One read per distinct branch or ruleset, `concurrency` at a time (each thread reads
    with a clone of the client; pass sync_concurrency to read in parallel). Never raises for
    GitHub's answers: a failed read is reported on its items, and an exhausted rate limit
    or a refused token stops the reads and is reported in VerifyReport.error.
    """
    progress = progress or SilentProgress()
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
    reads, stopped = _read_groups(client, list(groups), progress, concurrency, etags)

    now = clock.now()
    changes = Changes(source="followup", at=now)
    with session_scope(engine) as session:
        for key, members in groups.items():
            read = reads.get(key, _Read(error=f"not checked ({stopped or 'stopped'})"))
            for target in members:
                results.append(_judge(session, changes, target, read, now))
        changes.flush(session)
    for result in results:
        if result.outcome == "regressed":
            progress.note(
                "warning", f"{result.item_id} {result.target}: regressed: {result.message}"
            )
    return VerifyReport(tuple(results), reads=len(reads), error=stopped)


__all__ = ["VerifyOutcome", "VerifyReport", "VerifyResult", "verify_protection"]
