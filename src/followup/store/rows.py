"""Build views from plain rows of the listing's columns: no SQLAlchemy, no SQLModel.

store/listing.py selects the columns through SQLAlchemy and store/direct.py through the
database driver alone; both decode the values with these functions and build the same
views from them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from followup.postmortem.model import Reference
from followup.store.display_paths import display_path, listed_path, working_folder
from followup.store.protection import BranchProtection
from followup.store.views import IssueLink, ItemView

# In ITEM_COLUMNS + POSTMORTEM_COLUMNS + ISSUE_COLUMNS: where the post-mortem's path is.
PATH_AT = 26


def sqlite_time(value: str | None) -> datetime | None:
    """Return a time as SQLite stores it (UTC, no offset) as an aware datetime."""
    if value is None:
        return None
    # Stored in UTC without an offset: parsed with one, in one C call.
    return datetime.fromisoformat(value + "+00:00")


def aware_time(value: datetime | None) -> datetime | None:
    """Return a time from PostgreSQL as an aware datetime in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_value(value: str | None) -> Any:
    """Return a JSON value selected as its text (empty lists and nulls cost no parse)."""
    if value is None or value == "null":
        return None
    if value == "[]":
        return []
    return json.loads(value)


@lru_cache(maxsize=4096)
def names(value: str | None) -> tuple[str, ...]:
    """Return a JSON list of names (labels, logins) as a tuple; the same few recur."""
    return tuple(json.loads(value)) if value else ()


# What a brief view holds for the columns it was not read with.
UNREAD_TIME = datetime.min.replace(tzinfo=UTC)


def brief_views(rows: Iterable[Sequence[Any]]) -> Iterator[ItemView]:
    """Build ItemViews from rows of BRIEF_COLUMNS.

    The document text is empty, the times are UNREAD_TIME, the section, parent and
    incident date None, and the issue has its repository, number, URL and state only.
    """
    shown: dict[str, str] = {}
    cwd = working_folder()
    for (
        item_id,
        title,
        owner,
        priority,
        due,
        due_text,
        type_,
        kind,
        status,
        status_reason,
        repo,
        references,
        protection,
        protection_applied,
        line,
        due_source,
        policy_due,
        slug,
        pm_title,
        path,
        number,
        issue_repo,
        url,
        state,
    ) in rows:
        relative = shown.get(path)
        if relative is None:
            relative = shown[path] = listed_path(path, cwd)
        # Positional: keyword arguments cost a third more per view, 100,000 times.
        yield ItemView(
            item_id,
            slug,
            pm_title,
            title,
            "",
            owner,
            priority,
            due,
            due_text,
            type_,
            kind,
            status,
            status_reason,
            repo,
            tuple(Reference.from_dict(ref) for ref in references) if references else (),
            BranchProtection.from_stored(protection, protection_applied, item_repo=repo)
            if protection
            else None,
            relative,
            line,
            None,
            None,
            False,
            None if number is None else IssueLink(issue_repo, number, url, state),
            UNREAD_TIME,
            UNREAD_TIME,
            None,
            due_source,
            policy_due,
            None,
        )


def views(rows: Iterable[Sequence[Any]]) -> Iterator[ItemView]:
    """Build ItemViews from rows of ITEM_COLUMNS, POSTMORTEM_COLUMNS and ISSUE_COLUMNS."""
    shown: dict[str, str] = {}
    cwd = working_folder()
    for row in rows:
        path = row[PATH_AT]
        relative = shown.get(path)
        if relative is None:
            relative = shown[path] = listed_path(path, cwd)
        yield view_from_row(row, relative)


def view_from_row(row: Sequence[Any], source_path: str | None = None) -> ItemView:
    """Build an ItemView from a row of ITEM_COLUMNS, POSTMORTEM_COLUMNS and ISSUE_COLUMNS."""
    (
        item_id,
        title,
        text,
        owner,
        priority,
        due,
        due_text,
        type_,
        kind,
        status,
        status_reason,
        repo,
        references,
        protection,
        protection_applied,
        line,
        section,
        parent,
        doc_done,
        created_at,
        updated_at,
        verified_at,
        due_source,
        policy_due,
        slug,
        pm_title,
        path,
        incident_date,
        number,
        *issue,
    ) = row
    return ItemView(
        id=item_id,
        postmortem=slug,
        postmortem_title=pm_title,
        title=title,
        text=text,
        owner=owner,
        priority=priority,
        due=due,
        due_text=due_text,
        type=type_,
        kind=kind,
        status=status,
        status_reason=status_reason,
        repo=repo,
        links=tuple(Reference.from_dict(ref) for ref in references) if references else (),
        protection=BranchProtection.from_stored(protection, protection_applied, item_repo=repo),
        source_path=display_path(path) if source_path is None else source_path,
        line=line,
        section=section,
        parent=parent,
        doc_done=doc_done,
        issue=_issue_link(number, issue) if number is not None else None,
        created_at=created_at,
        updated_at=updated_at,
        verified_at=verified_at,
        due_source=due_source,
        policy_due=policy_due,
        postmortem_date=incident_date,
    )


def _issue_link(number: int, fields: Sequence[Any]) -> IssueLink:
    repo, url, state, reason, title, assignees, labels, pr_state, gone, updated, synced = fields
    return IssueLink(
        repo=repo,
        number=number,
        url=url,
        state=state,
        state_reason=reason,
        title=title,
        assignees=assignees,
        labels=labels,
        pull_request_state=pr_state,
        gone=gone,
        updated_at=updated,
        synced_at=synced,
    )
