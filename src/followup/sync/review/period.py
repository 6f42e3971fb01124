"""The period a report looks back on, and the key its posted comment is kept under.

`--since 7d` (or 2w, or a date) sets the days the report covers, up to today. A report
posted to an issue keeps one comment per period: for seven days that is the ISO week
(`report:2026-W49`), for another length the block of that many days, counted from a fixed
Monday, that holds today; so a report posted every day updates one comment per period,
and the first run of the next period starts a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from followup.errors import InputError
from followup.store.report_model import ReportScope

DEFAULT_SINCE = "7d"
_DURATION = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)
# Blocks of N days are counted from this Monday, so every run agrees on where they start.
EPOCH = date(2001, 1, 1)
MAX_DAYS = 3660


def parse_since(text: str, today: date) -> date:
    """Return the first day a report covers: `7d`, `2w` or a date (YYYY-MM-DD)."""
    match = _DURATION.match(text)
    if match:
        days = int(match[1]) * (7 if match[2].lower() == "w" else 1)
        if not 1 <= days <= MAX_DAYS:
            raise InputError(f"--since must be between 1d and {MAX_DAYS}d, not {text!r}")
        return today - timedelta(days=days - 1)
    try:
        since = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--since takes a number of days or weeks (7d, 2w) or a date (YYYY-MM-DD), not {text!r}"
        ) from None
    if since > today:
        raise InputError(f"--since {since.isoformat()} is after today")
    return since


@dataclass(frozen=True, slots=True)
class Period:
    """The key and the words of one report period."""

    key: str  # unique among periods and scopes; names the kept comment
    label: str  # "week 2026-W49", "2026-11-01 to 2026-12-04"


def period_of(scope: ReportScope, *, since_text: str | None = None) -> Period:
    """Return the period a report of this scope belongs to."""
    days = scope.days
    match = _DURATION.match(since_text or "")
    if match and days == 7:
        year, week, _ = scope.until.isocalendar()
        name = f"{year}-W{week:02d}"
        label = f"week {name}"
    elif match:
        block = (scope.until - EPOCH).days // days
        start = EPOCH + timedelta(days=block * days)
        name = f"{start.isoformat()}+{days}d"
        label = f"{days} days from {start.isoformat()}"
    else:
        name = f"since-{scope.since.isoformat()}"
        label = f"since {scope.since.isoformat()}"
    parts = ["report", name]
    if scope.postmortems:
        parts.append("pm-" + "+".join(sorted(_safe(s) for s in scope.postmortems)))
    if scope.owner:
        parts.append("owner-" + _safe(scope.owner.removeprefix("@").lower()))
    return Period(":".join(parts), label)


def _safe(text: str) -> str:
    """Return text with only the characters a comment key allows."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "x"
