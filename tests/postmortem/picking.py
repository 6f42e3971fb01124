"""Pick a read post-mortem's items apart by kind, for the reader's tests on unseen text."""

from __future__ import annotations

from followup.postmortem import ActionItem, PostMortem


def explicit(pm: PostMortem) -> list[str]:
    """Return the titles of the items the document states outright."""
    return [item.title for item in pm.items if not item.suggested]


def suggested(pm: PostMortem) -> list[str]:
    """Return the titles of the commitments read from prose."""
    return [item.title for item in pm.items if item.suggested]


def by_title(pm: PostMortem, title: str) -> ActionItem:
    """Return the item with exactly this title."""
    return next(item for item in pm.items if item.title == title)
