"""The table writer of `followup list` as it was before it read plain rows (main, 8ebb78d).

Kept as the reference that cli/tables.py must match byte for byte
(tests/cli/test_tables.py): it builds the cells of each item from its view one by one,
as the first fast writer did. One change since: a row of several lines leaves an empty
cell blank, as a one-line row does, rather than painting its spaces (_tall_row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import groupby

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import COLOR_SYSTEMS, Console
from rich.style import Style
from rich.text import Text

from followup.cli.output import OWNER_WIDTH, due_cell, items_lines, table_layout
from followup.display import STATUS_STYLE, status_text
from followup.statuses import Status
from followup.store.views import ItemView

GAP = "   "
TITLE_MIN = 20
_CONTROLS = dict.fromkeys((*range(32), 127, *range(128, 160))) | {0x09: " ", 0x0A: " "}


def strip_control_codes(text: str) -> str:
    """Return text without control characters, for a table cell."""
    return text.translate(_CONTROLS) if not text.isprintable() else text


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
        if not text:
            # Fixed since 8ebb78d: an empty cell (a target) was painted, as cyan spaces.
            cells = [" " * width]
        elif i == _TITLE:
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
