"""A dialog with every filter of the items screen at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, Checkbox, Label, Select, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

from followup.display import KIND_LABEL, STATUS_ICON, STATUS_LABEL
from followup.statuses import Status
from followup.store.views import PostMortemView
from followup.tui.context import LoginState
from followup.tui.filtering import Filters

# Textual draws ticked and unticked boxes with the same X, told apart only by colour.
TICKED = "X"
UNTICKED = " "


class TickBox(Checkbox):
    """A checkbox whose box is empty when unticked, so it reads without colour."""

    BUTTON_INNER = UNTICKED

    def on_mount(self) -> None:
        """Draw the box as the initial value says."""
        self._draw()

    def watch_value(self) -> None:
        """Draw the tick, or no tick, then let the checkbox react as usual."""
        self._draw()
        super().watch_value()

    def _draw(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED


class TickList(SelectionList[str]):
    """A selection list whose boxes are empty when unticked, so it reads without colour."""

    def render_line(self, y: int) -> Strip:
        """Draw the line, then blank the box of an unticked option."""
        line = super().render_line(y)
        segments = list(line)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        if len(segments) < 2 or option.value in self.selected:
            return line
        inner = segments[1]
        segments[1] = Segment(UNTICKED * len(inner.text), inner.style, inner.control)
        return Strip(segments, line.cell_length)


class FiltersScreen(ModalScreen[Filters | None]):
    """Dismiss with the filters chosen, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
    ]

    def __init__(
        self,
        filters: Filters,
        owners: Sequence[str],
        postmortems: Sequence[PostMortemView],
        me: str | None,
        login_state: LoginState = "unknown",
    ) -> None:
        super().__init__()
        self.filters = filters
        self.owners = list(owners)
        self.postmortems = list(postmortems)
        self.me = me
        self.login_state = login_state

    def compose(self) -> ComposeResult:
        """Build one control per filter."""
        f = self.filters
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Filter the items"
            with VerticalScroll(id="filter-fields"):
                yield Label("Status (space to tick; none ticked: all but removed)")
                yield TickList(
                    *(
                        (f"{STATUS_ICON[s]} {STATUS_LABEL[s]}", s.value, s.value in f.statuses)
                        for s in Status
                    ),
                    id="statuses",
                )
                yield Label("Owner")
                yield Select(
                    [(f"@{o}", o) for o in self.owners],
                    prompt="anyone",
                    value=f.owner if f.owner in self.owners else Select.NULL,
                    id="owner",
                )
                yield Label("Post-mortem")
                yield Select(
                    [(pm.title, pm.slug) for pm in self.postmortems],
                    prompt="all post-mortems",
                    value=f.postmortem if f.postmortem in self._slugs() else Select.NULL,
                    id="postmortem",
                )
                yield Label("Kind")
                yield Select(
                    [(label, kind) for kind, label in KIND_LABEL.items()],
                    prompt="any kind",
                    value=f.kind if f.kind in KIND_LABEL else Select.NULL,
                    id="kind",
                )
                yield TickBox(self._mine_label(), f.mine, id="mine")
                yield TickBox("Only overdue", f.overdue, id="overdue")
            with Horizontal(id="buttons"):
                yield Button("Apply (ctrl+s)", variant="primary", id="apply")
                yield Button("Clear all", id="clear")
                yield Button("Cancel (esc)", id="cancel")

    def _mine_label(self) -> str:
        if self.me:
            return f"Only mine (@{self.me})"
        if self.login_state == "looking":
            return "Only mine (your GitHub login is being looked up)"
        return "Only mine"

    def _slugs(self) -> set[str]:
        return {pm.slug for pm in self.postmortems}

    def chosen(self) -> Filters:
        """Return the filters as the controls stand."""

        def value(widget_id: str) -> str | None:
            selected = self.query_one(f"#{widget_id}", Select).value
            return selected if isinstance(selected, str) else None

        statuses = self.query_one("#statuses", SelectionList).selected
        return replace(
            self.filters,
            statuses=frozenset(str(s) for s in statuses),
            owner=value("owner"),
            postmortem=value("postmortem"),
            kind=value("kind"),
            mine=self.query_one("#mine", Checkbox).value,
            overdue=self.query_one("#overdue", Checkbox).value,
        )

    def action_apply(self) -> None:
        """Close the dialog with the chosen filters."""
        self.dismiss(self.chosen())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Apply, clear or cancel."""
        event.stop()
        if event.button.id == "apply":
            self.dismiss(self.chosen())
        elif event.button.id == "clear":
            self.dismiss(Filters(text=self.filters.text).cleared())
        else:
            self.dismiss(None)
