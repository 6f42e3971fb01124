"""Which items a list asks for: the filter and its parts, shared by every reader."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from followup.errors import InputError
from followup.statuses import CLOSED_STATUSES, UNACCEPTED_STATUSES, Status

DONE_STATUSES = (Status.DONE.value, Status.WONT_DO.value)
OPEN_STATUSES = tuple(
    s.value for s in Status if s not in CLOSED_STATUSES and s not in UNACCEPTED_STATUSES
)
# Statuses hidden unless asked for: removed from the document, or a dismissed suggestion.
HIDDEN_STATUSES = (Status.REMOVED.value, Status.DISMISSED.value)


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Which items to list; every criterion given must hold."""

    statuses: frozenset[str] = frozenset()
    owner: str | None = None
    postmortem: str | None = None
    kind: str | None = None
    repo: str | None = None
    overdue: bool = False
    past_policy: bool = False
    text: str | None = None
    include_removed: bool = False


def normalise_owner(owner: str) -> str:
    """Return an owner as stored: a login without its @."""
    return owner.strip().removeprefix("@")


def like_pattern(text: str) -> str:
    """Return a LIKE pattern (escape character \\) finding text, lower-cased, literally."""
    # The user's text is literal: % and _ must not act as LIKE wildcards.
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_statuses(values: Iterable[str]) -> frozenset[str]:
    """Validate status names given by a user; "won't do" spellings are accepted."""
    known = {s.value for s in Status}
    out: set[str] = set()
    for raw in values:
        for part in raw.split(","):
            name = part.strip().lower().replace(" ", "_").replace("-", "_").replace("'", "")
            if not name:
                continue
            if name not in known:
                raise InputError(
                    f"unknown status {part.strip()!r}; use one of {', '.join(sorted(known))}"
                )
            out.add(name)
    return frozenset(out)
