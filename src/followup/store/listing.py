"""Read item lists fast: the columns an ItemView needs, decoded cheaply, never the document.

`followup list` and the TUI read every item of the store: 100,000 rows of some 35 columns.
Through the ORM each would become an object first, and each time and JSON value would go
through SQLAlchemy's generic decoders; here the columns are selected directly and SQLite's
text-stored times and JSON are decoded by the standard library's C functions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Text, cast, type_coerce
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import UTCDateTime

from followup.postmortem.model import Reference
from followup.store.models import IssueRow, ItemRow, PostMortemRow
from followup.store.protection import BranchProtection
from followup.store.views import IssueLink, ItemView, display_path


class _Time(TypeDecorator[datetime]):
    """A stored time, read with datetime.fromisoformat on SQLite (aware, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None]:
        """Return the decoder for this dialect."""
        if dialect.name == "sqlite":
            return _sqlite_time
        return _aware_time


def _sqlite_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    # Stored in UTC without an offset: parsed with one, in one C call.
    return datetime.fromisoformat(value + "+00:00")


def _aware_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _JsonText(TypeDecorator[Any]):
    """A JSON value selected as its text and parsed here, skipping empty lists and nulls.

    PostgreSQL's driver would parse every JSON value with json.loads on its own; as text,
    the common values ([], null, the same label lists) cost a comparison or a cache hit.
    """

    impl = Text
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        """Return the decoder (without TypeDecorator's wrapper: it runs per value)."""
        return _json


def _json(value: str | None) -> Any:
    if value is None or value == "null":
        return None
    if value == "[]":
        return []
    return json.loads(value)


class _Names(TypeDecorator[tuple[str, ...]]):
    """A JSON list of names (labels, logins) as a tuple; the same few lists recur."""

    impl = Text
    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], tuple[str, ...]]:
        """Return the decoder (without TypeDecorator's wrapper: it runs per value)."""
        return _names


@lru_cache(maxsize=4096)
def _names(value: str | None) -> tuple[str, ...]:
    return tuple(json.loads(value)) if value else ()


def _fast(column: Any) -> Any:
    """Return the column read through a fast decoder when it is a time or JSON."""
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return type_coerce(column, _Time()).label(column.key)
    if column.key in ("assignees", "labels"):
        return type_coerce(cast(column, Text), _Names()).label(column.key)
    if isinstance(kind, JSON):
        return type_coerce(cast(column, Text), _JsonText()).label(column.key)
    return column


# The columns an ItemView is built from, in the order view_from_row reads them.
ITEM_COLUMNS: tuple[Any, ...] = tuple(
    _fast(getattr(ItemRow, name))
    for name in (
        "id",
        "title",
        "text",
        "owner",
        "priority",
        "due",
        "due_text",
        "type",
        "kind",
        "status",
        "status_reason",
        "repo",
        "references",
        "protection",
        "protection_applied",
        "line",
        "section",
        "parent",
        "doc_done",
        "created_at",
        "updated_at",
        "verified_at",
        "due_source",
        "policy_due",
    )
)
POSTMORTEM_COLUMNS: tuple[Any, ...] = (
    PostMortemRow.slug,
    PostMortemRow.title,
    PostMortemRow.path,
    PostMortemRow.incident_date,
)
_PATH = len(ITEM_COLUMNS) + 2
ISSUE_COLUMNS: tuple[Any, ...] = tuple(
    _fast(getattr(IssueRow, name))
    for name in (
        "number",
        "repo",
        "url",
        "state",
        "state_reason",
        "title",
        "assignees",
        "labels",
        "pull_request_state",
        "gone",
        "updated_at",
        "synced_at",
    )
)


# What `followup list` shows and prints (table, lines, JSON, CSV): 24 of the 40 columns.
# The times alone were a third of the decoding.
BRIEF_COLUMNS: tuple[Any, ...] = (
    *(
        _fast(getattr(ItemRow, name))
        for name in (
            "id",
            "title",
            "owner",
            "priority",
            "due",
            "due_text",
            "type",
            "kind",
            "status",
            "status_reason",
            "repo",
            "references",
            "protection",
            "protection_applied",
            "line",
            "due_source",
            "policy_due",
        )
    ),
    PostMortemRow.slug,
    PostMortemRow.title,
    PostMortemRow.path,
    IssueRow.number,
    IssueRow.repo,
    IssueRow.url,
    IssueRow.state,
)
# What a brief view holds for the columns it was not read with.
UNREAD_TIME = datetime.min.replace(tzinfo=UTC)


def brief_views(rows: Iterable[Sequence[Any]]) -> Iterator[ItemView]:
    """Build ItemViews from rows of BRIEF_COLUMNS.

    The document text is empty, the times are UNREAD_TIME, the section, parent and
    incident date None, and the issue has its repository, number, URL and state only.
    """
    shown: dict[str, str] = {}
    cwd = os.getcwd() + os.sep  # noqa: PTH109
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
            relative = shown[path] = path.removeprefix(cwd) if path.startswith(cwd) else path
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
    cwd = os.getcwd() + os.sep  # noqa: PTH109
    for row in rows:
        path = row[_PATH]
        relative = shown.get(path)
        if relative is None:
            relative = shown[path] = path.removeprefix(cwd) if path.startswith(cwd) else path
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
