"""When each item last heard from GitHub: the TUI's "Synced" column, read on its own.

The TUI reads items through the brief listing (listing.brief_views), which leaves the
times out; this adds the two it shows, for the items that have either.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, or_, select

from followup.store.listing import _fast
from followup.store.models import IssueRow, ItemRow

SyncTimes = tuple[datetime | None, datetime | None]


def sync_times(session: Session, item_ids: set[str] | None = None) -> dict[str, SyncTimes]:
    """Return each item's (protection verified at, issue synced at), when it has one."""
    query = (
        select(col(ItemRow.id), _fast(ItemRow.verified_at), _fast(IssueRow.synced_at))
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(or_(col(ItemRow.verified_at).is_not(None), col(IssueRow.synced_at).is_not(None)))
    )
    if item_ids is not None:
        query = query.where(col(ItemRow.id).in_(sorted(item_ids)))
    # Items synced together share their times: one copy each.
    seen: dict[datetime | None, datetime | None] = {}
    one = seen.setdefault
    return {
        item_id: (one(verified, verified), one(synced, synced))
        for item_id, verified, synced in session.connection().execute(query)
    }
