"""Read one item for `followup show`, and the TUI's first rows, through the driver alone.

As store/direct.py's list: no SQLAlchemy, the same columns the ordinary path reads
(store/listing.py), and the ordinary path's views built from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followup.store import direct, direct_sql
from followup.store.direct import DirectStore
from followup.store.filters import ItemFilter
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
    row = store._execute(
        f"SELECT {_ITEM} {direct_sql.JOINS} WHERE a.id = :id", {"id": item_id}
    ).fetchone()
    if row is None:
        return None
    values = list(row)
    time = sqlite_time if store.dialect == "sqlite" else aware_time
    for at in _TIMES:
        values[at] = time(values[at])
    if store.dialect == "sqlite":
        for at in _DATES:
            values[at] = direct.date_of(values[at])
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
    where = direct_sql.where_clause(ItemFilter(), params)
    rows = store._execute(
        f"SELECT {direct_sql.BRIEF} {direct_sql.JOINS} {where} {direct_sql.ORDER} LIMIT :limit",
        params,
    )
    sqlite = store.dialect == "sqlite"
    decode = direct.decode_brief_sqlite if sqlite else direct.decode_brief_postgresql
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
