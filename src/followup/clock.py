"""The current time, in one place so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's local date, which decides what is overdue."""
    return date.today()
