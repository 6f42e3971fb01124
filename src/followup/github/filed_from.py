"""Read back what an item's issue body says it was filed from (github/issue_mapping.build_issue).

The marker names the item by an id derived from its post-mortem's slug, which a renamed
file changes; the visible lines above it still name the item, the post-mortem's title
and the file it was in, which is what recognising a renamed post-mortem needs
(sync/moved_issues.py). Nothing here touches the network or the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The first lines build_issue writes: the item's title, then among the fields the
# post-mortem's title with its file and line.
_ITEM = re.compile(r"^Action item from a post-mortem: \*\*(?P<title>.+)\*\*[ \t\r]*$", re.MULTILINE)
_POSTMORTEM = re.compile(
    r"^- \*\*Post-mortem:\*\* (?P<title>.+) \(`(?P<document>[^`\n]+)`, line \d+\)[ \t\r]*$",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class FiledFrom:
    """The item and post-mortem an issue body names in followup's own lines."""

    item_title: str
    postmortem_title: str
    document: str  # the file, relative to its repository, when the issue was filed


def filed_from(body: str | None) -> FiledFrom | None:
    """Return what a followup issue body says it was filed from, or None if it does not say."""
    if not body:
        return None
    item = _ITEM.search(body)
    if item is None:
        return None
    # followup's fields come right after the title, before any quoted context.
    postmortem = _POSTMORTEM.search(body, item.end())
    if postmortem is None:
        return None
    return FiledFrom(item["title"].strip(), postmortem["title"].strip(), postmortem["document"])
