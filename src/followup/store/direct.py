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
here in SQL; tests/cli/test_direct_read.py runs both on a varied store, on both backends,
and compares every byte of their output, so the two cannot drift. Rows the database cannot
form alone (a branch protection, links) come with their columns, and the caller builds
their view as the ordinary path does.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from queue import Empty, Queue
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from followup.display import OVERDUE_MARK, PAST_POLICY_MARK, POLICY_MARK, status_text
from followup.policy import DUE_POLICY
from followup.statuses import CLOSED_STATUSES, UNACCEPTED_STATUSES, Status
from followup.store import forming
from followup.store.display_paths import working_folder
from followup.store.filters import (
    HIDDEN_STATUSES,
    OPEN_STATUSES,
    ItemFilter,
    like_pattern,
    normalise_owner,
)
from followup.store.revision import HEAD
from followup.store.rows import (
    PATH_AT,
    aware_time,
    brief_views,
    json_value,
    names,
    sqlite_time,
    view_from_row,
)
from followup.store.views import EventView, ItemView

FETCH_BATCH = 2_000
BUSY_TIMEOUT_S = 5.0
# Statuses in which an item still counts as outstanding (views.ItemView.is_overdue).
_NOT_OUTSTANDING = tuple(sorted(s.value for s in CLOSED_STATUSES | UNACCEPTED_STATUSES))
_UNACCEPTED = tuple(sorted(s.value for s in UNACCEPTED_STATUSES))


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
            # Text cast to bytes is in the database's encoding: iter_objects wants UTF-8.
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


# -- SQL pieces ---------------------------------------------------------------------------


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(_literal(v) for v in values) + ")"


def _iso(dialect: str, expr: str) -> str:
    """Return SQL giving a date as YYYY-MM-DD (SQLite stores it so)."""
    return expr if dialect == "sqlite" else f"to_char({expr}, 'YYYY-MM-DD')"


def _as_text(dialect: str, expr: str) -> str:
    return f"CAST({expr} AS TEXT)"


def _nonempty(expr: str) -> str:
    """Return SQL telling whether a text is neither null nor empty (Python's truth)."""
    return f"({expr} IS NOT NULL AND {expr} <> '')"


def _contains(dialect: str, expr: str, text: str) -> str:
    if dialect == "sqlite":
        return f"instr({expr}, {_literal(text)}) > 0"
    return f"strpos({expr}, {_literal(text)}) > 0"


_OVERDUE = f"(a.due IS NOT NULL AND a.due < :today AND a.status NOT IN {_in(_NOT_OUTSTANDING)})"
_PAST_POLICY = (
    "(a.policy_due IS NOT NULL AND a.policy_due < :today "
    f"AND a.status NOT IN {_in(_NOT_OUTSTANDING)})"
)


def _status_text() -> str:
    """Return SQL giving display.status_text of the item's status."""
    whens = " ".join(
        f"WHEN {_literal(s.value)} THEN {_literal(status_text(s.value))}" for s in Status
    )
    # status_text of a status it does not know: a question mark and the name.
    return f"CASE a.status {whens} ELSE '? ' || a.status END"


def _due_plain(dialect: str) -> str:
    """Return SQL giving cli/listing._due_plain's text after '  due ', or '' for none."""
    iso = _iso(dialect, "a.due")
    return (
        "CASE WHEN a.due IS NOT NULL THEN '  due ' || "
        f"{iso} || CASE WHEN a.due_source = {_literal(DUE_POLICY)} "
        f"THEN {_literal(POLICY_MARK)} ELSE '' END"
        f" || CASE WHEN {_OVERDUE} THEN {_literal(' ' + OVERDUE_MARK)}"
        f" WHEN {_PAST_POLICY} THEN {_literal(' ' + PAST_POLICY_MARK)} ELSE '' END"
        f" WHEN {_nonempty('a.due_text')} THEN '  due ' || a.due_text"
        f" || CASE WHEN {_PAST_POLICY} THEN {_literal(' ' + PAST_POLICY_MARK)} ELSE '' END"
        " ELSE '' END"
    )


def _plain_line(dialect: str) -> str:
    """Return SQL giving cli/listing._plain_line for an item without branch protection."""
    return (
        f"'  ' || a.id || '  ' || {_status_text()} || '  ' || "
        "CASE WHEN a.kind = 'branch_protection' THEN '⛨ ' ELSE '' END || a.title"
        f" || CASE WHEN {_nonempty('a.owner')} THEN '  @' || a.owner ELSE '' END"
        f" || CASE WHEN {_nonempty('a.priority')} THEN '  ' || a.priority ELSE '' END"
        f" || {_due_plain(dialect)}"
        " || CASE WHEN i.number IS NOT NULL THEN '  ' || i.repo || '#' || "
        f"{_as_text(dialect, 'i.number')} ELSE '' END"
        f" || CASE WHEN {_nonempty('a.status_reason')} THEN '  (' || a.status_reason || ')'"
        " ELSE '' END"
    )


def _relative_path() -> str:
    # As rows.brief_views: relative to the working folder when the path lies below it.
    return (
        "CASE WHEN substr(p.path, 1, CAST(:cwd_length AS INTEGER)) = :cwd "
        "THEN substr(p.path, CAST(:cwd_length AS INTEGER) + 1) ELSE p.path END"
    )


def _compact_json_object() -> str:
    """Return SQLite's json_object of cli/listing._item_json, compact (see _spaced)."""
    boolean = "CASE WHEN {} THEN json('true') ELSE json('false') END"
    issue = (
        "CASE WHEN i.number IS NULL THEN NULL ELSE "
        "json_object('repo', i.repo, 'number', i.number, 'url', i.url, 'state', i.state) END"
    )
    return (
        "json_object('id', a.id, 'postmortem', p.slug, 'title', a.title, 'owner', a.owner, "
        "'priority', a.priority, 'due', a.due, 'due_text', a.due_text, "
        f"'due_source', a.due_source, 'overdue', {boolean.format(_OVERDUE)}, "
        f"'policy_due', a.policy_due, 'past_policy', {boolean.format(_PAST_POLICY)}, "
        "'type', a.type, 'kind', a.kind, 'status', a.status, "
        "'status_reason', a.status_reason, 'repo', a.repo, 'links', json_array(), "
        f"'protection', NULL, 'issue', {issue}, "
        f"'source', json_object('file', {_relative_path()}, 'line', a.line))"
    )


_reencode = json.JSONEncoder(ensure_ascii=False).encode


def _spaced(compact: str) -> str:
    """Return compact JSON text as Python's encoder writes it (', ' and ': ')."""
    # Outside strings every '":' ends a key and every ',"' starts the next one; inside a
    # string a quote is escaped, so a text without '\"' has them nowhere else.
    if '\\"' in compact:
        return _reencode(json.loads(compact))
    return compact.replace('":', '": ').replace(',"', ', "')


# The columns of store/listing.py's BRIEF_COLUMNS, for the rows formed in Python.
_BRIEF = (
    "a.id, a.title, a.owner, a.priority, a.due, a.due_text, a.type, a.kind, a.status, "
    'a.status_reason, a.repo, CAST(a."references" AS TEXT), CAST(a.protection AS TEXT), '
    "CAST(a.protection_applied AS TEXT), a.line, a.due_source, a.policy_due, p.slug, "
    "p.title, p.path, i.number, i.repo, i.url, i.state"
)
_JOINS = (
    "FROM action_item AS a JOIN postmortem AS p ON a.postmortem_id = p.id "
    "LEFT OUTER JOIN github_issue AS i ON a.issue_id = i.id"
)
_SUGGESTED_JOINS = (
    "FROM action_item AS a CROSS JOIN postmortem AS p "
    "LEFT OUTER JOIN github_issue AS i ON a.issue_id = i.id"
)
# models.LISTING_ORDER, then the document's order.
_PM_ORDER = "ORDER BY p.incident_date IS NULL, p.incident_date DESC, p.slug"
_ORDER = f"{_PM_ORDER}, a.position"


def _where(flt: ItemFilter, params: dict[str, Any]) -> str:
    """Return the WHERE clause of queries._item_query for this filter, filling params."""
    conditions: list[str] = []
    if flt.statuses:
        conditions.append(f"a.status IN {_in(sorted(flt.statuses))}")
    elif not flt.include_removed:
        conditions.append(f"a.status NOT IN {_in(HIDDEN_STATUSES)}")
    if flt.owner:
        params["owner"] = normalise_owner(flt.owner).lower()
        conditions.append("lower(a.owner) = :owner")
    if flt.postmortem:
        params["slug"] = flt.postmortem
        conditions.append("p.slug = :slug")
    if flt.kind:
        params["kind"] = flt.kind
        conditions.append("a.kind = :kind")
    if flt.repo:
        params["repo"] = flt.repo.lower()
        conditions.append("a.repo = :repo")
    if flt.overdue:
        conditions.append(
            f"a.due IS NOT NULL AND a.due < :today AND a.status IN {_in(OPEN_STATUSES)}"
        )
    if flt.past_policy:
        conditions.append(
            "a.policy_due IS NOT NULL AND a.policy_due < :today "
            f"AND a.status IN {_in(OPEN_STATUSES)}"
        )
    if flt.text:
        params["needle"] = like_pattern(flt.text)
        conditions.append(
            "(lower(a.title) LIKE :needle ESCAPE '\\' OR lower(a.owner) LIKE :needle "
            "ESCAPE '\\' OR a.id LIKE :needle ESCAPE '\\')"
        )
    return "WHERE " + " AND ".join(conditions) if conditions else ""


def _formed_in_python(json_rows: bool) -> str:
    """Return SQL telling whether a row needs Python: a protection (or links in JSON)."""
    condition = "a.protection IS NOT NULL"
    if json_rows:
        condition += (
            " OR NOT (a.\"references\" IS NULL OR CAST(a.\"references\" AS TEXT) IN ('[]', 'null'))"
        )
    return f"({condition})"


def _params(dialect: str, today: date) -> dict[str, Any]:
    return {"today": today.isoformat() if dialect == "sqlite" else today}


def _cwd(params: dict[str, Any]) -> None:
    cwd = working_folder()
    params["cwd"] = cwd
    params["cwd_length"] = len(cwd)


def _and(where: str, condition: str) -> str:
    return f"{where} AND {condition}" if where else f"WHERE {condition}"


# The columns PostgreSQL sends for Python to form a plain line (store/forming.py), after
# the post-mortem's id and the item's position (_by_position).
_LINE_COLUMNS = (
    "p.id, a.position, a.id, a.status, a.kind, a.title, a.owner, a.priority, a.due, "
    "a.due_text, a.due_source, a.policy_due, i.number, i.repo, a.status_reason"
)
# … and a JSON object.
_OBJECT_COLUMNS = (
    "p.id, a.position, a.id, a.title, a.owner, a.priority, a.due, a.due_text, "
    "a.due_source, a.policy_due, a.type, a.kind, a.status, a.status_reason, a.repo, "
    "i.number, i.repo, i.url, i.state, a.line"
)


def list_sql(
    dialect: str, flt: ItemFilter, today: date, *, as_json: bool, suggested: bool = False
) -> tuple[str, str, dict[str, Any]]:
    """Return the list's two queries, in the list's order, and their parameters.

    The first gives one row per item. On SQLite (plain lines only: its JSON is read in
    chunks, _chunk_sql) its columns are the post-mortem's id and the formed line, or NUL
    and the item's id when Python must form it; on PostgreSQL, which forms text slowly,
    the columns Python forms it from (store/forming.py), then whether Python must form it
    from a view instead. The second gives the BRIEF columns of just those items, in the
    same order. A plain list has its suggestions (`suggested`) or the rest; JSON keeps
    them in place.
    """
    params = _params(dialect, today)
    python = _formed_in_python(as_json)
    if as_json:
        _cwd(params)
    where = _where(flt, params)
    if not as_json:
        unaccepted = "IN" if suggested else "NOT IN"
        where = _and(where, f"a.status {unaccepted} {_in(_UNACCEPTED)}")
    order = _ORDER
    if dialect == "sqlite":
        # (SQLite's JSON list is read in chunks instead: _chunk_sql.)
        assert not as_json
        columns = f"p.id, CASE WHEN {python} THEN char(0) || a.id ELSE {_plain_line(dialect)} END"
    else:
        columns = f"{_OBJECT_COLUMNS if as_json else _LINE_COLUMNS}, {python}"
        # Ordered by post-mortem only, its items then by Python (_by_position): sorting
        # them by position doubled the server's work.
        order = _PM_ORDER
    joins = _JOINS
    if suggested and dialect == "sqlite":
        # Suggestions are few: found through the index of statuses, then sorted, rather
        # than by walking every post-mortem in the list's order (SQLite's choice, unless a
        # CROSS JOIN tells it which table to start from).
        joins = _SUGGESTED_JOINS
        where = _and(where, "a.postmortem_id = p.id")
    first = f"SELECT {columns} {joins} {where} {order}"
    brief = f"SELECT {_BRIEF} {joins} {_and(where, python)} {_ORDER}"
    return first, brief, params


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
    first, brief_sql, params = list_sql(
        store.dialect, flt, today, as_json=False, suggested=suggested
    )
    views = _views(store, brief_sql, params)
    for batch in _batches(store, first, params):
        if store.dialect != "sqlite":
            batch = forming.lines(batch, today)  # noqa: PLW2901
        for at in _in_python(batch, 1):
            batch[at] = (batch[at][0], form(views(batch[at][1][1:])))
        yield batch


def iter_objects(
    store: DirectStore,
    flt: ItemFilter,
    today: date,
    form: Callable[[ItemView], str],
    separator: str,
) -> Iterator[bytes]:
    """Yield the JSON list's objects in batches, each batch's joined by separator, as UTF-8.

    They are formed as iter_lines forms lines. The separator must hold no '"' or '\\':
    SQLite's objects are spaced as Python's encoder spaces them over a whole batch.
    """
    if store.dialect == "sqlite":
        yield from _sqlite_objects(store, flt, today, form, separator)
        return
    # PostgreSQL sends each post-mortem's values packed in one text.
    from followup.store import packed_json

    yield from packed_json.iter_objects(store, flt, today, form, separator)


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
    params = _params("sqlite", today)
    _cwd(params)
    where = _and(_where(flt, params), "a.postmortem_id IN (SELECT value FROM json_each(:chunk))")
    python = _formed_in_python(json_rows=True)
    # The subquery's order is the order group_concat meets the rows in (SQLite computes an
    # ordered subquery under an aggregate as a co-routine; tests compare every byte).
    objects = (
        f"SELECT CASE WHEN {python} THEN '\\\"' || a.id ELSE {_compact_json_object()} END"
        f" AS object {_JOINS} {where} {_ORDER}"
    )
    text = f"SELECT CAST(group_concat(object, :separator) AS BLOB) FROM ({objects})"
    brief = f"SELECT {_BRIEF} {_JOINS} {_and(where, python)} {_ORDER}"
    return text, brief, params


def _sqlite_objects(
    store: DirectStore,
    flt: ItemFilter,
    today: date,
    form: Callable[[ItemView], str],
    separator: str,
) -> Iterator[bytes]:
    """Yield iter_objects' batches on SQLite: one a chunk of post-mortems, read in a thread."""
    text_sql, brief_sql, params = _chunk_sql(flt, today)
    params["separator"] = separator
    # The chunks of every post-mortem in the list's order (of one, if the filter names it).
    one = "WHERE p.slug = :slug" if flt.postmortem else ""
    found = store._execute(f"SELECT p.id FROM postmortem AS p {one} {_PM_ORDER}", params)
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
    for text, brief in _prefetched(chunks()):
        # Spaced in one pass over the chunk, unless an escaped quote (which could be
        # followed by a colon inside a string, or mark a row Python forms) is in it.
        if b"\\" not in text or _PYTHON_MARK not in text:
            yield text.replace(b'":', b'": ').replace(b',"', b', "')
            continue
        views = brief_views([_decode_brief_sqlite(list(row)) for row in brief])
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


def _batches(store: DirectStore, sql: str, params: dict[str, Any]) -> Iterator[list[Any]]:
    """Yield the rows of a list's first query in batches, each item in its place.

    On PostgreSQL the rows come in post-mortems' order and each post-mortem's items are
    put in position order here; the next batch is fetched meanwhile.
    """
    batches = _stream(store, sql, params, "formed", dates_as_text=True)
    if store.dialect == "sqlite":
        return batches
    return _by_position(_prefetched(batches))


def _by_position(batches: Iterable[list[Any]]) -> Iterator[list[Any]]:
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


def _prefetched(batches: Iterator[_Batch], depth: int = 2) -> Iterator[_Batch]:
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


def _in_python(batch: list[Any], column: int | None = None) -> list[int]:
    """Return where in a batch the rows are that Python forms (NUL and the item's id)."""
    texts = batch if column is None else list(map(itemgetter(column), batch))
    # Most batches have none: one search of their text says so.
    if "\0" not in "".join(texts):
        return []
    return [at for at, text in enumerate(texts) if text.startswith("\0")]


def _views(store: DirectStore, sql: str, params: dict[str, Any]) -> Callable[[str], ItemView]:
    """Return a function giving the next view of the brief query, which must be item_id's."""
    rows = (row for batch in _stream(store, sql, params, "brief") for row in batch)
    decode = _decode_brief_sqlite if store.dialect == "sqlite" else _decode_brief_postgresql

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
    written = f"({undated} AND {_contains(dialect, 'a.due_text', mark)})"
    if mark == POLICY_MARK:
        return f"(a.due IS NOT NULL AND a.due_source = {_literal(DUE_POLICY)}) OR {written}"
    if mark == OVERDUE_MARK:
        return f"{_OVERDUE} OR {written}"
    return f"(NOT {_OVERDUE} AND {_PAST_POLICY}) OR {written}"


def marks_shown(store: DirectStore, flt: ItemFilter, today: date, marks: Iterable[str]) -> set[str]:
    """Return which of the marks the due texts of the listed items show.

    Called with the marks a list's text contains (a title may contain one too): each
    costs a query that stops at the first item showing it.
    """
    shown: set[str] = set()
    for mark in marks:
        params = _params(store.dialect, today)
        where = _and(_where(flt, params), f"({mark_condition(store.dialect, mark)})")
        if store._execute(f"SELECT 1 {_JOINS} {where} LIMIT 1", params).fetchall():
            shown.add(mark)
    return shown


def _stream(
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


def _decode_brief_sqlite(row: list[Any]) -> list[Any]:
    """Decode BRIEF columns as SQLAlchemy does on SQLite (dates, JSON)."""
    row[4] = _date(row[4])
    row[16] = _date(row[16])
    for at in (11, 12, 13):
        row[at] = json_value(row[at])
    return row


def _decode_brief_postgresql(row: list[Any]) -> list[Any]:
    for at in (11, 12, 13):
        row[at] = json_value(row[at])
    return row


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


# -- one item -----------------------------------------------------------------------------

# store/listing.py's ITEM_COLUMNS, POSTMORTEM_COLUMNS and ISSUE_COLUMNS.
_ITEM = (
    "a.id, a.title, a.text, a.owner, a.priority, a.due, a.due_text, a.type, a.kind, "
    'a.status, a.status_reason, a.repo, CAST(a."references" AS TEXT), '
    "CAST(a.protection AS TEXT), CAST(a.protection_applied AS TEXT), a.line, a.section, "
    "a.parent, a.doc_done, a.created_at, a.updated_at, a.verified_at, a.due_source, "
    "a.policy_due, p.slug, p.title, p.path, p.incident_date, i.number, i.repo, i.url, "
    "i.state, i.state_reason, i.title, CAST(i.assignees AS TEXT), CAST(i.labels AS TEXT), "
    "i.pull_request_state, i.gone, i.updated_at, i.synced_at"
)
_DATES = (5, 23, 27)
_TIMES = (19, 20, 21, 38, 39)
_JSONS = (12, 13, 14)
_NAMES = (34, 35)


@dataclass(frozen=True, slots=True)
class Shown:
    """What `followup show` prints of one item."""

    item: ItemView
    events: list[EventView]
    source: str  # the post-mortem's text, as stored (not yet made safe to show)


def find_item(store: DirectStore, ref: str) -> Shown | None:
    """Return the item whose id is ref or uniquely starts with it, or None.

    None also when the reference is not one item (none, ambiguous): the ordinary path
    then says so in its own words.
    """
    ref = ref.strip().lower()
    if not ref:
        return None
    # As queries.find_item_id: a whole id is that item (it sorts first among the ids it
    # begins, so the prefix search would find it too), found by its index.
    exact = store._execute("SELECT id FROM action_item WHERE id = :ref", {"ref": ref}).fetchall()
    matches = [row[0] for row in exact]
    if not matches:
        # startswith: the reference's % and _ match as LIKE makes them.
        matches = [
            row[0]
            for row in store._execute(
                "SELECT id FROM action_item WHERE id LIKE :ref || '%' ORDER BY id LIMIT 6",
                {"ref": ref},
            ).fetchall()
        ]
    if ref in matches:
        item_id = ref
    elif len(matches) == 1:
        item_id = matches[0]
    else:
        return None
    row = store._execute(f"SELECT {_ITEM} {_JOINS} WHERE a.id = :id", {"id": item_id}).fetchone()
    if row is None:
        return None
    values = list(row)
    time = sqlite_time if store.dialect == "sqlite" else aware_time
    for at in _TIMES:
        values[at] = time(values[at])
    if store.dialect == "sqlite":
        for at in _DATES:
            values[at] = _date(values[at])
        values[18] = bool(values[18])
    for at in _JSONS:
        values[at] = json_value(values[at])
    for at in _NAMES:
        values[at] = names(values[at])
    item = view_from_row(values)
    assert len(values) == PATH_AT + 14
    events = [
        EventView(time(at), field, old, new, source, json_value(detail))  # type: ignore[arg-type]
        for at, field, old, new, source, detail in store._execute(
            "SELECT at, field, old, new, source, CAST(detail AS TEXT) FROM event "
            "WHERE item_id = :id ORDER BY at, id",
            {"id": item_id},
        ).fetchall()
    ]
    source = store._execute(
        "SELECT source FROM postmortem WHERE slug = :slug", {"slug": item.postmortem}
    ).fetchone()
    if source is None:
        return None
    return Shown(item, events, source[0])


# -- the TUI's first page -----------------------------------------------------------------


def first_items(store: DirectStore, limit: int) -> list[ItemView]:
    """Return the first `limit` live items as the TUI's table loads them, read directly.

    As tui/store.py's read_items with a limit: brief views in the list's order, with the
    two times the table shows (protection verified, issue synced) when an item has them.
    """
    params: dict[str, Any] = {"limit": limit}
    where = _where(ItemFilter(), params)
    rows = store._execute(f"SELECT {_BRIEF} {_JOINS} {where} {_ORDER} LIMIT :limit", params)
    decode = _decode_brief_sqlite if store.dialect == "sqlite" else _decode_brief_postgresql
    items = list(brief_views([decode(list(row)) for row in rows.fetchall()]))
    if not items:
        return items
    # As store/synced.py's sync_times, for these items only.
    ids = {item.id: item for item in items}
    keys = {f"id{n}": item_id for n, item_id in enumerate(sorted(ids))}
    times = store._execute(
        "SELECT a.id, a.verified_at, i.synced_at FROM action_item AS a "
        "LEFT OUTER JOIN github_issue AS i ON a.issue_id = i.id "
        "WHERE (a.verified_at IS NOT NULL OR i.synced_at IS NOT NULL) "
        f"AND a.id IN ({', '.join(':' + key for key in keys)})",
        keys,
    )
    time = sqlite_time if store.dialect == "sqlite" else aware_time
    for item_id, verified, synced in times.fetchall():
        item = ids[item_id]
        item.verified_at = time(verified)
        if item.issue is not None:
            item.issue.synced_at = time(synced)
    return items
