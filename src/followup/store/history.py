"""Append-only history: every change of an item goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlmodel import Session

from followup import clock
from followup.store import bulk
from followup.store.models import EventRow


def as_text(value: Any) -> str | None:
    """Return how a field's value is written into the history."""
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


EVENT_COLUMNS = ("item_id", "at", "field", "old", "new", "source", "detail")
_event_values = itemgetter(*EVENT_COLUMNS)


@dataclass(slots=True)
class Changes:
    """Collect events during one operation and write them in one statement."""

    source: str
    # Looked up at call time, so tests that move the clock move this too.
    at: datetime = field(default_factory=lambda: clock.now())  # noqa: PLW0108
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        item_id: str,
        name: str,
        old: Any,
        new: Any,
        *,
        at: datetime | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Queue one change; a change from a value to the same value is dropped."""
        old_text, new_text = as_text(old), as_text(new)
        if old_text == new_text and detail is None:
            return
        self.rows.append(
            {
                "item_id": item_id,
                "at": at or self.at,
                "field": name,
                "old": old_text,
                "new": new_text,
                "source": self.source,
                "detail": detail,
            }
        )

    def flush(self, session: Session) -> int:
        """Write the queued events and return how many there were."""
        count = len(self.rows)
        if self.rows:
            # Straight to the driver: events are never read back in the same session.
            table = EventRow.__table__  # type: ignore[attr-defined]
            bulk.insert(session, table, EVENT_COLUMNS, map(_event_values, self.rows))
            self.rows = []
        return count
