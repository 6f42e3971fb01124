"""Read a due date a person typed: `followup due`, the TUI's prompt, an issue's Due line.

The one place both faces (and a sync reading an issue's block) turn such text into a
date, counted from today, so that `+7` means the same everywhere, with the same line
for text that is no date. The reading itself belongs to postmortem.dates, the parser
post-mortems are read with: `resolve(text, anchor) -> (date, approximate) | None`.

Until that parser gains `resolve`, the stand-in below gives it the same signature on
today's postmortem.dates; switching is replacing it with
`from followup.postmortem.dates import resolve`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from followup.errors import InputError
from followup.postmortem.dates import due_from_value

FORMS = "YYYY-MM-DD, +7, 2w, friday, end of Q1"
_OFFSET = re.compile(r"^\+\s*(\d{1,4})\s*(d|days?|w|weeks?)?$|^(\d{1,4})\s*(d|days?|w|weeks?)$")


class BadDate(InputError, ValueError):
    """Text that is not a date; one line saying which forms are."""


def resolve(text: str, anchor: date | None) -> tuple[date, bool] | None:
    """Read one date expression; return (date, approximate), or None if it is not one.

    The stand-in calls nothing approximate: only the date is used here.
    """
    value = text.strip()
    offset = _OFFSET.match(value.lower())
    if offset is not None:
        if anchor is None:
            return None
        count = int(offset[1] or offset[3])
        unit = offset[2] or offset[4] or "d"
        return anchor + timedelta(days=count * (7 if unit.startswith("w") else 1)), False
    try:
        return date.fromisoformat(value), False
    except ValueError:
        pass
    due = due_from_value(value)
    if due is None or due.date is None:
        return None
    return due.date, False


def read_due(text: str, today: date) -> date | None:
    """Return the date text means, counting from today; None when it is empty.

    Raises BadDate, with the same line for the CLI and the TUI, for anything else.
    """
    value = " ".join(text.split())
    if not value:
        return None
    found = resolve(value, today)
    if found is None:
        raise BadDate(f"not a date: {value!r} (use {FORMS})")
    return found[0]
