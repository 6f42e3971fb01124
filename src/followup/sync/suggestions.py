"""Accept or dismiss suggested items, for the command line and the TUI alike.

Each call is one transaction: an id the store does not know stops it before anything
changes. An item that is no suggestion comes back unchanged, with the reason. A
transaction that loses a race with another writer (an edit of the item between the read
and the write) runs again on the items as they are then (store/retry.py): accepting or
dismissing decides on the fresh status, so an item someone accepted meanwhile is not
dismissed, and says why (tests/sync/test_concurrency_decisions.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from followup.errors import InputError
from followup.store import retry
from followup.store.suggestions import Decision, accept_items, dismiss_items

__all__ = ["Decision", "accept", "dismiss"]


def _ids(item_ids: Sequence[str]) -> list[str]:
    ids = [ref.strip() for ref in item_ids if ref.strip()]
    if not ids:
        raise InputError("no item ids given")
    return ids


def accept(engine: Engine, item_ids: Sequence[str]) -> list[Decision]:
    """Make suggestions (or dismissed ones) ordinary open items, all or none."""
    ids = _ids(item_ids)
    return retry.write(engine, lambda session: accept_items(session, ids))


def dismiss(engine: Engine, item_ids: Sequence[str]) -> list[Decision]:
    """Turn suggestions down for good: re-imports keep them dismissed. All or none."""
    ids = _ids(item_ids)
    return retry.write(engine, lambda session: dismiss_items(session, ids))
