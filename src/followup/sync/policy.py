"""Keep the items' policy deadlines current: on opening the store, after imports and edits."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from followup.policy import DuePolicy
from followup.store import session_scope
from followup.store.policy import PolicyResult, apply_policy

log = logging.getLogger(__name__)


def refresh_deadlines(engine: Engine, policy: DuePolicy) -> PolicyResult:
    """Work out the deadlines the policy gives wherever they may have changed, and commit."""
    with session_scope(engine) as session:
        result = apply_policy(session, policy)
    if result.postmortems:
        log.info(
            "due-date policy (%s): %d post-mortems, %d deadlines and %d due dates changed",
            policy.describe(),
            result.postmortems,
            result.deadlines,
            result.due_dates,
        )
    return result
