"""Read item lists fast: the columns an ItemView needs, decoded cheaply, never the document.

`followup list` and the TUI read every item of the store: 100,000 rows of some 35 columns.
Through the ORM each would become an object first, and each time and JSON value would go
through SQLAlchemy's generic decoders; here the columns are selected directly and SQLite's
text-stored times and JSON are decoded by the standard library's C functions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Text, cast, type_coerce
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import UTCDateTime

from followup.store.models import IssueRow, ItemRow, PostMortemRow

# Re-exported: the views are built from plain rows in store/rows.py, which the lean
# reader (store/direct.py) shares.
from followup.store.rows import UNREAD_TIME as UNREAD_TIME  # noqa: PLC0414
from followup.store.rows import aware_time, json_value, names, sqlite_time
from followup.store.rows import brief_views as brief_views  # noqa: PLC0414
from followup.store.rows import view_from_row as view_from_row  # noqa: PLC0414
from followup.store.rows import views as views  # noqa: PLC0414


class _Time(TypeDecorator[datetime]):
    """A stored time, read with datetime.fromisoformat on SQLite (aware, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None]:
        """Return the decoder for this dialect."""
        if dialect.name == "sqlite":
            return sqlite_time
        return aware_time


class _JsonText(TypeDecorator[Any]):
    """A JSON value selected as its text and parsed here, skipping empty lists and nulls.

    PostgreSQL's driver would parse every JSON value with json.loads on its own; as text,
    the common values ([], null, the same label lists) cost a comparison or a cache hit.
    """

    impl = Text
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        """Return the decoder (without TypeDecorator's wrapper: it runs per value)."""
        return json_value


class _Names(TypeDecorator[tuple[str, ...]]):
    """A JSON list of names (labels, logins) as a tuple; the same few lists recur."""

    impl = Text
    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], tuple[str, ...]]:
        """Return the decoder (without TypeDecorator's wrapper: it runs per value)."""
        return names


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
