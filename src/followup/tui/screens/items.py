"""The home screen: every action item, filtered and sorted, beside the post-mortem list."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, OptionList

from followup.statuses import Status
from followup.store.views import ItemView
from followup.tui import registry
from followup.tui.filtering import Filters
from followup.tui.screens.choice import ChoiceScreen
from followup.tui.screens.filters import FiltersScreen
from followup.tui.screens.item_actions import ItemScreen
from followup.tui.sorting import REVIEW_ORDER, SORT_NAMES, Sort
from followup.tui.widgets.filter_bar import FilterBar
from followup.tui.widgets.items_table import ItemsTable
from followup.tui.widgets.sidebar import ALL, SUGGESTED, PostMortemList
from followup.tui.widgets.status_bar import StatusBar

ONLY_SUGGESTED = frozenset({Status.SUGGESTED.value})


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
        Binding("s", "sort", "Sort", show=False, tooltip="Sort by the next column alone"),
        Binding(
            "t",
            "then_sort",
            "Then by",
            show=False,
            tooltip="Add a column to sort by next (shift+click a header does too)",
        ),
        Binding("S", "reverse_sort", "Reverse sort", show=False, tooltip="Flip the last sort key"),
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

    def __init__(self, filters: Filters | None = None, sort: Sort | None = None) -> None:
        super().__init__()
        self.filters = filters or Filters()
        self.sort = sort or Sort()

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

    def targets(self) -> list[ItemView]:
        """Return the selected items (shown ones first, in the table's order), else the cursor's."""
        table = self.table
        if not table.selected:
            return super().targets()
        shown = table.selected_shown
        ids = {item.id for item in shown}
        hidden = [i for i in self.ctx.items if i.id in table.selected and i.id not in ids]
        return shown + hidden

    def shown_count(self) -> int | None:
        """Return how many items pass the filters."""
        return len(self.table.items)

    def selection_count(self) -> tuple[int, int]:
        """Return how many items are selected, and how many of those the filters hide."""
        table = self.table
        if not table.selected:
            return 0, 0
        return len(table.selected), len(table.selected) - len(table.selected_shown)

    # -- data and filters -------------------------------------------------------------

    def data_changed(self) -> None:
        """Show the new data: the sidebar, then the table through the filters."""
        ctx = self.ctx
        if self.filters.mine and not ctx.me and ctx.login_state == "unavailable":
            self.filters = replace(self.filters, mine=False)
        if ctx.complete:
            # Items gone from the store leave the selection; a forgotten post-mortem the filter.
            self.table.keep_selected(item.id for item in ctx.items)
            if self.filters.postmortem and all(
                pm.slug != self.filters.postmortem for pm in ctx.postmortems
            ):
                self.filters = replace(self.filters, postmortem=None)
        self.query_one(PostMortemList).show(ctx.postmortems, self._sidebar_choice())
        self.apply_filters()

    def _sidebar_choice(self) -> str | None:
        """Return the sidebar entry the filters amount to: a post-mortem, or Suggested."""
        flt = self.filters
        if flt.postmortem is None and flt.statuses == ONLY_SUGGESTED:
            return SUGGESTED
        return flt.postmortem

    def apply_filters(self) -> None:
        """Filter and sort the loaded items into the table."""
        ctx = self.ctx
        flt = self.filters.item_filter(ctx.me)
        today = ctx.today()
        items = ctx.index.shown(flt, today=today, sort=self.sort)
        table = self.table
        if not ctx.loaded:
            table.empty_text = "Loading…"
        elif not ctx.items:
            table.empty_text = "No action items yet. Press i to import a post-mortem."
        else:
            table.empty_text = "No item matches the filters. Press x to clear them."
        table.set_items(items, today=today, sort=self.sort)
        looking = ctx.login_state == "looking"
        phrases = self.filters.describe(ctx.me, looking_up=looking)
        self.query_one(FilterBar).show_filters(phrases, self.sort.describe())
        self.paint_status()

    def set_filters(self, filters: Filters) -> None:
        """Apply new filters."""
        self.filters = filters
        search = self.query_one("#search", Input)
        if search.value != filters.text:
            with search.prevent(Input.Changed):
                search.value = filters.text
        self.query_one(PostMortemList).show(self.ctx.postmortems, self._sidebar_choice())
        self.apply_filters()

    def set_sort(self, sort: Sort) -> None:
        """Order the table anew, and remember the order for the next run."""
        self.sort = sort
        self.apply_filters()
        self.ctx.remember_sort(sort)

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
        """Show only the chosen post-mortem's items, or every suggestion."""
        chosen = event.option.id
        if chosen == SUGGESTED:
            self.set_filters(replace(self.filters, postmortem=None, statuses=ONLY_SUGGESTED))
        else:
            flt = replace(self.filters, postmortem=None if chosen == ALL else chosen)
            if flt.statuses == ONLY_SUGGESTED:
                # Leaving "Suggested" for a post-mortem shows all its items again.
                flt = replace(flt, statuses=frozenset())
            self.set_filters(flt)
        self.table.focus()

    @on(ItemsTable.Selected)
    def item_selected(self, event: ItemsTable.Selected) -> None:
        """Open the chosen item."""
        self.ctx.open_item(event.item.id)

    @on(ItemsTable.SortRequested)
    def header_clicked(self, event: ItemsTable.SortRequested) -> None:
        """Sort by the clicked column (flip it when it is the sort); with shift, sort by it next."""
        self.set_sort(self.sort.then(event.column) if event.then else self.sort.by(event.column))

    @on(ItemsTable.SelectionChanged)
    def selection_changed(self) -> None:
        """Say how many items are selected."""
        self.paint_status()

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

        def chosen(filters: Filters | None) -> None:
            if filters is not None:
                if filters.mine:
                    self.ctx.want_mine()
                self.set_filters(filters)

        ctx = self.ctx
        dialog = FiltersScreen(
            self.filters, ctx.index.owners(), ctx.postmortems, ctx.me, ctx.login_state
        )
        self.app.push_screen(dialog, chosen)

    def action_mine(self) -> None:
        """Show only my items, or everyone's again."""
        if (
            not self.filters.mine
            and not self.ctx.want_mine()
            and self.ctx.login_state == "unavailable"
        ):
            return
        self.set_filters(self.filters.toggled("mine"))

    def action_overdue(self) -> None:
        """Show only overdue items, or all again."""
        self.set_filters(self.filters.toggled("overdue"))

    def action_clear_filters(self) -> None:
        """Drop every filter and the search."""
        self.set_filters(self.filters.cleared())

    def action_sort(self) -> None:
        """Sort by the next column alone."""
        self.set_sort(self.sort.next())

    def action_reverse_sort(self) -> None:
        """Flip the last sort key."""
        self.set_sort(self.sort.flipped())

    def action_then_sort(self) -> None:
        """Ask for a column to sort by next."""
        unused = self.sort.unused()
        if not unused:
            self.notify("Every column is in the sort already", severity="warning")
            return

        def chosen(column: str | None) -> None:
            if column:
                self.set_sort(self.sort.then(column))

        title = "Then sort by" if self.sort.keys else "Sort by"
        now = self.sort.describe() or "in document order"
        choices = [(column, SORT_NAMES[column]) for column in unused]
        self.app.push_screen(ChoiceScreen(title, f"Now {now}", choices), chosen)

    def action_sort_by(self, column: str) -> None:
        """Sort by one column alone, or in document order (from the command palette)."""
        self.set_sort(Sort.of(column) if column else Sort())

    def action_then_by(self, column: str) -> None:
        """Add a column to the sort (from the command palette)."""
        self.set_sort(self.sort.then(column))

    def action_review_sort(self) -> None:
        """Sort for the review: overdue first, then by priority, then by due date."""
        self.set_sort(Sort.of(*REVIEW_ORDER))

    def action_toggle_sidebar(self) -> None:
        """Show or hide the post-mortem list."""
        self.toggle_class("-sidebar-toggled")

    def action_file_all(self) -> None:
        """Preview filing every unfiled item."""
        self.ctx.start(registry.PLAN_FILE, None)
