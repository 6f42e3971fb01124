"""Write `followup list` as it is read: tables, lines and JSON for 100,000 items in seconds.

Rich lays a table out by measuring and wrapping every cell, which costs milliseconds per
row: a store of 100,000 items took minutes. The table writer (cli/tables.py) keeps the
layout of output.items_table but computes it directly, from plain rows; the writers here
give the plain lines and JSON. Items stream from the query, so memory stays that of one
post-mortem's rows.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import IO

from rich.console import Console

from followup.cli import printing
from followup.cli.output import items_lines
from followup.cli.tables import write_groups
from followup.display import (
    MARK_MEANING,
    OVERDUE_MARK,
    PAST_POLICY_MARK,
    POLICY_MARK,
    status_text,
)
from followup.policy import DUE_POLICY
from followup.statuses import Status
from followup.store.table_rows import chunks_of
from followup.store.views import ItemView


def write_json(items: Iterable[ItemView], today: date, out: IO[str]) -> int:
    """Write the items as a JSON array, one object per line; return how many."""
    return write_json_objects((_item_json(item, today) for item in items), out)


def write_json_objects(objects: Iterable[str], out: IO[str]) -> int:
    """Write encoded objects as a JSON array, one per line; return how many."""
    count = 0
    chunk: list[str] = []
    for text in objects:
        chunk.append(text)
        count += 1
        if len(chunk) >= 1000:
            out.write(("[\n  " if count == len(chunk) else ",\n  ") + ",\n  ".join(chunk))
            chunk.clear()
    if chunk:
        out.write(("[\n  " if count == len(chunk) else ",\n  ") + ",\n  ".join(chunk))
    out.write("\n]\n" if count else "[]\n")
    return count


def write_json_batches(batches: Iterable[bytes], out: IO[str]) -> int:
    """Write UTF-8 batches of objects, each joined by OBJECT_SEPARATOR, as one JSON array.

    The bytes go to out's binary buffer when out writes UTF-8 as it is (no other encoding,
    no line ends translated); return how many batches were written.
    """
    raw = _utf8_buffer(out)
    count = 0
    for batch in batches:
        if batch:
            head = b"[\n  " if not count else _SEPARATOR
            if raw is not None:
                raw.write(head)
                raw.write(batch)
            else:
                out.write((head + batch).decode())
            count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def _utf8_buffer(out: IO[str]) -> IO[bytes] | None:
    """Return the binary buffer under a text stream writing plain UTF-8, flushed; or None."""
    raw = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None) or ""
    if raw is None or not encoding or os.linesep != "\n":
        return None
    if codecs.lookup(encoding).name != "utf-8":
        return None
    out.flush()
    return raw  # type: ignore[no-any-return]


# What parts the objects of a JSON list (one a line, indented).
OBJECT_SEPARATOR = ",\n  "
_SEPARATOR = OBJECT_SEPARATOR.encode()


def item_json(item: ItemView, today: date) -> str:
    """Return one item's object as `followup list --format json` writes it."""
    return _item_json(item, today)


# One encoder: json.dumps with any option set builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_string = json.encoder.encode_basestring  # what that encoder writes a string with


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _day(value: date | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


def _item_json(item: ItemView, today: date) -> str:
    """Return the encoder's text of item.to_json(today), written directly.

    Building a dict per item and encoding it cost some 20 microseconds an item; the
    rare nested values (links, protection) still go through the encoder.
    """
    issue = item.issue
    if issue is None:
        issue_json = "null"
    else:
        issue_json = (
            f'{{"repo": {_string(issue.repo)}, "number": {int(issue.number)}, '
            f'"url": {_text(issue.url)}, "state": {_text(issue.state)}}}'
        )
    protection = item.protection
    return (
        f'{{"id": {_string(item.id)}, "postmortem": {_string(item.postmortem)}, '
        f'"title": {_string(item.title)}, "owner": {_text(item.owner)}, '
        f'"priority": {_text(item.priority)}, "due": {_day(item.due)}, '
        f'"due_text": {_text(item.due_text)}, "due_source": {_text(item.due_source)}, '
        f'"overdue": {"true" if item.is_overdue(today) else "false"}, '
        f'"policy_due": {_day(item.policy_due)}, '
        f'"past_policy": {"true" if item.is_past_policy(today) else "false"}, '
        f'"type": {_text(item.type)}, "kind": {_string(item.kind)}, '
        f'"status": {_string(item.status)}, "status_reason": {_text(item.status_reason)}, '
        f'"repo": {_text(item.repo)}, '
        f'"links": {_encode([ref.to_dict() for ref in item.links]) if item.links else "[]"}, '
        f'"protection": {"null" if protection is None else _encode(protection.to_json())}, '
        f'"issue": {issue_json}, '
        f'"source": {{"file": {_string(item.source_path)}, "line": {int(item.line)}}}}}'
    )


def write_table(items: Iterable[ItemView], today: date, console: Console) -> int:
    """Write one table per post-mortem, as `followup list` shows them; return how many.

    A post-mortem whose items fit no table (an issue reference or branch would be cut)
    is written as lines, as output.items_lines gives them (cli/tables.py).
    """
    return write_groups(chunks_of(items, today), today, console)


def write_lines(items: Iterable[ItemView], today: date, console: Console) -> int:
    """Write output.items_lines for the items, whole lines (for pipes); return how many."""
    if console.color_system is not None:
        count = 0
        for _slug, group in groupby(items, key=lambda item: item.postmortem):
            rows = list(group)
            count += len(rows)
            for line in items_lines(rows, today):
                printing.line(console, line)
        return count
    # Without colour only the text counts: built as plain strings, not Rich Text, which
    # cost some 100 microseconds an item.
    out = console.file
    count = 0
    heading = ""
    lines: list[str] = []
    for item in items:
        if item.postmortem != heading or not count:
            heading = item.postmortem
            lines.append(_rich_plain(f"{item.postmortem_title}  {heading}"))
        lines.append(_rich_plain(_plain_line(item, today)))
        count += 1
        if len(lines) >= 1000:
            out.write("\n".join(lines))
            out.write("\n")
            lines.clear()
    if lines:
        out.write("\n".join(lines))
        out.write("\n")
    return count


def write_formed_lines(
    batches: Iterable[list[tuple[int, str]]],
    headings: Mapping[int, str],
    out: IO[str],
    marks: set[str],
) -> int:
    """Write write_lines' plain lines for (post-mortem id, line) rows formed already.

    Rows name their post-mortem by id (headings gives its heading). Each mark that the
    written text contains is added to marks (a title may hold one too: the caller asks
    the store which are due marks). Return how many rows were written.
    """
    count = 0
    current = None
    unseen = [mark for mark in MARK_MEANING if mark not in marks]
    for batch in batches:
        if not batch:
            continue
        lines: list[str] = []
        # A heading where the post-mortem changes; the lines of each run in one C call.
        for pm_id, rows in groupby(batch, key=_FIRST):
            if pm_id != current:
                current = pm_id
                lines.append(headings[pm_id])
            lines.extend(map(_SECOND, rows))
        text = "\n".join(lines)
        if any(code in text for code in _RICH_DROPPED):
            text = text.translate(_RICH_STRIPPED)
        for mark in unseen:
            if mark in text:
                marks.add(mark)
        unseen = [mark for mark in unseen if mark not in marks]
        out.write(text)
        out.write("\n")
        count += len(batch)
    return count


_FIRST = itemgetter(0)
_SECOND = itemgetter(1)


# What Rich's Text drops from the text it is given (bell, backspace, VT, FF, CR): the plain
# lines must read as items_lines' Text would.
_RICH_STRIPPED = dict.fromkeys((7, 8, 11, 12, 13))
_RICH_DROPPED = "".join(map(chr, _RICH_STRIPPED))


def _rich_plain(text: str) -> str:
    return text if text.isprintable() else text.translate(_RICH_STRIPPED)


def plain_line(item: ItemView, today: date) -> str:
    """Return items_lines' line for one item as plain text (control codes kept)."""
    return _plain_line(item, today)


def _plain_line(item: ItemView, today: date) -> str:
    """Return items_lines' line for one item as plain text."""
    status = item.status
    parts = ["  ", item.id, "  ", _STATUS_TEXT.get(status) or status_text(status), "  "]
    if item.kind == "branch_protection":
        parts.append("⛨ ")
    parts.append(item.title)
    if item.owner:
        parts.append(f"  @{item.owner}")
    if item.priority:
        parts.append(f"  {item.priority}")
    if item.due or item.due_text:
        parts.append("  due ")
        parts.append(_due_plain(item, today))
    target = item.target
    if target:
        parts.append(f"  {target}")
    if item.status_reason:
        parts.append(f"  ({item.status_reason})")
    return "".join(parts)


_STATUS_TEXT = {status.value: status_text(status.value) for status in Status}


def _due_plain(item: ItemView, today: date) -> str:
    """Return the text of output.due_cell, without building Rich Text."""
    overdue = False
    if item.due is None:
        text = item.due_text or ""
    else:
        text = item.due.isoformat()
        if item.due_source == DUE_POLICY:
            text += POLICY_MARK
        overdue = item.is_overdue(today)
        if overdue:
            text += f" {OVERDUE_MARK}"
    if not overdue and item.is_past_policy(today):
        text += f" {PAST_POLICY_MARK}"
    return text


def marks_of(item: ItemView, today: date) -> set[str]:
    """Return the due-date marks an item shows (for the legend under the list)."""
    if item.due is None and item.policy_due is None:
        return set()
    plain = _rich_plain(_due_plain(item, today))
    return {mark for mark in MARK_MEANING if mark in plain}
