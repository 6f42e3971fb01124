"""'did you mean …' for names a user mistyped: commands, settings, variables."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice nearest to word, or None when none is near enough."""
    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' for the nearest choice, or '' when none is near."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""
