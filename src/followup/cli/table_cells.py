"""Lay out a table's rows cell by cell: the general case of cli/tables.py's writer.

A cell is measured in terminal cells (wide characters take two), cut with an ellipsis,
padded, or broken into lines (the title wraps between words, the target folds); text
from documents loses its control codes first, and styles become terminal codes the way
Rich renders them. tables.TableWriter takes a faster way for plain ASCII rows, which must
give these functions' output byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import COLOR_SYSTEMS, Console
from rich.style import Style
from rich.text import Text

GAP = "   "  # a cell's right padding, the column rule (a space here) and the next's left
TITLE_MIN = 20
# The columns that wrap (the title) and fold (the target) rather than end in an ellipsis.
TITLE, TARGET = 2, 6
PROTECTION_MARK = "⛨ "

# Text from documents and GitHub is data: no control character reaches the terminal (an
# escape sequence in a title could clear the screen or retitle the window). Tabs and
# line breaks become spaces: a cell is one line.
_CONTROLS = dict.fromkeys((*range(32), 127, *range(128, 160))) | {0x09: " ", 0x0A: " "}


def strip_control_codes(text: str) -> str:
    """Return text without control characters, for a table cell."""
    return text.translate(_CONTROLS) if not text.isprintable() else text


class Painter:
    """Apply Rich styles as terminal codes, or nothing when the console has no colour."""

    def __init__(self, console: Console) -> None:
        name = console.color_system
        self.system = COLOR_SYSTEMS.get(name) if name else None
        # NO_COLOR keeps bold and dim but drops colours, as Rich's own output does.
        self.no_color = console.no_color
        self.codes: dict[str, tuple[str, str]] = {}

    def __call__(self, text: str, style: str) -> str:
        if not self.system or not style or not text:
            return text
        before, after = self.wrapping(style)
        return f"{before}{text}{after}"

    def wrapping(self, style: str) -> tuple[str, str]:
        """Return the codes Style.render puts before and after a text in this style."""
        found = self.codes.get(style)
        if found is None:
            found = ("", "")
            if self.system and style:
                # What Rich renders around any text: the style's codes and a reset.
                parsed = Style.parse(style)
                if self.no_color:
                    parsed = parsed.without_color
                rendered = parsed.render("\0", color_system=self.system)
                before, _, after = rendered.partition("\0")
                found = (before, after)
            self.codes[style] = found
        return found

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
            combined = Style.combine(styles)
            if self.no_color:
                combined = combined.without_color
            out.append(combined.render(part.plain, color_system=self.system))
        return "".join(out)


def cell_width(text: str) -> int:
    """Return how many terminal cells a cell's text takes (ASCII costs one len).

    An ASCII control code counts as one cell (cell_len gives it none), as the writer
    this one replaced measured ids and priorities; text stripped of control codes (every
    other cell, and all that wraps) is measured as cell_len measures it.
    """
    return len(text) if text.isascii() else cell_len(text)


# -- the general row writer ---------------------------------------------------------------

# A cell: its text and style; a style starting with "=" is the cell already painted.
Cell = tuple[str, str]


def paint_cell(text: str, style: str, paint: Painter) -> str:
    """Return a cell's text painted in its style (or as painted already)."""
    return style[1:] if style.startswith("=") else paint(text, style)


def row_lines(
    row: list[Cell], notes: list[Cell], widths: list[int], paint: Painter
) -> Iterator[str]:
    """Yield the lines of one row: one, unless a cell wraps or the title has notes."""
    tall = bool(notes)
    parts: list[str] = []
    for i, (full, given) in enumerate(row):
        style = given
        if tall:
            break
        width = widths[i]
        text = full
        used = cell_width(text)
        if used > width:
            if i in (TITLE, TARGET):
                tall = True
                break
            text = cut(text, width)
            used = width
            if style.startswith("="):
                style = ""  # the painted form is of the whole text
        if i == TITLE and text.startswith(PROTECTION_MARK):
            parts.append(paint(PROTECTION_MARK, "magenta") + text[2:] + " " * (width - used))
        else:
            parts.append(paint_cell(text, style, paint) + " " * (width - used))
    if not tall:
        yield (" " + GAP.join(parts)).rstrip()
        return
    yield from tall_row_lines(row, notes, widths, paint)


def tall_row_lines(
    row: list[Cell], notes: list[Cell], widths: list[int], paint: Painter
) -> Iterator[str]:
    """Yield the lines of a row whose title wraps or has notes: a column of lines each."""
    columns: list[list[str]] = []
    for i, ((text, style), width) in enumerate(zip(row, widths, strict=True)):
        if not text:
            # Nothing to paint: blank, as a one-line row leaves an empty cell.
            cells = [" " * width]
        elif i == TITLE:
            lines = wrap(text, width)
            cells = [pad(line, width) for line in lines]
            if text.startswith(PROTECTION_MARK):
                cells[0] = paint(PROTECTION_MARK, "magenta") + cells[0][2:]
            for note, note_style in notes:
                cells.extend(paint(pad(line, width), note_style) for line in wrap(note, width))
        elif i == TARGET:
            cells = [paint(pad(part, width), style) for part in fold(text, width)]
        elif style.startswith("=") and cell_width(text) <= width:
            cells = [style[1:] + " " * (width - cell_width(text))]
        else:
            plain_style = "" if style.startswith("=") else style
            cells = [paint(pad(cut(text, width), width), plain_style)]
        columns.append(cells)
    for n in range(max(len(cells) for cells in columns)):
        line = GAP.join(
            cells[n] if n < len(cells) else " " * width
            for cells, width in zip(columns, widths, strict=True)
        )
        yield (" " + line).rstrip()


def cut(text: str, width: int) -> str:
    """Return text ending in an ellipsis if it is wider than width cells."""
    return set_cell_size(text, width - 1) + "…" if cell_width(text) > width else text


def pad(text: str, width: int) -> str:
    """Return text padded with spaces to width cells (ASCII costs one len)."""
    if text.isascii():
        return text.ljust(width)
    return set_cell_size(text, width)


def wrap(text: str, width: int) -> list[str]:
    """Return text broken into lines of at most width cells, at spaces where it can.

    The text has no control codes (strip_control_codes).
    """
    if cell_width(text) <= width:
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


def wrap_plain(text: str, width: int) -> list[str]:
    """Return wrap(text, width) for ASCII text without control codes, by searching spaces.

    Where words are one space apart, the lines _wrap fills word by word end at the last
    space that fits; anything else (runs of spaces, a word wider than a line) is _wrap's.
    """
    size = len(text)
    if size <= width:
        return [text]
    if "  " in text or text.startswith(" "):
        return wrap(text, width)
    lines: list[str] = []
    start = 0
    while size - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:
            return wrap(text, width)
        lines.append(text[start:cut])
        start = cut + 1
    if start < size:
        lines.append(text[start:])
    return lines


def fold(text: str, width: int) -> list[str]:
    """Return text cut into lines of width cells (a reference or branch, not wrapped)."""
    if cell_len(text) <= width:
        return [text]
    return chop_cells(text, width)
