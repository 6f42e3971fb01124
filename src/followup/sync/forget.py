"""Forget post-mortems imported by mistake: what it would remove, then remove it.

The command line and the TUI both describe first (to ask the person) and then forget
what they named, in one transaction: either every post-mortem named goes, or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from followup.errors import InputError
from followup.store import retry, session_scope
from followup.store.forget import (
    FiledItem,
    Forgettable,
    describe,
    filing_repos,
    find_postmortems,
    forget_postmortems,
)
from followup.store.locks import StoreLock, exclusive
from followup.store.models import ItemRow, PostMortemRow
from followup.sync.candidates import tracking_repo
from followup.sync.run_control import RunLock

# The transaction that forgets: one at a time, and the write lock held from its start.
FORGET_KEY = "forget"

__all__ = ["FiledItem", "Forgettable", "forget", "plan_forget"]


def _refs(refs: Sequence[str]) -> list[str]:
    named = [ref for ref in refs if ref.strip()]
    if not named:
        raise InputError("no post-mortem given: name one by its slug or file path")
    return named


def _tracking_repos(session: Session, rows: Sequence[PostMortemRow]) -> set[str]:
    """Return the repositories a filing run may be filing these post-mortems' tracking issues in."""
    repos: set[str] = set()
    for pm in rows:
        filed = session.exec(
            select(ItemRow.id)
            .where(
                ItemRow.postmortem_id == pm.id,
                or_(col(ItemRow.issue_id).is_not(None), col(ItemRow.filing_intent_at).is_not(None)),
            )
            .limit(1)
        ).first()
        repo = tracking_repo(session, pm) if filed is not None else None
        if repo:
            repos.add(repo)
    return repos


def plan_forget(engine: Engine, refs: Sequence[str]) -> list[Forgettable]:
    """Return what forgetting the post-mortems named would remove; changes nothing."""
    with session_scope(engine) as session:
        return describe(session, find_postmortems(session, _refs(refs)))


def forget(
    engine: Engine, refs: Sequence[str], *, lock: RunLock | None = None
) -> list[Forgettable]:
    """Remove the post-mortems named and their items, all or none; return what went.

    An item a filing run is creating an issue for right now is not pulled from under it:
    forget waits for the run (the repository's lock, as a second filing run would), so
    that the issue is recorded and named among those kept. A run that has not yet said
    it will create finds the item gone and creates nothing. A post-mortem with filed
    items may be getting its tracking issue: forget waits for that repository's lock
    too, and a run that comes to file it afterwards finds it gone. A store busy with another
    writer makes the transaction run again (store/retry.py), deciding afresh.
    """
    named = _refs(refs)
    lock = lock or StoreLock(engine)
    waited: set[str] = set()

    def attempt(session: Session) -> list[Forgettable] | set[str]:
        exclusive(session, FORGET_KEY)
        rows = find_postmortems(session, named)
        busy = (filing_repos(session, rows) | _tracking_repos(session, rows)) - waited
        if busy:
            return busy
        gone = describe(session, rows)
        forget_postmortems(session, rows)
        return gone

    with ExitStack() as held:
        while True:
            # No snapshot: the write lock is taken first, and the reads come after it.
            done = retry.write(engine, attempt, snapshot=False)
            if isinstance(done, list):
                return done
            # Outside the transaction: the run being waited for must be able to write.
            for repo in sorted(done):
                held.enter_context(lock.locked(repo))
                waited.add(repo)
