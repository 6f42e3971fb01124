"""The reader: post-mortem Markdown in, plain dataclasses out."""

from __future__ import annotations

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
from followup.postmortem.reader import context, parse, read

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
