"""The SQL of the direct reads (store/direct.py): the list's filter, joins, order and text.

Written to agree with store/queries.py's query and cli/listing.py's output byte for byte
(tests/cli/test_direct_read.py compares them on both backends). Every piece is a string
or a function returning one; nothing here touches a connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from followup.display import OVERDUE_MARK, PAST_POLICY_MARK, POLICY_MARK, status_text
from followup.policy import DUE_POLICY
from followup.statuses import CLOSED_STATUSES, UNACCEPTED_STATUSES, Status
from followup.store.display_paths import working_folder
from followup.store.filters import (
    HIDDEN_STATUSES,
    OPEN_STATUSES,
    ItemFilter,
    like_pattern,
    normalise_owner,
)

# Statuses in which an item still counts as outstanding (views.ItemView.is_overdue).
NOT_OUTSTANDING = tuple(sorted(s.value for s in CLOSED_STATUSES | UNACCEPTED_STATUSES))
UNACCEPTED = tuple(sorted(s.value for s in UNACCEPTED_STATUSES))


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def in_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def iso_date(dialect: str, expr: str) -> str:
    """Return SQL giving a date as YYYY-MM-DD (SQLite stores it so)."""
    return expr if dialect == "sqlite" else f"to_char({expr}, 'YYYY-MM-DD')"


def as_text(dialect: str, expr: str) -> str:
    return f"CAST({expr} AS TEXT)"


def nonempty(expr: str) -> str:
    """Return SQL telling whether a text is neither null nor empty (Python's truth)."""
    return f"({expr} IS NOT NULL AND {expr} <> '')"


def contains(dialect: str, expr: str, text: str) -> str:
    if dialect == "sqlite":
        return f"instr({expr}, {literal(text)}) > 0"
    return f"strpos({expr}, {literal(text)}) > 0"


OVERDUE = f"(a.due IS NOT NULL AND a.due < :today AND a.status NOT IN {in_list(NOT_OUTSTANDING)})"
PAST_POLICY = (
    "(a.policy_due IS NOT NULL AND a.policy_due < :today "
    f"AND a.status NOT IN {in_list(NOT_OUTSTANDING)})"
)


def status_sql() -> str:
    """Return SQL giving display.status_text of the item's status."""
    whens = " ".join(
        f"WHEN {literal(s.value)} THEN {literal(status_text(s.value))}" for s in Status
    )
    # status_text of a status it does not know: a question mark and the name.
    return f"CASE a.status {whens} ELSE '? ' || a.status END"


def due_plain(dialect: str) -> str:
    """Return SQL giving cli/listing._due_plain's text after '  due ', or '' for none."""
    iso = iso_date(dialect, "a.due")
    return (
        "CASE WHEN a.due IS NOT NULL THEN '  due ' || "
        f"{iso} || CASE WHEN a.due_source = {literal(DUE_POLICY)} "
        f"THEN {literal(POLICY_MARK)} ELSE '' END"
        f" || CASE WHEN {OVERDUE} THEN {literal(' ' + OVERDUE_MARK)}"
        f" WHEN {PAST_POLICY} THEN {literal(' ' + PAST_POLICY_MARK)} ELSE '' END"
        f" WHEN {nonempty('a.due_text')} THEN '  due ' || a.due_text"
        f" || CASE WHEN {PAST_POLICY} THEN {literal(' ' + PAST_POLICY_MARK)} ELSE '' END"
        " ELSE '' END"
    )


def plain_line(dialect: str) -> str:
    """Return SQL giving cli/listing._plain_line for an item without branch protection."""
    return (
        f"'  ' || a.id || '  ' || {status_sql()} || '  ' || "
        "CASE WHEN a.kind = 'branch_protection' THEN '⛨ ' ELSE '' END || a.title"
        f" || CASE WHEN {nonempty('a.owner')} THEN '  @' || a.owner ELSE '' END"
        f" || CASE WHEN {nonempty('a.priority')} THEN '  ' || a.priority ELSE '' END"
        f" || {due_plain(dialect)}"
        " || CASE WHEN i.number IS NOT NULL THEN '  ' || i.repo || '#' || "
        f"{as_text(dialect, 'i.number')} ELSE '' END"
        f" || CASE WHEN {nonempty('a.status_reason')} THEN '  (' || a.status_reason || ')'"
        " ELSE '' END"
    )


def relative_path() -> str:
    # As rows.brief_views: relative to the working folder when the path lies below it.
    return (
        "CASE WHEN substr(p.path, 1, CAST(:cwd_length AS INTEGER)) = :cwd "
        "THEN substr(p.path, CAST(:cwd_length AS INTEGER) + 1) ELSE p.path END"
    )


def compact_json_object() -> str:
    """Return SQLite's json_object of cli/listing._item_json, compact (see _spaced)."""
    boolean = "CASE WHEN {} THEN json('true') ELSE json('false') END"
    issue = (
        "CASE WHEN i.number IS NULL THEN NULL ELSE "
        "json_object('repo', i.repo, 'number', i.number, 'url', i.url, 'state', i.state) END"
    )
    return (
        "json_object('id', a.id, 'postmortem', p.slug, 'title', a.title, 'owner', a.owner, "
        "'priority', a.priority, 'due', a.due, 'due_text', a.due_text, "
        f"'due_source', a.due_source, 'overdue', {boolean.format(OVERDUE)}, "
        f"'policy_due', a.policy_due, 'past_policy', {boolean.format(PAST_POLICY)}, "
        "'type', a.type, 'kind', a.kind, 'status', a.status, "
        "'status_reason', a.status_reason, 'repo', a.repo, 'links', json_array(), "
        f"'protection', NULL, 'issue', {issue}, "
        f"'source', json_object('file', {relative_path()}, 'line', a.line))"
    )


# The columns of store/listing.py's BRIEF_COLUMNS, for the rows formed in Python.
BRIEF = (
    "a.id, a.title, a.owner, a.priority, a.due, a.due_text, a.type, a.kind, a.status, "
    'a.status_reason, a.repo, CAST(a."references" AS TEXT), CAST(a.protection AS TEXT), '
    "CAST(a.protection_applied AS TEXT), a.line, a.due_source, a.policy_due, p.slug, "
    "p.title, p.path, i.number, i.repo, i.url, i.state"
)
JOINS = (
    "FROM action_item AS a JOIN postmortem AS p ON a.postmortem_id = p.id "
    "LEFT OUTER JOIN github_issue AS i ON a.issue_id = i.id"
)
SUGGESTED_JOINS = (
    "FROM action_item AS a CROSS JOIN postmortem AS p "
    "LEFT OUTER JOIN github_issue AS i ON a.issue_id = i.id"
)
# models.LISTING_ORDER, then the document's order.
PM_ORDER = "ORDER BY p.incident_date IS NULL, p.incident_date DESC, p.slug"
ORDER = f"{PM_ORDER}, a.position"


def where_clause(flt: ItemFilter, params: dict[str, Any]) -> str:
    """Return the WHERE clause of queries._item_query for this filter, filling params."""
    conditions: list[str] = []
    if flt.statuses:
        conditions.append(f"a.status IN {in_list(sorted(flt.statuses))}")
    elif not flt.include_removed:
        conditions.append(f"a.status NOT IN {in_list(HIDDEN_STATUSES)}")
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
            f"a.due IS NOT NULL AND a.due < :today AND a.status IN {in_list(OPEN_STATUSES)}"
        )
    if flt.past_policy:
        conditions.append(
            "a.policy_due IS NOT NULL AND a.policy_due < :today "
            f"AND a.status IN {in_list(OPEN_STATUSES)}"
        )
    if flt.text:
        params["needle"] = like_pattern(flt.text)
        conditions.append(
            "(lower(a.title) LIKE :needle ESCAPE '\\' OR lower(a.owner) LIKE :needle "
            "ESCAPE '\\' OR a.id LIKE :needle ESCAPE '\\')"
        )
    return "WHERE " + " AND ".join(conditions) if conditions else ""


def formed_in_python(json_rows: bool) -> str:
    """Return SQL telling whether a row needs Python: a protection (or links in JSON)."""
    condition = "a.protection IS NOT NULL"
    if json_rows:
        condition += (
            " OR NOT (a.\"references\" IS NULL OR CAST(a.\"references\" AS TEXT) IN ('[]', 'null'))"
        )
    return f"({condition})"


def params_for(dialect: str, today: date) -> dict[str, Any]:
    return {"today": today.isoformat() if dialect == "sqlite" else today}


def add_cwd(params: dict[str, Any]) -> None:
    cwd = working_folder()
    params["cwd"] = cwd
    params["cwd_length"] = len(cwd)


def and_where(where: str, condition: str) -> str:
    return f"{where} AND {condition}" if where else f"WHERE {condition}"


# The columns PostgreSQL sends for Python to form a plain line (store/forming.py), after
# the post-mortem's id and the item's position (_by_position).
LINE_COLUMNS = (
    "p.id, a.position, a.id, a.status, a.kind, a.title, a.owner, a.priority, a.due, "
    "a.due_text, a.due_source, a.policy_due, i.number, i.repo, a.status_reason"
)
# … and a JSON object.
OBJECT_COLUMNS = (
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
    params = params_for(dialect, today)
    python = formed_in_python(as_json)
    if as_json:
        add_cwd(params)
    where = where_clause(flt, params)
    if not as_json:
        unaccepted = "IN" if suggested else "NOT IN"
        where = and_where(where, f"a.status {unaccepted} {in_list(UNACCEPTED)}")
    order = ORDER
    if dialect == "sqlite":
        # (SQLite's JSON list is read in chunks instead: _chunk_sql.)
        assert not as_json
        columns = f"p.id, CASE WHEN {python} THEN char(0) || a.id ELSE {plain_line(dialect)} END"
    else:
        columns = f"{OBJECT_COLUMNS if as_json else LINE_COLUMNS}, {python}"
        # Ordered by post-mortem only, its items then by Python (_by_position): sorting
        # them by position doubled the server's work.
        order = PM_ORDER
    joins = JOINS
    if suggested and dialect == "sqlite":
        # Suggestions are few: found through the index of statuses, then sorted, rather
        # than by walking every post-mortem in the list's order (SQLite's choice, unless a
        # CROSS JOIN tells it which table to start from).
        joins = SUGGESTED_JOINS
        where = and_where(where, "a.postmortem_id = p.id")
    first = f"SELECT {columns} {joins} {where} {order}"
    return first, formed_in_python_sql(joins, where, python), params


def formed_in_python_sql(joins: str, where: str, python: str) -> str:
    """Return the query of the BRIEF columns of the rows Python forms, in the list's order."""
    return f"SELECT {BRIEF} {joins} {and_where(where, python)} {ORDER}"
