"""Read the store through its database driver alone: `followup list` and `show` at scale.

SQLAlchemy and SQLModel cost a CLI run half a second of imports, and building 100,000
rows of two dozen Python objects costs another second. For the reads that must answer
within a second (issue 12) this module talks to sqlite3 or psycopg directly. SQLite forms
each line of `followup list` (plain, or JSON) in SQL, as one string, the JSON a chunk of
post-mortems at a time in a thread while Python spaces the last chunk; PostgreSQL, whose
server forms text slowly, sends the columns and Python forms the text
(store/forming.py) while the server works out the next batch.

It reads only a store that needs nothing done first: at the newest migration, every
post-mortem's deadlines worked out with the policy in force, and no repository renamed.
Otherwise (and for any URL or driver it does not know) `open_store` and `ready` say no,
and the caller takes the ordinary path, which migrates, works the deadlines out and
shows renamed repositories under their new names.

The query is the one store/queries.py builds (same joins, filters and order), written
in SQL by direct_sql.py (one item and the TUI's first rows: direct_items.py);
tests/cli/test_direct_read.py runs both on a varied store, on both backends,
and compares every byte of their output, so the two cannot drift. Rows the database cannot
form alone (a branch protection, links) come with their columns, and the caller builds
their view as the ordinary path does.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from queue import Empty, Queue
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from followup.display import OVERDUE_MARK, POLICY_MARK
from followup.policy import DUE_POLICY
from followup.store import direct_sql, forming
from followup.store.filters import (
    ItemFilter,
)
from followup.store.revision import HEAD
from followup.store.rows import (
    brief_views,
    json_value,
)
from followup.store.views import ItemView

FETCH_BATCH = 2_000
BUSY_TIMEOUT_S = 5.0


@dataclass
class DirectStore:
    """An open DB-API connection to the store, and the dialect of its SQL."""

    dialect: str  # "sqlite" or "postgresql"
    conn: Any
    cursors: int = 0  # named so far (PostgreSQL's server-side cursors)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def _execute(self, sql: str, params: dict[str, Any]) -> Any:
        cursor = self.conn.cursor()
        cursor.execute(_paramstyle(sql, self.dialect), params)
        return cursor


def _paramstyle(sql: str, dialect: str) -> str:
    """Return SQL written with :name parameters in the driver's style."""
    if dialect == "sqlite":
        return sql
    # psycopg: %(name)s, and a literal % doubled.
    out: list[str] = []
    i = 0
    quoted = False
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            quoted = not quoted
        if ch == "%":
            out.append("%%")
        elif ch == ":" and sql[i + 1 : i + 2] == ":":
            out.append("::")  # a cast, not a parameter
            i += 2
            continue
        elif ch == ":" and not quoted and i + 1 < len(sql) and sql[i + 1].isalpha():
            j = i + 1
            while j < len(sql) and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


# -- opening ------------------------------------------------------------------------------


def open_store(url: str) -> DirectStore | None:
    """Return a direct connection to the store at url, or None to take the ordinary path.

    Only plain URLs are taken: an SQLite file that exists, or PostgreSQL through psycopg.
    Anything else (a store to create, URL options, another driver, a failure to
    connect) is left to the ordinary path, which knows how to report it.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    try:
        if scheme in ("sqlite", "sqlite+pysqlite"):
            return _open_sqlite(url, parts.query)
        if scheme == "postgresql+psycopg":
            return _open_postgresql(parts)
    except Exception:
        # Whatever failed, the ordinary path fails the same way and says so properly.
        return None
    return None


def _open_sqlite(url: str, query: str) -> DirectStore | None:
    _, sep, database = url.partition(":///")
    if not sep or query or not database or any(c in database for c in "?#%"):
        return None
    if database == ":memory:" or database.startswith("file:") or "~" in database:
        return None
    if not os.path.isfile(database):  # noqa: PTH113 - a missing store is made elsewhere
        return None
    import sqlite3

    conn = sqlite3.connect(database, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    # Every read sees one snapshot of the store (taken at the first).
    conn.execute("BEGIN")
    return DirectStore("sqlite", conn)


def _open_postgresql(parts: Any) -> DirectStore | None:
    # As SQLAlchemy's psycopg dialect connects: the URL's parts, then its query as
    # connection parameters.
    args: dict[str, Any] = {}
    if parts.username:
        args["user"] = unquote(parts.username)
    if parts.password:
        args["password"] = unquote(parts.password)
    host = parts.netloc.rpartition("@")[2]
    if host:
        name, _, port = host.partition(":")
        if name.startswith("["):
            return None
        if name:
            args["host"] = unquote(name)
        if port:
            args["port"] = int(port)
    database = parts.path.removeprefix("/")
    if database:
        args["dbname"] = unquote(database)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if len({key for key, _ in query}) != len(query):
        return None
    for key, value in query:
        if key in args:
            return None
        args[key] = value
    import psycopg

    conn = psycopg.connect(**args)
    # Every read sees one snapshot of the store (taken at the first).
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    # Dates as text read YYYY-MM-DD whatever the server's default (store/forming.py).
    conn.execute("SET DateStyle TO ISO")
    # Compiling a list's queries took longer than running them (a second, for 100,000 items).
    conn.execute("SET jit TO off")
    return DirectStore("postgresql", conn)


def ready(store: DirectStore, policy_key: str) -> bool:
    """Tell whether the store can be read as it is: migrated, deadlines current, no renames."""
    try:
        cursor = store._execute("SELECT version_num FROM alembic_version", {})
        versions = cursor.fetchall()
        if [tuple(row) for row in versions] != [(HEAD,)]:
            return False
        # As store/policy.py's stale_postmortems: one post-mortem to work out is enough.
        stale = store._execute(
            "SELECT id FROM postmortem WHERE policy_key IS NULL OR policy_key <> :key LIMIT 1",
            {"key": policy_key},
        ).fetchall()
        if stale:
            return False
        renamed = store._execute(
            "SELECT name, current FROM repo_identity WHERE current IS NOT NULL", {}
        ).fetchall()
        # As repo_identity.renamed_repos: a name recorded under another current name.
        if any(current and current.lower() != name for name, current in renamed):
            return False
        if store.dialect == "sqlite":
            # Text cast to bytes is in the database's encoding: the JSON list wants UTF-8.
            (encoding,) = store._execute("PRAGMA encoding", {}).fetchone()
            if encoding != "UTF-8":
                return False
            # (PostgreSQL's JSON is written by Python: store/forming.py.)
            return _quotes_as_python(store)
        return True
    except Exception:
        # A store this reader does not understand (no tables yet, a foreign file).
        _rollback(store)
        return False


# Characters whose JSON escapes differ between encoders, if any do.
_PROBE = "".join(chr(c) for c in range(1, 32)) + '"\\/\x7f\x85\u2028\u2029\U0001f600é'


def _quotes_as_python(store: DirectStore) -> bool:
    """Tell whether SQLite writes JSON strings as Python's encoder does."""
    quoted = store._execute("SELECT json_quote(:probe)", {"probe": _PROBE})
    return bool(quoted.fetchone()[0] == json.encoder.encode_basestring(_PROBE))


def _rollback(store: DirectStore) -> None:
    with contextlib.suppress(Exception):
        store.conn.rollback()


_reencode = json.JSONEncoder(ensure_ascii=False).encode


def _spaced(compact: str) -> str:
    """Return compact JSON text as Python's encoder writes it (', ' and ': ')."""
    # Outside strings every '":' ends a key and every ',"' starts the next one; inside a
    # string a quote is escaped, so a text without '\"' has them nowhere else.
    if '\\"' in compact:
        return _reencode(json.loads(compact))
    return compact.replace('":', '": ').replace(',"', ', "')


def headings(store: DirectStore) -> dict[int, str]:
    """Return the heading a list gives each post-mortem's items, by the post-mortem's id."""
    cursor = store._execute("SELECT id, title || '  ' || slug FROM postmortem", {})
    return dict(cursor.fetchall())


class StoreChanged(Exception):
    """Say the store changed between the list's two queries (a writer at work)."""


def iter_lines(
    store: DirectStore,
    flt: ItemFilter,
    today: date,
    form: Callable[[ItemView], str],
    *,
    suggested: bool,
) -> Iterator[list[tuple[int, str]]]:
    """Yield the plain list's (post-mortem id, line) in batches: suggestions or the rest.

    The database forms the lines where it can (SQLite), Python where it is faster
    (PostgreSQL), and `form` those of items with a protection, from their views.
    """
    first, brief_sql, params = direct_sql.list_sql(
        store.dialect, flt, today, as_json=False, suggested=suggested
    )
    views = item_views(store, brief_sql, params)
    for batch in list_batches(store, first, params):
        if store.dialect != "sqlite":
            batch = forming.lines(batch, today)  # noqa: PLW2901
        for at in in_python(batch, 1):
            batch[at] = (batch[at][0], form(views(batch[at][1][1:])))
        yield batch


# SQLite's JSON list is read this many post-mortems at a time, each chunk's objects in one
# statement run by a thread: SQLite lets Python run meanwhile, and Python spaces the last
# chunk's objects (_spaced) while SQLite forms the next (a second of work split in two).
CHUNK_POSTMORTEMS = 100
_PYTHON_MARK = b'\\"'  # starts a row Python forms from its view; also an escaped quote


def _chunk_sql(flt: ItemFilter, today: date) -> tuple[str, str, dict[str, Any]]:
    """Return SQLite's queries of one chunk of the JSON list, and their parameters.

    The first gives the chunk's objects (compact, see _spaced; a row Python forms is
    _PYTHON_MARK and its id) joined by :separator, in the list's order, as one UTF-8 text;
    the second the BRIEF columns of the rows Python forms. :chunk is a JSON array of the
    chunk's post-mortem ids.
    """
    params = direct_sql.params_for("sqlite", today)
    direct_sql.add_cwd(params)
    where = direct_sql.and_where(
        direct_sql.where_clause(flt, params),
        "a.postmortem_id IN (SELECT value FROM json_each(:chunk))",
    )
    python = direct_sql.formed_in_python(json_rows=True)
    # The subquery's order is the order group_concat meets the rows in (SQLite computes an
    # ordered subquery under an aggregate as a co-routine; tests compare every byte).
    objects = (
        f"SELECT CASE WHEN {python} THEN '\\\"' || a.id ELSE {direct_sql.compact_json_object()} END"
        f" AS object {direct_sql.JOINS} {where} {direct_sql.ORDER}"
    )
    text = f"SELECT CAST(group_concat(object, :separator) AS BLOB) FROM ({objects})"
    return text, direct_sql.formed_in_python_sql(direct_sql.JOINS, where, python), params


def sqlite_objects(
    store: DirectStore,
    flt: ItemFilter,
    today: date,
    form: Callable[[ItemView], str],
    separator: str,
) -> Iterator[bytes]:
    """Yield the JSON list's objects in batches, each batch's joined by separator, as UTF-8.

    SQLite forms them, a chunk of post-mortems at a time, in a thread. They are formed as
    iter_lines forms lines. The separator must hold no '"' or '\\': the objects are spaced
    as Python's encoder spaces them over a whole batch. (PostgreSQL: packed_json.py.)
    """
    text_sql, brief_sql, params = _chunk_sql(flt, today)
    params["separator"] = separator
    # The chunks of every post-mortem in the list's order (of one, if the filter names it).
    one = "WHERE p.slug = :slug" if flt.postmortem else ""
    found = store._execute(f"SELECT p.id FROM postmortem AS p {one} {direct_sql.PM_ORDER}", params)
    ids = [row[0] for row in found]

    def chunks() -> Iterator[tuple[bytes, list[Any]]]:
        for start in range(0, len(ids), CHUNK_POSTMORTEMS):
            chunk = {**params, "chunk": json.dumps(ids[start : start + CHUNK_POSTMORTEMS])}
            (text,) = store._execute(text_sql, chunk).fetchone()
            if text is None:
                continue
            # One search of the chunk for a backslash, in C: most chunks have none.
            brief: list[Any] = []
            if b"\\" in text and _PYTHON_MARK in text:
                brief = store._execute(brief_sql, chunk).fetchall()
            yield text, brief

    joint = separator.encode()
    for text, brief in prefetched(chunks()):
        # Spaced in one pass over the chunk, unless an escaped quote (which could be
        # followed by a colon inside a string, or mark a row Python forms) is in it.
        if b"\\" not in text or _PYTHON_MARK not in text:
            yield text.replace(b'":', b'": ').replace(b',"', b', "')
            continue
        views = brief_views([decode_brief_sqlite(list(row)) for row in brief])
        batch = []
        for blob in text.split(joint):
            if blob.startswith(_PYTHON_MARK):
                view = next(views, None)
                if view is None or view.id != blob[2:].decode():
                    raise StoreChanged("the store changed while it was read; try again")
                batch.append(form(view))
            else:
                batch.append(_spaced(blob.decode()))
        yield separator.join(batch).encode()


def list_batches(store: DirectStore, sql: str, params: dict[str, Any]) -> Iterator[list[Any]]:
    """Yield the rows of a list's first query in batches, each item in its place.

    On PostgreSQL the rows come in post-mortems' order and each post-mortem's items are
    put in position order here; the next batch is fetched meanwhile.
    """
    batches = stream_rows(store, sql, params, "formed", dates_as_text=True)
    if store.dialect == "sqlite":
        return batches
    return by_position(prefetched(batches))


def by_position(batches: Iterable[list[Any]]) -> Iterator[list[Any]]:
    """Yield rows of (post-mortem id, position, …) with each post-mortem's by position."""
    return map(_sorted_runs, whole_postmortems(batches))


def whole_postmortems(batches: Iterable[list[Any]]) -> Iterator[list[Any]]:
    """Yield rows of (post-mortem id, …) again in batches that end where a post-mortem does.

    A post-mortem's rows are together, but may end one batch and start the next: the
    last post-mortem's rows of a batch wait for the next one.
    """
    held: list[Any] = []
    for batch in batches:
        rows = held + batch if held else batch
        last = rows[-1][0]
        cut = len(rows)
        while cut and rows[cut - 1][0] == last:
            cut -= 1
        held = rows[cut:]
        if cut:
            yield rows[:cut]
    if held:
        yield held


def _sorted_runs(rows: list[Any]) -> list[Any]:
    out: list[Any] = []
    for _pm_id, run in groupby(rows, key=_FIRST):
        out.extend(sorted(run, key=_SECOND))
    return out


_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_Batch = TypeVar("_Batch")


def prefetched(batches: Iterator[_Batch], depth: int = 2) -> Iterator[_Batch]:
    """Yield the batches, fetching the next ones in a thread meanwhile.

    PostgreSQL then works out the next batch while Python forms this one (the driver
    lets other threads run while it waits for the server).
    """
    queue: Queue[_Batch | BaseException | None] = Queue(maxsize=depth)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for batch in batches:
                queue.put(batch)
                if stop.is_set():
                    break
            queue.put(None)
        except BaseException as exc:  # raised again in the reader's thread
            queue.put(exc)
        finally:
            batches.close()  # type: ignore[attr-defined]

    thread = threading.Thread(target=fetch, name="followup-list-fetch", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        # Let the thread finish its put and close its cursor.
        while thread.is_alive():
            with contextlib.suppress(Empty):
                queue.get(timeout=0.01)
        thread.join()


def in_python(batch: list[Any], column: int | None = None) -> list[int]:
    """Return where in a batch the rows are that Python forms (NUL and the item's id)."""
    texts = batch if column is None else list(map(itemgetter(column), batch))
    # Most batches have none: one search of their text says so.
    if "\0" not in "".join(texts):
        return []
    return [at for at, text in enumerate(texts) if text.startswith("\0")]


def item_views(store: DirectStore, sql: str, params: dict[str, Any]) -> Callable[[str], ItemView]:
    """Return a function giving the next view of the brief query, which must be item_id's."""
    rows = (row for batch in stream_rows(store, sql, params, "brief") for row in batch)
    decode = decode_brief_sqlite if store.dialect == "sqlite" else decode_brief_postgresql

    def view(item_id: str) -> ItemView:
        row = next(rows, None)
        if row is None or row[0] != item_id:
            raise StoreChanged("the store changed while it was read; try again")
        return next(brief_views([decode(list(row))]))

    return view


def mark_condition(dialect: str, mark: str) -> str:
    """Return SQL telling whether an item's due text shows mark (cli/listing.marks_of)."""
    undated = "(a.due IS NULL AND a.policy_due IS NOT NULL)"
    # A due date written as text shows the marks it happens to contain.
    written = f"({undated} AND {direct_sql.contains(dialect, 'a.due_text', mark)})"
    if mark == POLICY_MARK:
        return (
            f"(a.due IS NOT NULL AND a.due_source = {direct_sql.literal(DUE_POLICY)}) OR {written}"
        )
    if mark == OVERDUE_MARK:
        return f"{direct_sql.OVERDUE} OR {written}"
    return f"(NOT {direct_sql.OVERDUE} AND {direct_sql.PAST_POLICY}) OR {written}"


def marks_shown(store: DirectStore, flt: ItemFilter, today: date, marks: Iterable[str]) -> set[str]:
    """Return which of the marks the due texts of the listed items show.

    Called with the marks a list's text contains (a title may contain one too): each
    costs a query that stops at the first item showing it.
    """
    shown: set[str] = set()
    for mark in marks:
        params = direct_sql.params_for(store.dialect, today)
        where = direct_sql.and_where(
            direct_sql.where_clause(flt, params), f"({mark_condition(store.dialect, mark)})"
        )
        if store._execute(f"SELECT 1 {direct_sql.JOINS} {where} LIMIT 1", params).fetchall():
            shown.add(mark)
    return shown


def stream_rows(
    store: DirectStore,
    sql: str,
    params: dict[str, Any],
    name: str,
    *,
    dates_as_text: bool = False,
    size: int | None = None,
) -> Iterator[Any]:
    """Yield a query's rows in batches (of FETCH_BATCH, or size); PostgreSQL keeps them."""
    size = size or FETCH_BATCH
    if store.dialect == "sqlite":
        cursor = store.conn.cursor()
        cursor.execute(sql, params)
    else:
        store.cursors += 1
        cursor = store.conn.cursor(name=f"{name}_{store.cursors}")
        cursor.itersize = size
        if dates_as_text:
            # store/forming.py writes dates as their ISO text (DateStyle ISO, _open_postgresql)
            # and compares them as text: no date objects to make and format again.
            from psycopg.types.string import TextLoader

            cursor.adapters.register_loader("date", TextLoader)
        cursor.execute(_paramstyle(sql, store.dialect), params)
    try:
        while True:
            batch = cursor.fetchmany(size)
            if not batch:
                return
            yield batch
    finally:
        cursor.close()


def decode_brief_sqlite(row: list[Any]) -> list[Any]:
    """Decode BRIEF columns as SQLAlchemy does on SQLite (dates, JSON)."""
    row[4] = date_of(row[4])
    row[16] = date_of(row[16])
    for at in (11, 12, 13):
        row[at] = json_value(row[at])
    return row


def decode_brief_postgresql(row: list[Any]) -> list[Any]:
    for at in (11, 12, 13):
        row[at] = json_value(row[at])
    return row


def date_of(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
