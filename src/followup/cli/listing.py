"""Write `followup list` as it is read: tables, lines and JSON for 100,000 items in seconds.

Rich lays a table out by measuring and wrapping every cell, which costs milliseconds per
row: a store of 100,000 items took minutes. These writers keep the layout of
output.items_table (one table per post-mortem, the title column taking the width left,
the target under the title when the terminal is narrow, lines when no table fits) but
compute it directly, one post-mortem at a time, and write plain lines, styled with Rich's
styles when the console has colour. Items stream from the query, so memory stays that
of one post-mortem's rows.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import IO

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import COLOR_SYSTEMS, Console
from rich.style import Style
from rich.text import Text

from followup.cli import printing
from followup.cli.output import OWNER_WIDTH, due_cell, items_lines, table_layout
from followup.display import (
    MARK_MEANING,
    OVERDUE_MARK,
    PAST_POLICY_MARK,
    POLICY_MARK,
    STATUS_STYLE,
    status_text,
)
from followup.policy import DUE_POLICY
from followup.statuses import Status
from followup.store.views import ItemView

GAP = "   "  # a cell's right padding, the column rule (a space here) and the next's left
TITLE_MIN = 20


# Text from documents and GitHub is data: no control character reaches the terminal (an
# escape sequence in a title could clear the screen or retitle the window). Tabs and
# line breaks become spaces: a cell is one line.
_CONTROLS = dict.fromkeys((*range(32), 127, *range(128, 160))) | {0x09: " ", 0x0A: " "}


def strip_control_codes(text: str) -> str:
    """Return text without control characters, for a table cell."""
    return text.translate(_CONTROLS) if not text.isprintable() else text


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


class _Painter:
    """Apply Rich styles as terminal codes, or nothing when the console has no colour."""

    def __init__(self, console: Console) -> None:
        name = console.color_system
        self.system = COLOR_SYSTEMS.get(name) if name else None
        self.cache: dict[str, Style] = {}

    def __call__(self, text: str, style: str) -> str:
        if not self.system or not style or not text:
            return text
        found = self.cache.get(style)
        if found is None:
            found = self.cache[style] = Style.parse(style)
        return found.render(text, color_system=self.system)

    def text(self, text: Text) -> str:
        """Return one line of Rich Text with the styles of its spans."""
        if not self.system:
            return text.plain
        bounds = sorted({b for span in text.spans for b in (span.start, span.end)})
        out: list[str] = []
        for part in text.divide(bounds):
            styles = [Style.parse(str(text.style))]
            styles += [
                s.style if isinstance(s.style, Style) else Style.parse(s.style) for s in part.spans
            ]
            out.append(Style.combine(styles).render(part.plain, color_system=self.system))
        return "".join(out)


def write_table(items: Iterable[ItemView], today: date, console: Console) -> int:
    """Write one table per post-mortem, as `followup list` shows them; return how many.

    A post-mortem whose items fit no table (an issue reference or branch would be cut)
    is written as lines, as output.items_lines gives them.
    """
    paint = _Painter(console)
    width = console.width
    out = console.file
    count = 0
    for slug, group in groupby(items, key=lambda item: item.postmortem):
        rows = list(group)
        count += len(rows)
        layout = table_layout(rows, width)
        if layout is None:
            lines: Iterable[str] = (paint.text(line) for line in items_lines(rows, today))
        else:
            lines = _table(rows, slug, today, width, layout == "narrow", paint)
        out.write("\n".join(lines))
        out.write("\n")
    return count


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


def _table(
    rows: list[ItemView], slug: str, today: date, width: int, narrow: bool, paint: _Painter
) -> Iterator[str]:
    cells = [_cells(item, today, narrow, paint) for item in rows]
    heads = HEADS[:6] if narrow else HEADS
    widths = [len(h) for h in heads]
    for row, notes in cells:
        for i, cell in enumerate(row):
            cell_width = _width(cell[0])
            widths[i] = max(widths[i], cell_width)
        for note, _ in notes:  # lines of the title's cell
            widths[_TITLE] = max(widths[_TITLE], _width(note))
    widths[3] = min(widths[3], OWNER_WIDTH)
    others = sum(w for i, w in enumerate(widths) if i != 2)
    # As Rich does: the title is as wide as its longest line, up to the width left.
    room = max(TITLE_MIN, width - 2 - len(GAP) * (len(heads) - 1) - others)
    widths[2] = min(max(TITLE_MIN, widths[2]), room)
    inner = sum(widths) + len(GAP) * (len(heads) - 1)

    title = strip_control_codes(rows[0].postmortem_title)
    for n, line in enumerate(_wrap(f"{title}  {slug}", inner)):
        # The post-mortem's title in bold, its slug dimmed.
        if n == 0 and line.startswith(title):
            yield paint(title, "bold") + paint(line[len(title) :], "dim")
        else:
            yield paint(line, "dim")
    yield ""
    yield " " + GAP.join(paint(_pad(h, w), "bold") for h, w in zip(heads, widths, strict=True))
    yield " " + "─" * inner
    for row, notes in cells:
        yield from _row(row, notes, widths, paint)
    yield ""


HEADS = ("ID", "Status", "Title", "Owner", "Pri", "Due", "Target")
# The columns that wrap (the title) and fold (the target) rather than end in an ellipsis.
_TITLE, _TARGET = 2, 6

# A cell: its text and style; a style starting with "=" is the cell already painted.
Cell = tuple[str, str]


def _cells(
    item: ItemView, today: date, narrow: bool, paint: _Painter
) -> tuple[list[Cell], list[Cell]]:
    """Return the cells of one item's row, and the notes under its title."""
    title = strip_control_codes(item.title)
    if item.kind == "branch_protection":
        title = f"⛨ {title}"
    due = due_cell(item, today)
    status = item.status
    cells = [
        (item.id, "bold"),
        (_STATUS_TEXT.get(status) or status_text(status), STATUS_STYLE.get(status, "")),
        (title, ""),
        (f"@{strip_control_codes(item.owner)}" if item.owner else "", ""),
        (item.priority or "", ""),
        (due.plain, "=" + paint.text(due)),
    ]
    notes: list[Cell] = []
    if item.status_reason:
        notes.append((strip_control_codes(item.status_reason), "yellow"))
    target = item.target
    if not narrow:
        cells.append((strip_control_codes(target) if target else "", "cyan"))
    elif target:
        notes.append((f"→ {strip_control_codes(target)}", "cyan"))
    return cells, notes


_STATUS_TEXT = {status.value: status_text(status.value) for status in Status}


def _paint_cell(text: str, style: str, paint: _Painter) -> str:
    return style[1:] if style.startswith("=") else paint(text, style)


def _row(row: list[Cell], notes: list[Cell], widths: list[int], paint: _Painter) -> Iterator[str]:
    """Yield the lines of one row: one, unless a cell wraps or the title has notes."""
    tall = bool(notes)
    parts: list[str] = []
    for i, (full, given) in enumerate(row):
        style = given
        if tall:
            break
        width = widths[i]
        text = full
        used = _width(text)
        if used > width:
            if i in (_TITLE, _TARGET):
                tall = True
                break
            text = _cut(text, width)
            used = width
            if style.startswith("="):
                style = ""  # the painted form is of the whole text
        if i == _TITLE and text.startswith("⛨ "):
            parts.append(paint("⛨ ", "magenta") + text[2:] + " " * (width - used))
        else:
            parts.append(_paint_cell(text, style, paint) + " " * (width - used))
    if not tall:
        yield (" " + GAP.join(parts)).rstrip()
        return
    yield from _tall_row(row, notes, widths, paint)


def _tall_row(
    row: list[Cell], notes: list[Cell], widths: list[int], paint: _Painter
) -> Iterator[str]:
    columns: list[list[str]] = []
    for i, ((text, style), width) in enumerate(zip(row, widths, strict=True)):
        if i == _TITLE:
            lines = _wrap(text, width)
            cells = [_pad(line, width) for line in lines]
            if text.startswith("⛨ "):
                cells[0] = paint("⛨ ", "magenta") + cells[0][2:]
            for note, note_style in notes:
                cells.extend(paint(_pad(line, width), note_style) for line in _wrap(note, width))
        elif i == _TARGET:
            cells = [paint(_pad(part, width), style) for part in _fold(text, width)]
        elif style.startswith("=") and _width(text) <= width:
            cells = [style[1:] + " " * (width - _width(text))]
        else:
            plain_style = "" if style.startswith("=") else style
            cells = [paint(_pad(_cut(text, width), width), plain_style)]
        columns.append(cells)
    for n in range(max(len(cells) for cells in columns)):
        line = GAP.join(
            cells[n] if n < len(cells) else " " * width
            for cells, width in zip(columns, widths, strict=True)
        )
        yield (" " + line).rstrip()


def _cut(text: str, width: int) -> str:
    """Return text ending in an ellipsis if it is wider than width cells."""
    return set_cell_size(text, width - 1) + "…" if _width(text) > width else text


def _width(text: str) -> int:
    """Return how many terminal cells text takes (ASCII costs one len)."""
    return len(text) if text.isascii() else cell_len(text)


def _pad(text: str, width: int) -> str:
    """Return text padded with spaces to width cells (ASCII costs one len)."""
    if text.isascii():
        return text.ljust(width)
    return set_cell_size(text, width)


def _wrap(text: str, width: int) -> list[str]:
    """Return text broken into lines of at most width cells, at spaces where it can."""
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        rest = word
        while cell_len(rest) > width:
            head = chop_cells(rest, width)[0]
            lines.append(head)
            rest = rest[len(head) :]
        line = rest
    if line:
        lines.append(line)
    return lines


def _fold(text: str, width: int) -> list[str]:
    if cell_len(text) <= width:
        return [text]
    return chop_cells(text, width)
