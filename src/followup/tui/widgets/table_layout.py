"""Where the items table's columns go and how a cell's text fits its width."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, set_cell_size

from followup.tui.sorting import Sort, shown_on

ELLIPSIS = "…"
MIN_TITLE = 24
# Sort keys that are not a column get a sign before their arrow on the column they use.
KEY_SIGN = {"overdue": "!"}


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its sort key, header, width (0 grows) and the table width it needs."""

    key: str
    label: str
    width: int
    needs: int = 0
    keep_end: bool = False  # truncate on the left, keeping the end (repo#number)


COLUMNS: tuple[Column, ...] = (
    Column("status", "Status", 13),
    Column("id", "ID", 7),
    Column("title", "Title", 0),
    Column("owner", "Owner", 9),
    Column("priority", "Pri", 3, needs=70),
    Column("due", "Due", 12),
    Column("postmortem", "Post-mortem", 20, needs=112),
    Column("target", "Issue / target", 20, needs=88, keep_end=True),
    Column("synced", "Synced", 12, needs=136),
)
# When even the title is squeezed, these go first.
DROP_ORDER = ("synced", "postmortem", "target", "priority", "owner")


def fit(text: str, width: int, *, keep_end: bool = False) -> str:
    """Return text padded or cut to exactly width cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if keep_end:
        tail = text[-(width - 1) :]
        while cell_len(tail) > width - 1:
            tail = tail[1:]
        return set_cell_size(ELLIPSIS + tail, width)
    return set_cell_size(set_cell_size(text, width - 1) + ELLIPSIS, width)


@lru_cache(maxsize=32)
def layout(width: int) -> tuple[tuple[Column, int], ...]:
    """Return the columns that fit in width and the width each gets."""
    shown = [c for c in COLUMNS if width >= c.needs]

    def title_width(cols: list[Column]) -> int:
        # One space of padding on the left, one between each pair of columns.
        return width - 1 - sum(c.width for c in cols) - (len(cols) - 1)

    for key in DROP_ORDER:
        if title_width(shown) >= MIN_TITLE:
            break
        shown = [c for c in shown if c.key != key]
    title = max(1, title_width(shown))
    return tuple((c, c.width or title) for c in shown)


def sort_marks(sort: Sort) -> dict[str, str]:
    """Return each sorted column's mark: an arrow, and the key's rank when there are several."""
    many = len(sort.keys) > 1
    marks: dict[str, str] = {}
    for rank, key in enumerate(sort.keys, 1):
        mark = KEY_SIGN.get(key.column, "") + ("▼" if key.reverse else "▲")
        mark += str(rank) if many else ""
        column = shown_on(key.column)
        marks[column] = f"{marks[column]} {mark}" if column in marks else mark
    return marks


def header_label(label: str, mark: str, width: int) -> str:
    """Return a header cell: the label and its sort mark; the mark wins when space is short."""
    if not mark:
        return fit(label, width)
    text = f"{label} {mark}"
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    room = width - cell_len(mark)
    if room < 0:
        return fit(mark, width)
    return set_cell_size(label, room) + mark
