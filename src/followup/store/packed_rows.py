"""Read `followup list`'s table rows packed: a chunk of post-mortems' values as one text.

A driver makes a Python object of every value it reads: the dozen columns of 100,000
rows cost about a third of a second, in the thread that also lays the tables out. Here
the database joins each row's values, and the rows of a chunk, with a separator (the
unit separator, U+001F) into one text; Python splits it with one str.split and takes
each column as a slice. SQLite forms a chunk's text in one step, during which sqlite3
lets other threads run: a thread reads the next chunk while this one's tables are
formed. PostgreSQL joins each post-mortem's rows in position order (string_agg) and
sends a batch of post-mortems while the next is worked out.

A value holding the separator adds a field, and a NULL where none is expected drops a
row (|| gives NULL): either way the chunk's fields do not number its rows times the
fields of a row, and that chunk is read row by row instead (table_rows.table_sql's
query, kept to the chunk's post-mortems).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from followup.store import direct, direct_sql
from followup.store.filters import ItemFilter

SEPARATOR = "\x1f"
# Post-mortems a chunk: SQLite's per statement, PostgreSQL's per batch it sends.
CHUNK_POSTMORTEMS = 200
# A row's fields, in TableRow's order less the position: the post-mortem's id, the item's
# id, status, kind, title, '@owner', priority, due flags, due text, target, reason, and
# '1' when the row is to be made from a view.
FIELDS = 12
Columns = tuple[Sequence[Any], ...]


def _row(dialect: str, due_flags: str) -> str:
    """Return SQL joining a row's fields with the separator (NULL if one must not be)."""
    if dialect == "sqlite":
        sep, number, python = "char(31)", "i.number", "(a.protection IS NOT NULL)"
        flags = f"({due_flags})"
    else:
        sep, number = "chr(31)", "CAST(i.number AS TEXT)"
        python = "CASE WHEN a.protection IS NOT NULL THEN '1' ELSE '0' END"
        flags = f"CAST(({due_flags}) AS TEXT)"
    fields = [
        "CAST(p.id AS TEXT)",
        "a.id",
        "a.status",
        "a.kind",
        "a.title",
        "coalesce('@' || nullif(a.owner, ''), '')",
        "coalesce(a.priority, '')",
        flags,
        f"coalesce({direct_sql.iso_date(dialect, 'a.due')}, a.due_text, '')",
        f"coalesce(i.repo || '#' || {number}, '')",
        "coalesce(a.status_reason, '')",
        python,
    ]
    assert len(fields) == FIELDS
    return f" || {sep} || ".join(fields)


def _split(count: int, text: str) -> Columns | None:
    """Return a chunk's columns from its text (TableRow's), or None if it does not split."""
    values = text.split(SEPARATOR)
    if len(values) != count * FIELDS:
        return None
    keys = list(map(int, values[0::FIELDS]))
    flags = list(map(int, values[7::FIELDS]))
    python = list(map("1".__eq__, values[11::FIELDS]))
    middle = [values[at::FIELDS] for at in range(1, 7)]
    return (
        keys,
        [None] * count,
        *middle,
        flags,
        values[8::FIELDS],
        values[9::FIELDS],
        values[10::FIELDS],
        python,
    )


def chunks(
    store: direct.DirectStore,
    flt: ItemFilter,
    where: str,
    params: dict[str, Any],
    rows_sql: str,
    due_flags: str,
) -> Iterator[Columns]:
    """Yield the columns of the list's rows, a chunk of post-mortems at a time.

    where and params select the rows (table_rows' FROM direct_sql.JOINS); due_flags is SQL
    giving their due flags; rows_sql is table_rows.table_sql's query of the same rows,
    which reads a chunk whose text does not split.
    """
    row = _row(store.dialect, due_flags)
    packed = _sqlite_chunks if store.dialect == "sqlite" else _postgresql_chunks
    for ids, count, text in direct.prefetched(packed(store, flt, where, row, params)):
        columns = _split(count, text)
        if columns is None:
            columns = _read_rows(store, rows_sql, params, ids)
        yield columns


def _sqlite_chunks(
    store: direct.DirectStore, flt: ItemFilter, where: str, row: str, params: dict[str, Any]
) -> Iterator[tuple[list[int], int, str]]:
    # The list's post-mortems in order (one, if the filter names it), a chunk a statement.
    one = "WHERE p.slug = :slug" if flt.postmortem else ""
    found = store._execute(f"SELECT p.id FROM postmortem AS p {one} {direct_sql.PM_ORDER}", params)
    ids = [pm_id for (pm_id,) in found.fetchall()]
    where = direct_sql.and_where(where, "a.postmortem_id IN (SELECT value FROM json_each(:chunk))")
    # group_concat meets the rows in the ordered subquery's order (as in direct's _chunk_sql).
    sql = (
        f"SELECT count(*), group_concat(r, char(31)) FROM (SELECT {row} AS r "
        f"{direct_sql.JOINS} {where} {direct_sql.ORDER})"
    )
    for start in range(0, len(ids), CHUNK_POSTMORTEMS):
        chunk = ids[start : start + CHUNK_POSTMORTEMS]
        count, text = store._execute(sql, {**params, "chunk": json.dumps(chunk)}).fetchone()
        if count:
            yield chunk, count, text or ""


def _postgresql_chunks(
    store: direct.DirectStore, flt: ItemFilter, where: str, row: str, params: dict[str, Any]
) -> Iterator[tuple[list[int], int, str]]:
    del flt  # the filter is in where
    for ids, counts, text in postgresql_chunks(store, row, where, params, CHUNK_POSTMORTEMS):
        yield ids, sum(counts), text


def postgresql_chunks(
    store: direct.DirectStore, row: str, where: str, params: dict[str, Any], size: int
) -> Iterator[tuple[list[int], list[int], str]]:
    """Yield post-mortems' ids, their counts of rows and the rows joined, size at a time.

    row is SQL giving a row's fields joined; where the rows' WHERE clause (over the
    tables of direct_sql.JOINS). Each post-mortem's rows are joined in position order by a
    subquery run for it as the post-mortems come in the list's order, so the first are
    sent while the server works on the next (grouping them all first meant sorting all
    their texts before sending any).
    """
    rows = (
        f"SELECT count(*) AS n, string_agg({row}, chr(31) ORDER BY a.position) AS text "
        "FROM action_item AS a LEFT OUTER JOIN github_issue AS i ON a.issue_id = i.id "
        f"{direct_sql.and_where(where, 'a.postmortem_id = p.id')}"
    )
    sql = (
        f"SELECT p.id, x.n, x.text FROM postmortem AS p CROSS JOIN LATERAL ({rows}) AS x "
        f"WHERE x.n > 0 {direct_sql.PM_ORDER}"
    )
    for batch in direct.stream_rows(store, sql, params, "packed", size=size):
        texts = [text or "" for _, _, text in batch]
        yield [pm_id for pm_id, _, _ in batch], [n for _, n, _ in batch], SEPARATOR.join(texts)


def _read_rows(
    store: direct.DirectStore, rows_sql: str, params: dict[str, Any], ids: list[int]
) -> Columns:
    """Return the columns of the rows of these post-mortems, read row by row."""
    head, order = rows_sql.split(" ORDER BY ")
    if store.dialect == "sqlite":
        member = "p.id IN (SELECT value FROM json_each(:chunk))"
        chunk: Any = json.dumps(ids)
    else:
        member = "p.id = ANY(:chunk)"
        chunk = ids
    joined = f" AND {member}" if " WHERE " in head else f" WHERE {member}"
    sql = f"{head}{joined} ORDER BY {order}"
    rows = [
        row
        for batch in direct.stream_rows(store, sql, {**params, "chunk": chunk}, "rows")
        for row in batch
    ]
    if store.dialect != "sqlite":
        rows = [row for run in direct.by_position([rows]) for row in run]
    return tuple(zip(*rows, strict=True))
