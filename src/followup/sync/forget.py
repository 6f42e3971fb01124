"""Forget post-mortems imported by mistake: what it would remove, then remove it.

The command line and the TUI both describe first (to ask the person) and then forget
what they named, in one transaction: either every post-mortem named goes, or none.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from followup.errors import InputError
from followup.store import session_scope
from followup.store.forget import (
    FiledItem,
    Forgettable,
    describe,
    find_postmortems,
    forget_postmortems,
)

__all__ = ["FiledItem", "Forgettable", "forget", "plan_forget"]


def _refs(refs: Sequence[str]) -> list[str]:
    named = [ref for ref in refs if ref.strip()]
    if not named:
        raise InputError("no post-mortem given: name one by its slug or file path")
    return named


def plan_forget(engine: Engine, refs: Sequence[str]) -> list[Forgettable]:
    """Return what forgetting the post-mortems named would remove; changes nothing."""
    with session_scope(engine) as session:
        return describe(session, find_postmortems(session, _refs(refs)))


def forget(engine: Engine, refs: Sequence[str]) -> list[Forgettable]:
    """Remove the post-mortems named and their items, all or none; return what went."""
    with session_scope(engine) as session:
        rows = find_postmortems(session, _refs(refs))
        gone = describe(session, rows)
        forget_postmortems(session, rows)
    return gone
