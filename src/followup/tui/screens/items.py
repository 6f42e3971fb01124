"""The home screen: every action item, filtered and sorted, beside the post-mortem list."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, OptionList

from followup.store.views import ItemView
from followup.tui.filtering import Filters, Sort
from followup.tui.screens.item_actions import ItemScreen
from followup.tui.widgets.filter_bar import FilterBar
from followup.tui.widgets.items_table import ItemsTable
from followup.tui.widgets.sidebar import ALL, PostMortemList
from followup.tui.widgets.status_bar import StatusBar

SORT_NAMES = {
    "status": "status",
    "id": "id",
    "title": "title",
    "owner": "owner",
    "priority": "priority",
    "due": "due date",
    "postmortem": "post-mortem",
    "target": "issue / target",
    "synced": "last sync",
}


class ItemsScreen(ItemScreen):
    """Review the action items; every filter combines with the others."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("f", "filters", "Filter", tooltip="Filter by status, owner, post-mortem, kind"),
        Binding("m", "mine", "Mine", tooltip="Only my items"),
        Binding(
            "exclamation_mark",
            "overdue",
            "Overdue",
            key_display="!",
            show=False,
            tooltip="Only overdue items",
        ),
        Binding("x", "clear_filters", "Clear filters", show=False, tooltip="Show every item"),
        Binding("s", "sort", "Sort", show=False, tooltip="Sort by the next column"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, tooltip="Flip the order"),
        Binding("b", "toggle_sidebar", "Sidebar", show=False, tooltip="Show or hide the sidebar"),
        Binding(
            "A",
            "file_all",
            "File all unfiled items",
            show=False,
            tooltip="Preview, then file every unfiled item",
        ),
        Binding("q", "app.quit", "Quit", show=False, tooltip="Leave followup"),
        Binding("escape", "leave_search", "Back to the table", show=False),
    ]

    def __init__(self, filters: Filters | None = None) -> None:
        super().__init__()
        self.filters = filters or Filters()
        self.sort = Sort()

    def compose(self) -> ComposeResult:
        """Build the layout: sidebar, filter bar and table, status bar, footer."""
        yield Header()
        with Horizontal(id="body"):
            yield PostMortemList(id="sidebar")
            with Vertical(id="main"):
                yield FilterBar(id="filter-bar")
                yield ItemsTable(id="items", empty_text="Loading…")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Show whatever is loaded and put the focus on the table."""
        super().on_mount()
        self.sub_title = "Action items"
        if self.filters.text:
            self.query_one("#search", Input).value = self.filters.text
        self.table.focus()
        self.data_changed()

    @property
    def table(self) -> ItemsTable:
        """Return the items table."""
        return self.query_one("#items", ItemsTable)

    def current_item(self) -> ItemView | None:
        """Return the item under the cursor."""
        return self.table.current

    def shown_count(self) -> int | None:
        """Return how many items pass the filters."""
        return len(self.table.items)

    # -- data and filters -------------------------------------------------------------

    def data_changed(self) -> None:
        """Show the new data: the sidebar, then the table through the filters."""
        app = self.fapp
        if self.filters.mine and not app.me and app.mine_unavailable:
            self.filters = replace(self.filters, mine=False)
        self.query_one(PostMortemList).show(app.postmortems, self.filters.postmortem)
        self.apply_filters()

    def apply_filters(self) -> None:
        """Filter and sort the loaded items into the table."""
        app = self.fapp
        flt = self.filters.item_filter(app.me)
        today = app.today()
        items = self.sort.apply(app.index.filter(flt, today=today))
        table = self.table
        if not app.loaded:
            table.empty_text = "Loading…"
        elif not app.items:
            table.empty_text = "No action items yet. Press i to import a post-mortem."
        else:
            table.empty_text = "No item matches the filters. Press x to clear them."
        table.set_items(items, today=today, sort=self.sort)
        sort = None
        if self.sort.column is not None:
            arrow = "▼" if self.sort.reverse else "▲"
            sort = f"sorted by {SORT_NAMES[self.sort.column]} {arrow}"
        self.query_one(FilterBar).show_filters(self.filters.describe(app.me), sort)
        self.paint_status()

    def set_filters(self, filters: Filters) -> None:
        """Apply new filters."""
        self.filters = filters
        search = self.query_one("#search", Input)
        if search.value != filters.text:
            with search.prevent(Input.Changed):
                search.value = filters.text
        self.query_one(PostMortemList).show(self.fapp.postmortems, filters.postmortem)
        self.apply_filters()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        """Filter as the user types."""
        self.filters = replace(self.filters, text=event.value)
        self.apply_filters()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Go back to the table with the search applied."""
        self.table.focus()

    @on(OptionList.OptionSelected, "#sidebar")
    def postmortem_chosen(self, event: OptionList.OptionSelected) -> None:
        """Show only the chosen post-mortem's items."""
        slug = None if event.option.id == ALL else event.option.id
        self.set_filters(replace(self.filters, postmortem=slug))
        self.table.focus()

    @on(ItemsTable.Selected)
    def item_selected(self, event: ItemsTable.Selected) -> None:
        """Open the chosen item."""
        from followup.tui.screens.item_detail import ItemDetailScreen

        self.app.push_screen(ItemDetailScreen(event.item.id))

    @on(ItemsTable.SortRequested)
    def header_clicked(self, event: ItemsTable.SortRequested) -> None:
        """Sort by the clicked column, or flip it when it is the current one."""
        self.sort = self.sort.by(event.column)
        self.apply_filters()

    @on(ItemsTable.Highlighted)
    def highlighted(self, event: ItemsTable.Highlighted) -> None:
        """Refresh the footer: some keys depend on the item."""
        self.refresh_bindings()

    # -- keys -------------------------------------------------------------------------

    def action_search(self) -> None:
        """Focus the search box."""
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        """Leave the search box (its text stays) for the table."""
        self.table.focus()

    def action_filters(self) -> None:
        """Open the filters dialog."""
        from followup.tui.screens.filters import FiltersScreen

        def chosen(filters: Filters | None) -> None:
            if filters is not None:
                if filters.mine and not self.fapp.want_mine():
                    self.notify("Looking up your GitHub login…")
                self.set_filters(filters)

        app = self.fapp
        self.app.push_screen(
            FiltersScreen(self.filters, app.index.owners(), app.postmortems, app.me), chosen
        )

    def action_mine(self) -> None:
        """Show only my items, or everyone's again."""
        if not self.filters.mine and not self.fapp.want_mine():
            if self.fapp.mine_unavailable:
                return
            self.notify("Looking up your GitHub login…")
        self.set_filters(self.filters.toggled("mine"))

    def action_overdue(self) -> None:
        """Show only overdue items, or all again."""
        self.set_filters(self.filters.toggled("overdue"))

    def action_clear_filters(self) -> None:
        """Drop every filter and the search."""
        self.set_filters(self.filters.cleared())

    def action_sort(self) -> None:
        """Sort by the next column."""
        self.sort = self.sort.next()
        self.apply_filters()

    def action_reverse_sort(self) -> None:
        """Flip the sort order."""
        self.sort = self.sort.flipped()
        self.apply_filters()

    def action_sort_by(self, column: str) -> None:
        """Sort by one column (from the command palette)."""
        self.sort = Sort(column=column or None)
        self.apply_filters()

    def action_toggle_sidebar(self) -> None:
        """Show or hide the post-mortem list."""
        self.toggle_class("-sidebar-toggled")

    def action_file_all(self) -> None:
        """Preview filing every unfiled item."""
        self.fapp.file_items(None)
