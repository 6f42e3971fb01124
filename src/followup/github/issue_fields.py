"""Read back what followup wrote into an issue's body: owner, due date, priority.

An issue filed by followup lists the item's fields (`- **Due:** 2026-03-01`, see
issue_mapping.build_issue) above its hidden marker. A run with an empty store, in CI,
reads them from there; the last such line of each field counts, as the marker does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_FIELD = re.compile(r"^\s*[-*]\s+\*\*(?P<name>Owner|Due|Priority):\*\*\s*(?P<value>.+?)\s*$", re.M)
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")
_LOGIN = re.compile(r"^@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})(?![\w/-])")
_PRIORITY = re.compile(r"^(P[0-3])\b", re.I)


@dataclass(frozen=True, slots=True)
class IssueFields:
    """The item's fields as its issue's body gives them (None when absent or unreadable)."""

    owner: str | None = None
    due: date | None = None
    priority: str | None = None


def issue_fields(body: str | None) -> IssueFields:
    """Return the owner (a login), due date and priority followup wrote into a body."""
    found: dict[str, str] = {}
    for match in _FIELD.finditer(body or ""):
        found[match["name"]] = match["value"]
    owner = _LOGIN.match(found.get("Owner", ""))
    due = _DATE.match(found.get("Due", ""))
    priority = _PRIORITY.match(found.get("Priority", ""))
    day: date | None = None
    if due is not None:
        try:
            day = date.fromisoformat(due[1])
        except ValueError:
            day = None
    return IssueFields(
        owner=owner[1] if owner else None,
        due=day,
        priority=priority[1].upper() if priority else None,
    )
