"""Read the rows of `followup list`'s tables through the database driver (store/direct.py).

A table shows a dozen of an item's values. An ItemView of each of 100,000 items cost
most of a second to build; the table writer (cli/tables.py) takes these plain tuples
instead, straight from the driver, in chunks of whole post-mortems. The database also
sums up what the due cell depends on in a few flags (due_key), so that the few distinct
cells are worked out once. Items with a branch protection (their target is worked out
from it) are read as views, as direct.py's other readers do, and made rows here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from followup.policy import DUE_POLICY
from followup.statuses import CLOSED_STATUSES, UNACCEPTED_STATUSES
from followup.store import direct, direct_sql, packed_rows
from followup.store.filters import ItemFilter
from followup.store.views import ItemView

# One item as a table shows it: its post-mortem (a key into the chunk's headings), its
# position (the database's order), id, status, kind, title, '@owner' (or None), priority,
# due_key's two parts, target (its issue or protected branch), status_reason, and
# whether the row is to be made from a view (only while it is read).
TableRow = tuple[
    Hashable,
    Any,
    str,
    str,
    str,
    str,
    str | None,
    str | None,
    int,
    str | None,
    str | None,
    str | None,
    Any,
]


@dataclass(frozen=True, slots=True)
class TableChunk:
    """Rows in the list's order, never part of a post-mortem's; each one's title and slug.

    The rows are held column by column (as TableRow's values), which is how the table
    writer takes them and how store/packed_rows.py reads them.
    """

    headings: Mapping[Hashable, tuple[str, str]]
    columns: tuple[Sequence[Any], ...]

    @classmethod
    def of_rows(
        cls, headings: Mapping[Hashable, tuple[str, str]], rows: list[TableRow]
    ) -> TableChunk:
        """Return the chunk of these rows."""
        return cls(headings, tuple(zip(*rows, strict=True)) if rows else _NO_COLUMNS)

    @property
    def size(self) -> int:
        """Return how many rows the chunk holds."""
        return len(self.columns[0])

    @property
    def rows(self) -> list[TableRow]:
        """Return the rows, each a tuple."""
        return list(zip(*self.columns, strict=True))


_NO_COLUMNS: tuple[Sequence[Any], ...] = ((),) * len(TableRow.__args__)  # type: ignore[attr-defined]


# -- the due key ---------------------------------------------------------------------------

# Statuses in which an item no longer counts as outstanding (views.ItemView.is_overdue).
_DONE_WITH = frozenset(s.value for s in CLOSED_STATUSES | UNACCEPTED_STATUSES)
# The day output.TODAY_ALL_LATE measures the widest due cells on (date.max).
LAST_DAY = date.max
_LAST = LAST_DAY.isoformat()

# The flags of a due key: the date set by the policy, the item outstanding, overdue
# today, past the policy's deadline today, that deadline on the last day or before it,
# and no due date (the key's text is then the due date as written).
POLICY, OUTSTANDING, OVERDUE, PAST, DEADLINE_LAST, DEADLINE, UNDATED = (1, 2, 4, 8, 16, 32, 64)
DueKey = tuple[int, str | None]


@dataclass(frozen=True, slots=True)
class DueFields:
    """Values that give any item with this due key the same due cell (output.due_cell).

    The status and the policy deadline stand for the item's: outstanding or not, the
    deadline absent, passed today, not passed, or the last day.
    """

    due: date | None
    due_text: str | None
    due_source: str | None
    status: str
    policy_due: date | None


def due_key(
    status: str,
    due: str | None,
    due_text: str | None,
    due_source: str | None,
    policy_due: str | None,
    today: str,
) -> DueKey:
    """Return what an item's due cell depends on (dates as ISO text), as _DUE_FLAGS does.

    The flags, and the due date, or the due date as written when there is none.
    """
    flags = POLICY if due_source == DUE_POLICY else 0
    if status not in _DONE_WITH:
        flags |= OUTSTANDING
        if due is not None and due < today:
            flags |= OVERDUE
        if policy_due is not None and policy_due < today:
            flags |= PAST
    if policy_due is not None:
        flags |= DEADLINE if policy_due < _LAST else DEADLINE_LAST
    if due is None:
        return flags | UNDATED, due_text
    return flags, due


def due_fields(key: DueKey, today: date) -> DueFields:
    """Return values that give the due cell of items with this due key."""
    flags, text = key
    policy_due = None
    if flags & DEADLINE_LAST:
        policy_due = LAST_DAY
    elif flags & DEADLINE:
        # Before the last day; before today if passed (only an outstanding item's is).
        policy_due = date.min if flags & PAST else today
    undated = flags & UNDATED or text is None
    return DueFields(
        None if undated else date.fromisoformat(text or ""),
        text if undated else None,
        DUE_POLICY if flags & POLICY else None,
        "open" if flags & OUTSTANDING else "done",
        policy_due,
    )


def due_flags_sql() -> str:
    """Return SQL giving the flags of due_key (a sum of CASEs: no text to form)."""
    outstanding = f"a.status NOT IN {direct_sql.in_list(direct_sql.NOT_OUTSTANDING)}"
    return (
        f"CASE WHEN a.due_source = {direct_sql.literal(DUE_POLICY)} THEN {POLICY} ELSE 0 END"
        f" + CASE WHEN {outstanding} THEN {OUTSTANDING}"
        f" + CASE WHEN a.due < :today THEN {OVERDUE} ELSE 0 END"
        f" + CASE WHEN a.policy_due < :today THEN {PAST} ELSE 0 END ELSE 0 END"
        f" + CASE WHEN a.policy_due IS NULL THEN 0 WHEN a.policy_due < :last THEN {DEADLINE}"
        f" ELSE {DEADLINE_LAST} END + CASE WHEN a.due IS NULL THEN {UNDATED} ELSE 0 END"
    )


# -- rows of views -------------------------------------------------------------------------


def row_of(item: ItemView, today: date, key: Hashable) -> TableRow:
    """Return the table row of an item's view, under the post-mortem key given."""
    return (
        key,
        None,
        item.id,
        item.status,
        item.kind,
        item.title,
        f"@{item.owner}" if item.owner else None,
        item.priority,
        *due_key(
            item.status,
            None if item.due is None else item.due.isoformat(),
            item.due_text,
            item.due_source,
            None if item.policy_due is None else item.policy_due.isoformat(),
            today.isoformat(),
        ),
        item.target,
        item.status_reason,
        False,
    )


def chunks_of(items: Iterable[ItemView], today: date) -> Iterator[TableChunk]:
    """Yield the table rows of views in the list's order, a post-mortem's run a chunk."""
    for slug, group in groupby(items, key=_POSTMORTEM):
        rows = list(group)
        headings: dict[Hashable, tuple[str, str]] = {slug: (rows[0].postmortem_title, slug)}
        yield TableChunk.of_rows(headings, [row_of(item, today, slug) for item in rows])


def _postmortem(item: ItemView) -> str:
    return item.postmortem


_POSTMORTEM = _postmortem


# -- reading -------------------------------------------------------------------------------


def table_sql(
    dialect: str, flt: ItemFilter, today: date, *, suggested: bool
) -> tuple[str, str, dict[str, Any]]:
    """Return the rows' query, the query of the views of rows made from views, and params.

    As direct_sql.list_sql's queries for plain lines (same filter, joins and order):
    suggestions, or the rest. PostgreSQL orders by post-mortem only (direct.list_batches puts
    each one's items in position order).
    """
    joins, where, params = _table_where(dialect, flt, today, suggested=suggested)
    python = direct_sql.formed_in_python(False)
    if dialect == "sqlite":
        position, order = "NULL", direct_sql.ORDER
    else:
        position, order = "a.position", direct_sql.PM_ORDER
    columns = (
        f"p.id, {position}, a.id, a.status, a.kind, a.title, "
        "CASE WHEN a.owner <> '' THEN '@' || a.owner END, a.priority, "
        f"{due_flags_sql()}, coalesce({direct_sql.iso_date(dialect, 'a.due')}, a.due_text), "
        f"i.repo || '#' || CAST(i.number AS TEXT), a.status_reason, {python}"
    )
    rows = f"SELECT {columns} {joins} {where} {order}"
    return rows, direct_sql.formed_in_python_sql(joins, where, python), params


def _table_where(
    dialect: str, flt: ItemFilter, today: date, *, suggested: bool
) -> tuple[str, str, dict[str, Any]]:
    """Return the FROM and WHERE clauses of the list's rows (suggestions or the rest)."""
    params = direct_sql.params_for(dialect, today)
    params["last"] = _LAST if dialect == "sqlite" else LAST_DAY
    where = direct_sql.where_clause(flt, params)
    unaccepted = "IN" if suggested else "NOT IN"
    where = direct_sql.and_where(
        where, f"a.status {unaccepted} {direct_sql.in_list(direct_sql.UNACCEPTED)}"
    )
    joins = direct_sql.JOINS
    if suggested and dialect == "sqlite":
        # As direct_sql.list_sql: the few suggestions found through the index of statuses.
        joins = direct_sql.SUGGESTED_JOINS
        where = direct_sql.and_where(where, "a.postmortem_id = p.id")
    return joins, where, params


def iter_chunks(
    store: direct.DirectStore, flt: ItemFilter, today: date, *, suggested: bool
) -> Iterator[TableChunk]:
    """Yield the list's table rows in chunks of whole post-mortems: suggestions or the rest.

    The rest (most of a list) is read packed (store/packed_rows.py); the few suggestions
    row by row.
    """
    headings: dict[Hashable, tuple[str, str]] = {
        pm_id: (title, slug)
        for pm_id, title, slug in store._execute(
            "SELECT id, title, slug FROM postmortem", {}
        ).fetchall()
    }
    rows_sql, views_sql, params = table_sql(store.dialect, flt, today, suggested=suggested)
    views = direct.item_views(store, views_sql, params)
    batches: Iterator[Any]
    if not suggested:
        _, where, _ = _table_where(store.dialect, flt, today, suggested=False)
        batches = packed_rows.chunks(store, flt, where, params, rows_sql, due_flags_sql())
    elif store.dialect == "sqlite":
        batches = map(
            _columns, direct.whole_postmortems(direct.stream_rows(store, rows_sql, params, "table"))
        )
    else:
        # In position order, the next batch fetched meanwhile.
        batches = map(_columns, direct.list_batches(store, rows_sql, params))
    for columns in batches:
        if any(columns[-1]):
            rows = [
                row_of(views(row[2]), today, row[0]) if row[-1] else row
                for row in zip(*columns, strict=True)
            ]
            columns = _columns(rows)  # noqa: PLW2901
        yield TableChunk(headings, columns)


def _columns(rows: list[Any]) -> tuple[Sequence[Any], ...]:
    return tuple(zip(*rows, strict=True)) if rows else _NO_COLUMNS
