"""Write transactions that survive other writers: run again on a conflict, then report.

Two followups share a store (two TUIs, a `sync --watch`, a CLI command): each item row
carries a version that every update checks and bumps, so a writer that read an item
before someone else changed it fails instead of overwriting the change. `write` runs
such a transaction again from the start, reading the item afresh, a few times; if it
still collides, the user gets a one-line error and nothing is saved.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from followup.store.db import ConcurrentUpdate, session_scope
from followup.store.failures import StoreBusy

T = TypeVar("T")

ATTEMPTS = 5
# PostgreSQL's serialization failure and deadlock: the transaction may simply run again.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_conflict(exc: BaseException) -> bool:
    """Tell whether a failed transaction lost a race and may be run again."""
    if isinstance(exc, ConcurrentUpdate | StoreBusy):
        # StoreBusy: the engine already named a lock, deadlock or serialization failure.
        return True
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        if getattr(orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
            return True
        # SQLite's busy timeout ran out while another connection held the write lock.
        return "database is locked" in str(orig)
    return False


def write(engine: Engine, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """Run work in a transaction and commit; on a conflict run it again, from a fresh read.

    work must touch nothing but the session: it may run more than once.
    """
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(engine) as session:
                return work(session)
        except (ConcurrentUpdate, StoreBusy, DBAPIError) as exc:
            if not is_conflict(exc):
                raise
            if attempt == attempts:
                if not isinstance(exc, DBAPIError):
                    raise  # already one line for the user
                raise ConcurrentUpdate(
                    f"the store stayed busy with other writers ({exc.orig}); "
                    "nothing was saved, try again"
                ) from None
            # A little jitter, so two losers do not collide again in step.
            time.sleep(random.uniform(0, 0.02 * attempt))
    raise AssertionError("unreachable")


def claim(row: object) -> None:
    """Make the transaction's commit check and bump this row's version even if unchanged.

    For writes that depend on an item without changing it (a waiting edit of its issue):
    a concurrent change of the item then makes one of them run again.
    """
    flag_modified(row, "updated_at")
