"""The cells of `followup list`'s tables worked out once: statuses and due dates.

A status or a due date looks the same in every row that has it: its text, painted, and
its width are worked out once (cli/tables.py's writer asks for each row's). A due cell
is output.due_cell's, made for an ItemView standing in for the rows with that due key
(store/table_rows.py); rows that fit no table are written from such views too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len

from followup.cli.output import TODAY_ALL_LATE, due_cell
from followup.cli.table_cells import Painter, cell_width
from followup.display import MARK_MEANING, STATUS_STYLE, status_text
from followup.store.rows import UNREAD_TIME
from followup.store.table_rows import UNDATED, DueFields, DueKey, TableRow, due_fields
from followup.store.views import ItemView


@dataclass(slots=True, unsafe_hash=True)
class RowView(ItemView):
    """An ItemView made from a table row, whose target is the row's."""

    shown_target: str | None = None

    @property
    def target(self) -> str | None:
        """Return the row's target."""
        return self.shown_target


def row_view(row: TableRow, slug: str, postmortem_title: str, today: date) -> ItemView:
    """Return a view with a row's values, for output.items_lines."""
    _, _, item_id, status, kind, title, owner, priority, flags, due, target, reason, _ = row
    return stand_in(
        due_fields((flags, due), today),
        item_id=item_id,
        slug=slug,
        postmortem_title=postmortem_title,
        title=title,
        owner=owner[1:] if owner else None,
        priority=priority,
        kind=kind,
        status=status,
        reason=reason,
        target=target,
    )


def stand_in(
    due: DueFields,
    *,
    item_id: str = "",
    slug: str = "",
    postmortem_title: str = "",
    title: str = "",
    owner: str | None = None,
    priority: str | None = None,
    kind: str = "issue",
    status: str | None = None,
    reason: str | None = None,
    target: str | None = None,
) -> ItemView:
    """Return a view with these values and due fields (the rest empty)."""
    return RowView(
        id=item_id,
        postmortem=slug,
        postmortem_title=postmortem_title,
        title=title,
        text="",
        owner=owner,
        priority=priority,
        due=due.due,
        due_text=due.due_text,
        type=None,
        kind=kind,
        status=due.status if status is None else status,
        status_reason=reason,
        repo=None,
        links=(),
        protection=None,
        source_path="",
        line=0,
        section=None,
        parent=None,
        doc_done=False,
        issue=None,
        created_at=UNREAD_TIME,
        updated_at=UNREAD_TIME,
        verified_at=None,
        due_source=due.due_source,
        policy_due=due.policy_due,
        shown_target=target,
    )


class Due:
    """A due cell: its text, painted, its width, the widest form's and the marks shown."""

    __slots__ = ("marks", "painted", "plain", "widest", "width")

    def __init__(self, plain: str, painted: str, width: int, widest: int, marks: frozenset[str]):
        self.plain = plain
        self.painted = painted
        self.width = width
        self.widest = widest
        self.marks = marks


class Status:
    """A status cell: its text, painted, its style, its width in the table and the layout."""

    __slots__ = ("measured", "painted", "plain", "style", "width")

    def __init__(self, plain: str, painted: str, style: str, width: int, measured: int):
        self.plain = plain
        self.painted = painted
        self.style = style
        self.width = width
        self.measured = measured


class Cells:
    """The status and due cells of the rows a table writer meets, each worked out once."""

    def __init__(self, paint: Painter, today: date) -> None:
        self.paint = paint
        self.today = today
        self.dues: dict[DueKey, Due] = {}
        self.due_shapes: dict[int, tuple[str, Due]] = {}  # flags: a date, its cell
        self.statuses: dict[str, Status] = {}

    def status(self, status: str) -> Status:
        """Return the cell of a status."""
        found = self.statuses.get(status)
        if found is None:
            text = status_text(status)
            style = STATUS_STYLE.get(status, "")
            found = self.statuses[status] = Status(
                text, self.paint(text, style), style, cell_width(text), cell_len(text)
            )
        return found

    def due(self, key: DueKey) -> Due:
        """Return the due cell of the items with this due key (output.due_cell's)."""
        found = self.dues.get(key)
        if found is not None:
            return found
        flags, text = key
        if flags & UNDATED or text is None or not _is_day(text):
            found = self.new_due(key)
        else:
            # Dates with the same flags have the same cell, the date replaced (Rich's Text
            # costs some 70 microseconds a cell): one worked out per flags.
            shape = self.due_shapes.get(flags)
            if shape is None:
                found = self.new_due(key)
                self.due_shapes[flags] = (text, found)
            else:
                day, cell = shape
                found = Due(
                    cell.plain.replace(day, text, 1),
                    cell.painted.replace(day, text, 1),
                    cell.width,
                    cell.widest,
                    cell.marks,
                )
        self.dues[key] = found
        return found

    def new_due(self, key: DueKey) -> Due:
        """Return the due cell of the items with this due key, worked out through Rich."""
        item = stand_in(due_fields(key, self.today))
        cell = due_cell(item, self.today)
        plain = cell.plain
        # As listing.marks_of: the marks of a due date or of a policy's deadline.
        shown: frozenset[str] = frozenset()
        if item.due is not None or item.policy_due is not None:
            shown = frozenset(mark for mark in MARK_MEANING if mark in plain)
        widest = cell_len(due_cell(item, TODAY_ALL_LATE).plain)
        return Due(plain, self.paint.text(cell), cell_width(plain), widest, shown)


def _is_day(text: str) -> bool:
    """Tell whether text is a date as isoformat writes it, before the last day."""
    if len(text) != len(_LAST_DAY) or text == _LAST_DAY or not text.isascii():
        return False
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


# Measured on the last day (output.TODAY_ALL_LATE), a due date is late unless it is that day.
_LAST_DAY = TODAY_ALL_LATE.isoformat()
