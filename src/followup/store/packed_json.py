"""Form `followup list --format json` on PostgreSQL from each post-mortem's values as one text.

Reading 100,000 items' twenty columns made two million Python objects, and forming each
object from its row another third of a second. PostgreSQL forms JSON slowly (a dozen
microseconds an object), but joins text quickly: it sends each post-mortem's values,
in position order, joined by the unit separator (as store/packed_rows.py), each NULL
as U+001E, and a mask: how many are NULL, and whether the item is formed from its view.
Python splits a chunk of post-mortems at once and forms the objects column by column:
quoted in one pass over the text, NULLs made null in another, unless a character is to
be escaped (then value by value). A chunk that does not split (a value holding the
separator), or where a value holds U+001E (more of them than NULLs), is read as before,
row by row (store/forming.py). Items with a protection or links are formed from their
views.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

from followup.store import direct, direct_sql, forming, packed_rows
from followup.store.filters import ItemFilter
from followup.store.views import ItemView

SEPARATOR = "\x1f"
NULL = "\x1e"  # what a NULL is sent as (the mask counts them)
# The fields of a row: the values as TEXT (NULL as NULL), then the mask.
_TEXTS = (
    "a.id",
    "a.title",
    "a.owner",
    "a.priority",
    "CAST(a.due AS TEXT)",  # YYYY-MM-DD: DateStyle is ISO (direct's _open_postgresql)
    "a.due_text",
    "a.due_source",
    "CAST(a.policy_due AS TEXT)",
    "a.type",
    "a.kind",
    "a.status",
    "a.status_reason",
    "a.repo",
    "CAST(i.number AS TEXT)",
    "i.repo",
    "i.url",
    "i.state",
    "CAST(a.line AS TEXT)",
)
FIELDS = len(_TEXTS) + 1
# Columns that are never NULL (a NULL one drops the row, and the chunk does not split).
_REQUIRED = frozenset({"a.id", "a.title", "a.kind", "a.status", "CAST(a.line AS TEXT)"})
_NULLABLE = [text for text in _TEXTS if text not in _REQUIRED]
# The mask: how many values are NULL, times two, plus one if the item is formed from its view.
PYTHON = 1
_string = forming._string


def _row() -> str:
    """Return SQL giving a row's fields joined by the separator."""
    fields = [text if text in _REQUIRED else f"coalesce({text}, chr(30))" for text in _TEXTS]
    python = f"CAST({direct_sql.formed_in_python(True)} AS INTEGER)"
    fields.append(f"CAST(num_nulls({', '.join(_NULLABLE)}) * 2 + {python} AS TEXT)")
    return " || chr(31) || ".join(fields)


def iter_objects(
    store: direct.DirectStore,
    flt: ItemFilter,
    today: date,
    form: Callable[[ItemView], str],
    separator: str,
) -> Iterator[bytes]:
    """Yield the JSON list's objects on PostgreSQL, a chunk of post-mortems a batch, as UTF-8.

    As direct.sqlite_objects on SQLite: each batch's objects joined by separator.
    """
    rows_sql, brief_sql, params = direct_sql.list_sql(store.dialect, flt, today, as_json=True)
    views = direct.item_views(store, brief_sql, params)
    # Each post-mortem's slug and file once, not with each of its items.
    cursor = store._execute("SELECT id, slug, path FROM postmortem", {})
    postmortems = forming.sources(cursor.fetchall())
    where = direct_sql.where_clause(flt, params)
    packed = packed_rows.postgresql_chunks(store, _row(), where, params, direct.CHUNK_POSTMORTEMS)
    for ids, counts, text in direct.prefetched(packed):
        objects = _objects(ids, counts, text, postmortems, today.isoformat())
        if objects is None:
            rows = _rows(store, rows_sql, params, ids)
            objects = forming.objects(rows, today, postmortems)
        # Rows formed from their views: NUL and the item's id.
        for at in direct.in_python(objects):
            objects[at] = form(views(objects[at][1:]))
        yield separator.join(objects).encode()


def _objects(
    ids: list[int],
    counts: list[int],
    text: str,
    postmortems: dict[int, tuple[str, str]],
    today: str,
) -> list[str] | None:
    """Return the objects of the rows packed in text, each post-mortem's count in turn.

    An item formed from its view is NUL and its id. None if the text does not split
    into its rows' fields, or a value holds the character a NULL is sent as. Dates are
    compared as ISO text (today's too).
    """
    # Each value quoted and each NULL null, in two passes over the text: JSON already,
    # unless a value has a character JSON escapes.
    quoted = f'"{text.replace(SEPARATOR, _QUOTED_SEPARATOR)}"'.replace(_QUOTED_NULL, "null")
    values = quoted.split(SEPARATOR)
    if len(values) != sum(counts) * FIELDS:
        return None
    masks = list(map(int, map(_UNQUOTED, values[FIELDS - 1 :: FIELDS])))
    tally = Counter(masks)
    # Each NULL mark a NULL's (and a whole value) unless a value holds the character.
    if text.count(NULL) != sum(times * (mask >> 1) for mask, times in tally.items()):
        return None
    encoded = text.encode()
    escape = (
        b'"' in encoded
        or b"\\" in encoded
        or len(encoded.translate(None, _CONTROLS)) != len(encoded)
    )
    if escape:
        values = text.split(SEPARATOR)
        null, day, done = NULL, today, _DONE_WITH
    else:
        null, day, done = "null", f'"{today}"', _QUOTED_DONE_WITH
    column = dict(zip(_TEXTS, (values[at::FIELDS] for at in range(FIELDS)), strict=False))

    def string(name: str) -> Sequence[str]:
        """Return a column as JSON: strings (escaped if need be), NULL as null."""
        found = column[name]
        if not escape:
            return found
        return ["null" if one == NULL else _string(one) for one in found]

    def number(value: str) -> str:
        return value if escape else value[1:-1]

    issue: Iterable[str] = repeat("null")
    numbers = column["CAST(i.number AS TEXT)"]
    if any(n != null for n in numbers):
        issue = [
            "null"
            if n == null
            else f'{{"repo": {repo}, "number": {number(n)}, "url": {url}, "state": {state}}}'
            for n, repo, url, state in zip(
                numbers, string("i.repo"), string("i.url"), string("i.state"), strict=True
            )
        ]
    # As forming.objects: late while outstanding, ISO dates compared as text.
    statuses = column["a.status"]
    overdue = [
        _TRUTH[due != null and due < day and status not in done]
        for due, status in zip(column["CAST(a.due AS TEXT)"], statuses, strict=True)
    ]
    past = [
        _TRUTH[due != null and due < day and status not in done]
        for due, status in zip(column["CAST(a.policy_due AS TEXT)"], statuses, strict=True)
    ]
    sources = [postmortems[pm_id] for pm_id in ids]
    slugs = chain.from_iterable(map(repeat, [slug for slug, _ in sources], counts))
    files = chain.from_iterable(map(repeat, [file for _, file in sources], counts))
    # Each object's pieces in turn: the text before a value, then the value.
    parts: tuple[tuple[str, Iterable[str]], ...] = (
        ('{"id": ', string("a.id")),
        (', "postmortem": ', slugs),
        (', "title": ', string("a.title")),
        (', "owner": ', string("a.owner")),
        (', "priority": ', string("a.priority")),
        (', "due": ', string("CAST(a.due AS TEXT)")),
        (', "due_text": ', string("a.due_text")),
        (', "due_source": ', string("a.due_source")),
        (', "overdue": ', overdue),
        (', "policy_due": ', string("CAST(a.policy_due AS TEXT)")),
        (', "past_policy": ', past),
        (', "type": ', string("a.type")),
        (', "kind": ', string("a.kind")),
        (', "status": ', string("a.status")),
        (', "status_reason": ', string("a.status_reason")),
        (', "repo": ', string("a.repo")),
        (', "links": [], "protection": null, "issue": ', issue),
        (', "source": {"file": ', files),
        (', "line": ', map(number, column["CAST(a.line AS TEXT)"])),
    )
    pieces: list[Iterable[str]] = []
    for before, value in parts:
        pieces += [repeat(before), value]
    pieces.append(repeat("}}"))
    objects = list(map("".join, zip(*pieces, strict=False)))  # repeat() never ends
    if any(mask & PYTHON for mask in tally):
        for at, mask in enumerate(masks):
            if mask & PYTHON:
                objects[at] = "\0" + number(column["a.id"][at])
    return objects


_DONE_WITH = forming._DONE_WITH
_QUOTED_DONE_WITH = frozenset(f'"{status}"' for status in _DONE_WITH)
_TRUTH = ("false", "true")
_QUOTED_SEPARATOR = f'"{SEPARATOR}"'
_QUOTED_NULL = f'"{NULL}"'
_UNQUOTED = itemgetter(slice(1, -1))
# The bytes of the characters Python's encoder escapes, but quote and backslash and the
# NULL mark and separator (counted apart): UTF-8 writes no other character with them.
_CONTROLS = bytes(range(0x1E))


def _rows(
    store: direct.DirectStore, rows_sql: str, params: dict[str, Any], ids: list[int]
) -> list[Any]:
    """Return the rows of direct_sql.OBJECT_COLUMNS of these post-mortems, in the list's order."""
    head, order = rows_sql.split(" ORDER BY ")
    member = "p.id = ANY(:chunk)"
    joined = f" AND {member}" if " WHERE " in head else f" WHERE {member}"
    chunk = {**params, "chunk": ids}
    rows = [
        row
        for batch in direct.stream_rows(
            store, f"{head}{joined} ORDER BY {order}", chunk, "rows", dates_as_text=True
        )
        for row in batch
    ]
    # The chunk's post-mortems in its order (the list's), each one's items by position.
    at = {pm_id: n for n, pm_id in enumerate(ids)}
    rows.sort(key=lambda row: (at[row[0]], row[1]))
    return rows
