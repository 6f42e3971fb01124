"""The statuses of an action item, apart from the tables: lean readers need no SQLModel."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where an action item stands."""

    OPEN = "open"
    FILED = "filed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"
    REGRESSED = "regressed"
    REMOVED = "removed"
    SUGGESTED = "suggested"  # a commitment found only in prose, waiting for a person
    DISMISSED = "dismissed"  # a suggestion a person turned down; re-imports keep it so


# Statuses after which an item no longer counts as outstanding (and cannot be overdue).
CLOSED_STATUSES = frozenset({Status.DONE, Status.WONT_DO, Status.REMOVED})
# Suggestions nobody accepted: never filed, protected, counted in completion or overdue.
UNACCEPTED_STATUSES = frozenset({Status.SUGGESTED, Status.DISMISSED})
