"""A virtual table of action items: only the visible lines are ever rendered.

Textual's DataTable builds every row up front, which costs hundreds of milliseconds
for 10,000 items on each filter change; this table just swaps its list.

Rows can be selected (space, shift+arrows, ctrl+a); a selected row carries a mark in its
first cell, so the selection reads without colour. The selection is a set of item ids:
it survives filtering and sorting, and the screen acts on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from followup.display import OVERDUE_MARK, PAST_POLICY_MARK, POLICY_MARK, STATUS_ICON, STATUS_LABEL
from followup.policy import DUE_POLICY
from followup.store.views import ItemView
from followup.tui import timefmt
from followup.tui.filtering import Shown
from followup.tui.sorting import Sort
from followup.tui.widgets.table_layout import fit, header_label, layout, sort_marks

PROTECTION_MARK = "⛨ "
SELECTED_MARK = "●"
SELECTING = Binding.Group("Selecting")
_ID = attrgetter("id")


class ItemsTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of ItemView with a cursor and a selection; the header sorts on click."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "items-table--header",
        "items-table--cursor",
        "items-table--id",
        "items-table--dim",
        "items-table--overdue",
        "items-table--protection",
        "items-table--empty",
        "items-table--selected",
        "items-table--mark",
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
        Binding(
            "space",
            "toggle_selected",
            "Select",
            show=False,
            tooltip="Select or unselect the item, then go down",
            group=SELECTING,
        ),
        Binding(
            "shift+down",
            "extend(1)",
            "Select down",
            show=False,
            tooltip="Extend the selection to the next item",
            group=SELECTING,
        ),
        Binding(
            "shift+up",
            "extend(-1)",
            "Select up",
            show=False,
            tooltip="Extend the selection to the item above",
            group=SELECTING,
        ),
        Binding(
            "ctrl+a",
            "select_all",
            "Select all",
            show=False,
            tooltip="Select every item shown, or none when all are",
            group=SELECTING,
        ),
        Binding(
            "escape",
            "clear_selection",
            "Clear selection",
            show=False,
            tooltip="Unselect every item",
            group=SELECTING,
        ),
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
        """The user clicked a column header; with shift, to sort by it next."""

        table: ItemsTable
        column: str
        then: bool = False

    @dataclass
    class SelectionChanged(Message):
        """Rows were selected or unselected."""

        table: ItemsTable
        count: int

    def __init__(
        self,
        *,
        empty_text: str = "No action items.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.items: Sequence[ItemView] = []
        self.cursor = 0
        self.sort = Sort()
        self.today = date.min
        self.empty_text = empty_text
        self.selected: set[str] = set()
        self._highlighted: str | None = None
        # Where a shift+arrow selection started, and what was selected before it.
        self._anchor: int | None = None
        self._before: frozenset[str] = frozenset()

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
        keep, before, row = self.current, self.items, self.cursor
        # An index's Shown items are a view over positions: a copy would cost 100,000 rows.
        self.items = items if isinstance(items, Shown) else list(items)
        self.today = today
        if sort is not None:
            self.sort = sort
        if keep is None:
            self.cursor = 0
        elif isinstance(self.items, Shown):
            self.cursor = max(0, self.items.row_of(keep, before, row))
        else:
            self.cursor = max(0, self._index_of(keep.id))
        self._anchor = None
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    # -- selection --------------------------------------------------------------------

    @property
    def selected_shown(self) -> list[ItemView]:
        """Return the selected items the table shows, in its order."""
        if not self.selected:
            return []
        return [item for item in self.items if item.id in self.selected]

    def select(self, item_ids: Iterable[str]) -> None:
        """Make these items the selection."""
        self._anchor = None
        self._set_selection(set(item_ids))

    def keep_selected(self, item_ids: Iterable[str]) -> None:
        """Drop from the selection what is no longer among these items.

        Read only when something is selected, and into the few kept: a set of 100,000
        ids made on every load would be 4 MB at the moment memory peaks.
        """
        if self.selected:
            self._set_selection(self.selected.intersection(item_ids))

    def _set_selection(self, selection: set[str]) -> None:
        if selection == self.selected:
            return
        self.selected = selection
        self.refresh()
        self.post_message(self.SelectionChanged(self, len(selection)))

    def action_toggle_selected(self) -> None:
        """Select or unselect the cursor's item, then move down."""
        item = self.current
        if item is None:
            return
        self._anchor = None
        self._set_selection(self.selected ^ {item.id})
        self._move(self.cursor + 1)

    def action_extend(self, delta: int) -> None:
        """Select from where shift+arrows started to the item the cursor moves to."""
        if not self.items:
            return
        if self._anchor is None:
            self._anchor = self.cursor
            self._before = frozenset(self.selected - {self.items[self.cursor].id})
        anchor = self._anchor
        self._set_cursor(self.cursor + delta)
        low, high = sorted((anchor, self.cursor))
        self._set_selection(set(self._before) | {i.id for i in self.items[low : high + 1]})

    def action_select_all(self) -> None:
        """Select every item shown, or unselect them when they all are."""
        shown = {item.id for item in self.items}
        self._anchor = None
        if shown and shown <= self.selected:
            self._set_selection(self.selected - shown)
        else:
            self._set_selection(self.selected | shown)

    def action_clear_selection(self) -> None:
        """Unselect every item."""
        self._anchor = None
        self._set_selection(set())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Let escape reach the screen when nothing is selected."""
        if action == "clear_selection":
            return bool(self.selected)
        return True

    def move_to(self, item_id: str) -> bool:
        """Put the cursor on an item; tell whether it is shown."""
        index = self._index_of(item_id)
        if index < 0:
            return False
        self._set_cursor(index)
        return True

    def _index_of(self, item_id: str) -> int:
        """Return where an item is in the table, or -1."""
        if isinstance(self.items, Shown):
            return self.items.index_of(item_id)
        # In C: a Python loop over 100,000 rows would cost a keystroke ten milliseconds.
        try:
            return list(map(_ID, self.items)).index(item_id)
        except ValueError:
            return -1

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

    def _move(self, index: int) -> None:
        self._anchor = None
        self._set_cursor(index)

    def action_cursor(self, delta: int) -> None:
        """Move the cursor up or down."""
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        """Move the cursor a page."""
        self._move(self.cursor + direction * self._page)

    def action_edge(self, end: int) -> None:
        """Move the cursor to the first or last item."""
        self._move(len(self.items) - 1 if end else 0)

    def action_select(self) -> None:
        """Open the item under the cursor."""
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        """Move to a row, open the cursor's row, or sort by a header; shift or ctrl: more."""
        meta = event.style.meta
        if "column" in meta:
            self.post_message(self.SortRequested(self, str(meta["column"]), then=event.shift))
        elif "row" in meta:
            row = int(meta["row"])
            if event.shift or event.ctrl:
                self._move(row)
                self._set_selection(self.selected ^ {self.items[row].id})
            elif row == self.cursor:
                self.action_select()
            else:
                self._move(row)

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
        marks = sort_marks(self.sort)
        segments = [Segment(SELECTED_MARK if self.selected else " ", style)]
        for n, (column, size) in enumerate(layout(width)):
            label = header_label(column.label, marks.get(column.key, ""), size)
            if n:
                segments.append(Segment(" ", style))
            segments.append(Segment(label, style + Style(meta={"column": column.key})))
        return Strip(segments).adjust_cell_length(width, style)

    def _render_row(self, index: int, width: int, base: Style) -> Strip:
        item = self.items[index]
        is_cursor = index == self.cursor
        is_selected = item.id in self.selected
        component = self.get_component_rich_style
        row_style = base
        if is_cursor:
            row_style = base + component("items-table--cursor")
        elif is_selected:
            row_style = base + component("items-table--selected")
        row_style += Style(meta={"row": index})
        if is_selected:
            mark_style = row_style if is_cursor else row_style + component("items-table--mark")
            segments = [Segment(SELECTED_MARK, mark_style)]
        else:
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
            # 12 cells at most: * set by the policy, ! overdue, ⚑ past the policy's deadline.
            mark = POLICY_MARK if item.due_source == DUE_POLICY else ""
            if item.is_overdue(self.today):
                return f"{item.due.isoformat()}{mark or ' '}{OVERDUE_MARK}", "items-table--overdue"
            if item.is_past_policy(self.today):
                return f"{item.due.isoformat()} {PAST_POLICY_MARK}", "items-table--overdue"
            return f"{item.due.isoformat()}{mark}", None
        if key == "postmortem":
            return item.postmortem, "items-table--dim"
        if key == "target":
            return item.target or "", None
        if key == "synced":
            at = item.issue.synced_at if item.issue is not None else item.verified_at
            return timefmt.short(at, self.today), "items-table--dim"
        return "", None
