"""Durations as people read them, shared by the CLI, the TUI and the report."""

from __future__ import annotations

from datetime import timedelta


def format_duration(value: timedelta | None) -> str:
    """Return a duration as a person reads it: '3.5 days', '5 hours', '—'."""
    if value is None:
        return "—"
    days = value.total_seconds() / 86400
    if days >= 1:
        return f"{days:.1f} days" if days < 10 else f"{round(days)} days"
    hours = value.total_seconds() / 3600
    if hours >= 1:
        return f"{round(hours)} hours" if round(hours) != 1 else "1 hour"
    minutes = max(0, round(value.total_seconds() / 60))
    return f"{minutes} minutes" if minutes != 1 else "1 minute"
