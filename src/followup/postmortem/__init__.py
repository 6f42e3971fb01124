"""The reader: post-mortem Markdown in, plain dataclasses out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from followup.postmortem.excerpt import context
from followup.postmortem.model import (
    DRAFT_STATUSES,
    PROTECTION_SETTINGS,
    ActionItem,
    Kind,
    PostMortem,
    ProtectionSpec,
    Reference,
    RefKind,
)

if TYPE_CHECKING:
    from followup.postmortem.reader import parse, read

# The reader (its regular expressions, YAML) loads on first use: `followup list` and
# `show` need only the model and an excerpt; the reader cost them a tenth of a second.
_READER = frozenset({"parse", "read"})


def __getattr__(name: str) -> Any:
    """Return the reader's functions, importing the reader on first use."""
    if name in _READER:
        from followup.postmortem import reader

        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DRAFT_STATUSES",
    "PROTECTION_SETTINGS",
    "ActionItem",
    "Kind",
    "PostMortem",
    "ProtectionSpec",
    "RefKind",
    "Reference",
    "context",
    "parse",
    "read",
]
