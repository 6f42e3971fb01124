"""Tell what each column of an action-items table holds, from its header."""

from __future__ import annotations

import re
from collections.abc import Sequence

_NOISE = re.compile(r"[^\w\s/-]+")
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "title",
            r"^(?:action(?:\s*items?)?|actions|items?|tasks?|descriptions?|what|follow[\s-]*ups?"
            r"|corrective\s+actions?|remediations?(?:\s+items?)?|to\s*-?\s*dos?|recommendations?"
            r"|next\s+steps?|title|summary)$",
        ),
        ("owner", r"^(?:owners?|assignees?|assigned\s+to|who|dri|responsible)$"),
        (
            "ref",
            r"^(?:bugs?|issues?|tickets?|tracking(?:\s+(?:issue|bug|link|ticket))?|links?|jira"
            r"|prs?|pull\s+requests?|refs?|references?)$",
        ),
        ("due", r"^(?:due(?:\s+date)?|eta|deadline|target(?:\s+date)?|when|by)$"),
        ("priority", r"^(?:priority|pri|prio|severity|sev|p)$"),
        ("type", r"^(?:type|category|kind|class)$"),
        ("status", r"^(?:status|state|done|complete|completed|progress)$"),
    )
)
# Header names that make a table an action-items table wherever it appears.
_STRONG_TITLE = re.compile(
    r"^(?:action\s*items?|corrective\s+actions?|follow[\s-]*ups?|remediation(?:\s+items?)?)$"
)


def _normalise(header: str) -> str:
    return " ".join(_NOISE.sub(" ", header.lower()).split())


def roles(headers: Sequence[str]) -> list[str | None]:
    """Return each column's role: title, owner, ref, due, priority, type, status or None."""
    out: list[str | None] = []
    for header in headers:
        norm = _normalise(header)
        role = next((name for name, pattern in _ROLES if pattern.match(norm)), None)
        out.append(role if role not in out else None)
    return out


def is_action_table(headers: Sequence[str]) -> bool:
    """Tell whether a header row alone says the table lists action items."""
    return any(_STRONG_TITLE.match(_normalise(h)) for h in headers)
