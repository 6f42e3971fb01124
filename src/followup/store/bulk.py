"""Insert many rows at once through the driver, the values as SQLAlchemy would send them.

A Core executemany spends most of its time building and converting one parameter set
per row; an import of 1,000 post-mortems writes over 20,000 rows. Here each value goes
through its column's own bind processor (so the stored values are exactly the ones the
ORM and Core store), the converted form of repeated values (the import's one timestamp)
is worked out once, and the rows go to the driver in one call, on the session's
connection and inside its transaction: sqlite3's executemany, PostgreSQL's COPY.

A database failure still becomes the StoreError it amounts to (store/failures.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from followup.store.failures import explain

_Processor = Callable[[Any], Any]
# Types whose equal values always convert alike (bool and int do so apart, not mixed):
# a column of them is converted once per distinct value, the import's one timestamp once.
_EXACT = frozenset({str, int, bool, date, type(None)})
_TIMES = frozenset({datetime, type(None)})


def _where(conn: Connection) -> str:
    url = conn.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database.removeprefix("file:").split("?", 1)[0]
    return url.render_as_string(hide_password=True)


def _converted(values: Sequence[Any], processor: _Processor) -> Sequence[Any]:
    """Return one column's values as the processor makes them, each distinct one once."""
    kinds = set(map(type, values))
    exact = kinds <= _EXACT and not {bool, int} <= kinds
    # Aware times with one tzinfo are equal only when they read the same: safe to share.
    if not exact and kinds <= _TIMES:
        exact = len({value.tzinfo for value in values if value is not None}) <= 1
    if exact:
        made = {value: processor(value) for value in set(values)}
        return list(map(made.__getitem__, values))
    # JSON: most items' references and overrides are empty, and converted once.
    empty: dict[type, Any] = {}
    out = []
    for value in values:
        if not value and isinstance(value, list | dict):
            kind = type(value)
            if kind not in empty:
                empty[kind] = processor(value)
            out.append(empty[kind])
        else:
            out.append(processor(value))
    return out


def insert(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows (each a sequence of values in the order of columns) into table.

    Like session.execute, it flushes the session's pending changes first (unless in a
    no_autoflush block): the order of a transaction's writes stays the order it made them.
    """
    if session.autoflush:
        session.flush()
    conn = session.connection()
    dialect = conn.dialect
    targets = [table.c[name] for name in columns]
    rows = list(rows)
    if not rows:
        return
    # Column by column: each value through its column's bind processor, if it has one.
    values: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for i, column in enumerate(targets):
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            values[i] = _converted(values[i], processor)
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in targets)
    table_name = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        _dump_json(conn, values)
        _copy(conn, f"COPY {table_name} ({names}) FROM STDIN", list(zip(*values, strict=True)))
        return
    converted = list(zip(*values, strict=True))
    marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in targets)
    conn.exec_driver_sql(f"INSERT INTO {table_name} ({names}) VALUES ({marks})", converted)


def _dump_json(conn: Connection, columns: list[Sequence[Any]]) -> None:
    """Replace psycopg's JSON wrappers by the text psycopg would send for them, each once.

    COPY would dump every row's wrapper again, though most are one shared empty value.
    """
    from psycopg.adapt import PyFormat
    from psycopg.types.json import Json

    raw: Any = conn.connection.dbapi_connection
    dumper = None
    for i, values in enumerate(columns):
        if not any(isinstance(value, Json) for value in values):
            continue
        if dumper is None:
            dumper = raw.adapters.get_dumper(Json, PyFormat.TEXT)(Json, raw)
        done: dict[int, str] = {}
        out = []
        for value in values:
            if isinstance(value, Json):
                text = done.get(id(value))
                if text is None:
                    text = done[id(value)] = bytes(dumper.dump(value)).decode()
                out.append(text)
            else:
                out.append(value)
        columns[i] = out


def _copy(conn: Connection, statement: str, rows: list[tuple[Any, ...]]) -> None:
    """Send rows through COPY, turning a driver failure into what SQLAlchemy would raise."""
    raw: Any = conn.connection.dbapi_connection
    error = conn.dialect.loaded_dbapi.Error
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except error as exc:
        found = explain(exc, _where(conn))
        if found is not None:
            raise found from None
        raise DBAPIError.instance(statement, None, exc, error, hide_parameters=True) from None
