"""What went wrong with the store, in one line the user can act on.

SQLite and PostgreSQL report a full disk, a read-only file, a damaged database or a
foreign file with codes; each becomes a StoreError of its own, wherever it happens
(opening, migrating, or any later query: db.py hands every database error through
here). Anything else stays what it was.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from followup.errors import FollowupError
from followup.text import clean


class StoreError(FollowupError):
    """Report a store that cannot be opened or written."""


class NewerStoreError(StoreError):
    """The store's schema is from a newer followup than this one."""


class StoreBusy(StoreError):
    """Another writer held the store (a lock, a deadlock).

    The transaction that got it may simply run again (store.retry does).
    """


class StoreUnavailable(StoreError):
    """The store's server could not be reached, or dropped the connection (a restart).

    Nothing of the transaction was saved; a later one, on a new connection, may succeed.
    """


class ConcurrentUpdate(StoreError):
    """Report a write that lost a race: rows it read were changed by another writer since.

    The transaction that got it may simply run again from a fresh read (store.retry does).
    """


# PostgreSQL ending sessions: an administrator's command, a crash, a server starting up or
# shutting down.
_SHUTDOWN_STATES = frozenset({"57P01", "57P02", "57P03"})


def unavailable(where: str, exc: BaseException) -> StoreUnavailable:
    """Return the error of a connection to the store that failed or was dropped."""
    return StoreUnavailable(f"lost the connection to the store {where} ({_said(exc)})")


def is_transient(exc: BaseException) -> bool:
    """Tell whether a store error may pass by itself: a busy store, a lost race, a lost server."""
    return isinstance(exc, StoreBusy | ConcurrentUpdate | StoreUnavailable)


# A transaction that read one moment of the store and wrote a row changed since then
# (store/retry.py): SQLite's stale snapshot, PostgreSQL's serialization failure.
LOST_RACE = (
    "the store changed while this change was being made (another followup at work); "
    "nothing was saved, try again"
)


class StoreConflict(StoreError, IntegrityError):
    """Report two runs writing the same new rows at once, never showing the rows.

    It stays an IntegrityError, so code that inserts to claim something (store/claims.py)
    and catches the conflict keeps working; uncaught, it is one line for the user.
    """

    def __init__(self, message: str, orig: BaseException | None = None) -> None:
        IntegrityError.__init__(self, None, None, orig, hide_parameters=True)  # type: ignore[arg-type]
        self.message = message

    def __str__(self) -> str:
        return clean(" ".join(self.message.split()))


def _said(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def explain(exc: BaseException, where: str) -> StoreError | None:
    """Return the StoreError a database failure amounts to, or None if it is none of these.

    exc is the driver's own exception (sqlite3's or psycopg's); where names the store.
    """
    said = _said(exc)
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    state = str(getattr(exc, "sqlstate", "") or "")
    if name == "SQLITE_NOTADB":
        return StoreError(
            f"{where} is not a followup store, or it is damaged ({said}); "
            "move it away or point --db elsewhere"
        )
    if name.startswith("SQLITE_CORRUPT") or state == "XX001" or name == "SQLITE_IOERR_SHORT_READ":
        return StoreError(
            f"the store {where} is damaged ({said}); "
            "restore it from a backup, or move it away and import again"
        )
    if name.startswith("SQLITE_READONLY"):
        return StoreError(
            f"the store {where} is read-only ({said}); "
            "followup needs to write to it and to its folder"
        )
    if state == "25006":
        return StoreError(f"the store {where} is read-only ({said}); followup needs to write to it")
    if name == "SQLITE_FULL" or state == "53100":
        return StoreError(
            f"the disk that holds the store {where} is full ({said}); "
            "nothing was half-written: free some space and run again"
        )
    if name == "SQLITE_BUSY_SNAPSHOT" or state == "40001":
        return ConcurrentUpdate(LOST_RACE)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or state in ("55P03", "40P01"):
        return StoreBusy(f"the store {where} is busy: another followup is writing to it; try again")
    if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY") or state == "23505":
        # Two runs wrote the same new rows at once. The parameters (whole documents)
        # are never part of the message.
        return StoreConflict(
            f"another followup wrote the same thing to the store {where} at the same time; "
            "nothing of this change was saved: run again",
            exc,
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH", "SQLITE_IOERR")):
        return StoreError(f"cannot use the store {where} ({said})")
    if state in _SHUTDOWN_STATES or state in ("08006", "08003"):
        return unavailable(where, exc)
    if state.startswith("08") or state in ("28P01", "28000", "3D000"):
        return StoreError(f"cannot connect to the store {where} ({said})")
    return None
