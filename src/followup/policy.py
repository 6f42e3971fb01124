"""The team's deadline per priority: days from a post-mortem's date to its items' due date.

An item whose document gives no due date (and that nobody dated by hand) is due when
the policy says: P0 a week after the incident, P1 four weeks, P2 eight, P3 never, by
default. The store keeps each item's policy deadline and where its due date came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PRIORITIES = ("P0", "P1", "P2", "P3")

# Where an item's due date comes from; the document and an edit always beat the policy.
DUE_DOCUMENT = "document"
DUE_EDITED = "edited"
DUE_POLICY = "policy"
DUE_SOURCES = (DUE_DOCUMENT, DUE_EDITED, DUE_POLICY)


@dataclass(frozen=True, slots=True)
class DuePolicy:
    """Days to the deadline per priority; None means items of that priority have none."""

    p0: int | None = 7
    p1: int | None = 28
    p2: int | None = 56
    p3: int | None = None

    def days(self, priority: str | None) -> int | None:
        """Return the days an item of this priority has, or None for no deadline."""
        if priority is None:
            return None
        return {"P0": self.p0, "P1": self.p1, "P2": self.p2, "P3": self.p3}.get(priority.upper())

    def deadline(self, priority: str | None, start: date) -> date | None:
        """Return the deadline of an item of this priority counted from start, or None."""
        days = self.days(priority)
        return start + timedelta(days=days) if days is not None else None

    @property
    def key(self) -> str:
        """Return the policy as a short text that changes whenever a deadline does."""
        return ",".join(
            f"{name}={'-' if days is None else days}"
            for name, days in zip(PRIORITIES, (self.p0, self.p1, self.p2, self.p3), strict=True)
        )

    def describe(self) -> str:
        """Return the policy as a person reads it: 'P0 7 days, P1 28 days, …, P3 none'."""
        parts = []
        for name in PRIORITIES:
            days = self.days(name)
            parts.append(f"{name} {'none' if days is None else f'{days} days'}")
        return ", ".join(parts)


DEFAULT_POLICY = DuePolicy()
