"""A virtual table of action items: only the visible lines are ever rendered.

Textual's DataTable builds every row up front, which costs hundreds of milliseconds
for 10,000 items on each filter change; this table just swaps its list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from followup.display import STATUS_ICON, STATUS_LABEL
from followup.store.views import ItemView
from followup.tui import timefmt
from followup.tui.filtering import Sort

ELLIPSIS = "…"
PROTECTION_MARK = "⛨ "
MIN_TITLE = 24


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


class ItemsTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of ItemView with a cursor; the header sorts on click."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "items-table--header",
        "items-table--cursor",
        "items-table--id",
        "items-table--dim",
        "items-table--overdue",
        "items-table--protection",
        "items-table--empty",
        *(f"items-table--status-{status}" for status in STATUS_LABEL),
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", tooltip="Show the item's details"),
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "edge(0)", "First", show=False),
        Binding("end,G", "edge(1)", "Last", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another item (or the table emptied)."""

        table: ItemsTable
        item: ItemView | None

    @dataclass
    class Selected(Message):
        """The user chose an item (Enter, or a click on the cursor's row)."""

        table: ItemsTable
        item: ItemView

    @dataclass
    class SortRequested(Message):
        """The user clicked a column header."""

        table: ItemsTable
        column: str

    def __init__(
        self,
        *,
        empty_text: str = "No action items.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.items: list[ItemView] = []
        self.cursor = 0
        self.sort = Sort()
        self.today = date.min
        self.empty_text = empty_text
        self._highlighted: str | None = None

    # -- data -------------------------------------------------------------------------

    @property
    def current(self) -> ItemView | None:
        """Return the item under the cursor."""
        if 0 <= self.cursor < len(self.items):
            return self.items[self.cursor]
        return None

    def set_items(
        self, items: Sequence[ItemView], *, today: date, sort: Sort | None = None
    ) -> None:
        """Show these items, keeping the cursor on the same item when it is still there."""
        keep = self.current.id if self.current else None
        self.items = list(items)
        self.today = today
        if sort is not None:
            self.sort = sort
        index = 0
        if keep is not None:
            for n, item in enumerate(self.items):
                if item.id == keep:
                    index = n
                    break
        self.cursor = index
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    def move_to(self, item_id: str) -> bool:
        """Put the cursor on an item; tell whether it is shown."""
        for n, item in enumerate(self.items):
            if item.id == item_id:
                self._set_cursor(n)
                return True
        return False

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        self.virtual_size = Size(width, len(self.items) + 1)

    def on_resize(self, event: events.Resize) -> None:
        """Lay the columns out again for the new width."""
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        """Show the focused cursor."""
        self.refresh()

    def on_blur(self) -> None:
        """Show the unfocused cursor."""
        self.refresh()

    # -- cursor -----------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _set_cursor(self, index: int) -> None:
        if not self.items:
            return
        index = max(0, min(len(self.items) - 1, index))
        if index == self.cursor:
            return
        old = self.cursor
        self.cursor = index
        self._refresh_row(old)
        self._refresh_row(index)
        self._scroll_cursor_into_view()
        self._announce()

    def _refresh_row(self, index: int) -> None:
        self.refresh_line(index + 1)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self._page:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False, immediate=True)

    def _announce(self) -> None:
        current = self.current
        key = current.id if current else None
        if key != self._highlighted:
            self._highlighted = key
            self.post_message(self.Highlighted(self, current))

    def action_cursor(self, delta: int) -> None:
        """Move the cursor up or down."""
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        """Move the cursor a page."""
        self._set_cursor(self.cursor + direction * self._page)

    def action_edge(self, end: int) -> None:
        """Move the cursor to the first or last item."""
        self._set_cursor(len(self.items) - 1 if end else 0)

    def action_select(self) -> None:
        """Open the item under the cursor."""
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        """Select a row, open the cursor's row, or sort by a header."""
        meta = event.style.meta
        if "column" in meta:
            self.post_message(self.SortRequested(self, str(meta["column"])))
        elif "row" in meta:
            row = int(meta["row"])
            if row == self.cursor:
                self.action_select()
            else:
                self._set_cursor(row)

    # -- rendering --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Render the header on the first line, then the rows under the scroll position."""
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if y == 0:
            return self._render_header(width, base)
        index = round(self.scroll_y) + y - 1
        if not self.items:
            if y == 2:
                style = base + self.get_component_rich_style("items-table--empty")
                return Strip([Segment(fit("  " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self.items):
            return Strip.blank(width, base)
        return self._render_row(index, width, base)

    def _render_header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("items-table--header")
        segments = [Segment(" ", style)]
        for n, (column, size) in enumerate(layout(width)):
            label = column.label
            if self.sort.column == column.key:
                label += " ▼" if self.sort.reverse else " ▲"
            if n:
                segments.append(Segment(" ", style))
            segments.append(Segment(fit(label, size), style + Style(meta={"column": column.key})))
        return Strip(segments).adjust_cell_length(width, style)

    def _render_row(self, index: int, width: int, base: Style) -> Strip:
        item = self.items[index]
        is_cursor = index == self.cursor
        row_style = base
        if is_cursor:
            row_style = base + self.get_component_rich_style("items-table--cursor")
        row_style += Style(meta={"row": index})
        component = self.get_component_rich_style
        segments = [Segment(" ", row_style)]
        for n, (column, size) in enumerate(layout(width)):
            if n:
                segments.append(Segment(" ", row_style))
            text, cell_class = self._cell(item, column.key)
            style = row_style
            if cell_class and not is_cursor:
                style = row_style + component(cell_class, partial=True)
            if column.key == "title" and item.kind == "branch_protection":
                mark_style = style
                if not is_cursor:
                    mark_style = style + component("items-table--protection", partial=True)
                segments.append(Segment(PROTECTION_MARK, mark_style))
                segments.append(Segment(fit(text, size - len(PROTECTION_MARK)), style))
                continue
            segments.append(Segment(fit(text, size, keep_end=column.keep_end), style))
        return Strip(segments).adjust_cell_length(width, row_style)

    def _cell(self, item: ItemView, key: str) -> tuple[str, str | None]:
        if key == "status":
            label = STATUS_LABEL.get(item.status, item.status)
            return f"{STATUS_ICON.get(item.status, '?')} {label}", (
                f"items-table--status-{item.status}" if item.status in STATUS_LABEL else None
            )
        if key == "id":
            return item.id, "items-table--id"
        if key == "title":
            return item.title, None
        if key == "owner":
            return item.owner or "", None
        if key == "priority":
            return item.priority or "", None
        if key == "due":
            if item.due is None:
                return item.due_text or "", "items-table--dim"
            if item.is_overdue(self.today):
                return f"{item.due.isoformat()} !", "items-table--overdue"
            return item.due.isoformat(), None
        if key == "postmortem":
            return item.postmortem, "items-table--dim"
        if key == "target":
            return item.target or "", None
        if key == "synced":
            at = item.issue.synced_at if item.issue is not None else item.verified_at
            return timefmt.short(at, self.today), "items-table--dim"
        return "", None
