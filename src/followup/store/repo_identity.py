"""Repositories GitHub knows by another name now: record them, and show items by it.

Post-mortems keep naming a repository as it was when they were written; GitHub keeps a
renamed or transferred repository's id and redirects the old name. The store records
each name followup has seen redirected, with the repository's id and its current
owner/name, and the CLI shows items under the current name.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from followup.store.models import RepoIdentityRow
from followup.store.views import ItemView

# How long a recorded identity is trusted before a redirect makes followup ask again.
RECHECK_AFTER = timedelta(days=1)


def record_identity(session: Session, name: str, repo_id: int, current: str, at: datetime) -> bool:
    """Record that GitHub calls repository `repo_id` (once `name`) `current`; True if new.

    Every other name recorded for the same id takes the current name too.
    """
    key = name.lower()
    row = session.get(RepoIdentityRow, key)
    changed = row is None or row.repo_id != repo_id or row.current != current
    if row is None:
        row = RepoIdentityRow(name=key)
    row.repo_id = repo_id
    row.current = current
    row.checked_at = at
    session.add(row)
    aliases = select(RepoIdentityRow).where(
        RepoIdentityRow.repo_id == repo_id, RepoIdentityRow.name != key
    )
    for other in session.exec(aliases):
        other.current = current
    session.flush()
    return changed


def recently_checked(session: Session, name: str, repo_id: int, now: datetime) -> bool:
    """Tell whether the name's identity was confirmed lately (no need to ask GitHub)."""
    row = session.get(RepoIdentityRow, name.lower())
    if row is None or row.repo_id != repo_id or row.checked_at is None:
        return False
    checked = row.checked_at if row.checked_at.tzinfo else row.checked_at.replace(tzinfo=now.tzinfo)
    return now - checked < RECHECK_AFTER


def renamed_repos(session: Session) -> dict[str, str]:
    """Return old name (lowercase) -> current owner/name, for names GitHub moved."""
    rows = session.exec(select(RepoIdentityRow).where(col(RepoIdentityRow.current).is_not(None)))
    return {
        row.name: row.current for row in rows if row.current and row.current.lower() != row.name
    }


def current_repo(name: str | None, renamed: dict[str, str]) -> str | None:
    """Return a repository's current owner/name (the name itself if it did not move)."""
    if name is None:
        return None
    return renamed.get(name.lower(), name)


def with_current_names(item: ItemView, renamed: dict[str, str]) -> ItemView:
    """Return an item whose repository, issue and protection use the current names."""
    if not renamed:
        return item
    repo = current_repo(item.repo, renamed)
    issue = item.issue
    if issue is not None and issue.repo.lower() in renamed:
        issue = dataclasses.replace(issue, repo=renamed[issue.repo.lower()])
    protection = item.protection
    protected = protection.repo if protection is not None else None
    if protection is not None and protected is not None and protected.lower() in renamed:
        protection = dataclasses.replace(protection, repo=renamed[protected.lower()])
    if (repo, issue, protection) == (item.repo, item.issue, item.protection):
        return item
    return dataclasses.replace(item, repo=repo, issue=issue, protection=protection)


def renames_among(items: list[ItemView], renamed: dict[str, str]) -> list[tuple[str, str]]:
    """Return (old, current) for each renamed repository that the items name."""
    seen: dict[str, str] = {}
    for item in items:
        names = [item.repo, item.issue.repo if item.issue else None]
        names.append(item.protection.repo if item.protection is not None else None)
        for name in names:
            if name and name.lower() in renamed:
                seen[name.lower()] = renamed[name.lower()]
    return sorted(seen.items())
