"""Times as the TUI shows them: in the user's zone, short, never relative to the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime


def local(at: datetime) -> datetime:
    """Return a stored time in the local zone; the store keeps naive UTC times."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone()


def stamp(at: datetime) -> str:
    """Return a full local time to the minute, e.g. '2024-03-01 09:00'."""
    return local(at).strftime("%Y-%m-%d %H:%M")


def short(at: datetime | None, today: date) -> str:
    """Return a compact local time: the hour today, the day this year, else the date."""
    if at is None:
        return ""
    when = local(at)
    if when.date() == today:
        return when.strftime("%H:%M")
    if when.year == today.year:
        return when.strftime("%b %d %H:%M")
    return when.strftime("%Y-%m-%d")
