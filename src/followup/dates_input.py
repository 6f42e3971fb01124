"""Read a due date a person typed: `followup due`, the TUI's prompt, an issue's Due line.

The one place both faces (and a sync reading an issue's block) turn such text into a
date, counted from today, so that `+7` means the same everywhere, with the same line
for text that is no date. The reading itself is postmortem.dates.resolve, the parser
post-mortems are read with.
"""

from __future__ import annotations

from datetime import date

from followup.errors import InputError
from followup.postmortem.dates import resolve

FORMS = "YYYY-MM-DD, +7, 2w, friday, end of Q1"


class BadDate(InputError, ValueError):
    """Text that is not a date; one line saying which forms are."""


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
