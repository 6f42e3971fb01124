"""Read a due date a person typed: `followup due`, the TUI's prompt, an issue's Due line.

The one place both faces (and a sync reading an issue's block) turn such text into a
date, so that `+7` means the same everywhere; the reading itself is postmortem.dates'.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from followup.errors import InputError
from followup.postmortem.dates import due_from_value

FORMS = "YYYY-MM-DD, +7, 2w, friday, end of Q1"
_OFFSET = re.compile(r"^\+?\s*(\d{1,4})\s*(d|days?|w|weeks?)?$", re.IGNORECASE)


class BadDate(InputError, ValueError):
    """Text that is not a date; one line saying which forms are."""


def read_due(text: str, today: date) -> date | None:
    """Return the date text means, counting from today; None when it is empty.

    Raises BadDate, with the same line for the CLI and the TUI, for anything else.
    """
    value = " ".join(text.split())
    if not value:
        return None
    offset = _OFFSET.match(value)
    if offset is not None and (value.startswith("+") or offset[2]):
        days = int(offset[1]) * (7 if (offset[2] or "d")[0].lower() == "w" else 1)
        return today + timedelta(days=days)
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    due = due_from_value(value)
    if due is not None and due.date is not None:
        return due.date
    raise BadDate(f"not a date: {value!r} (use {FORMS})")
