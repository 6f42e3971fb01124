"""What the last action on several items did to each: failures first, one line each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from followup.tui.jobs import ItemResult, ItemState

# A word and a sign for each state, so the list reads without colour.
STATE_LABEL: dict[ItemState, tuple[str, str]] = {
    "failed": ("✘ failed", "$error"),
    "done": ("✔ done", "$success"),
    "skipped": ("· skipped", "$text-muted"),
}
ORDER: dict[ItemState, int] = {"failed": 0, "done": 1, "skipped": 2}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def headline(results: Sequence[ItemResult]) -> str:
    """Return the counts in one line: how many failed, were done, were skipped."""
    counts = {state: sum(1 for r in results if r.state == state) for state in ORDER}
    parts = [f"{counts['failed']} failed", f"{counts['done']} done"]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped")
    return f"{_plural(len(results), 'item')}: " + ", ".join(parts)


def result_lines(results: Sequence[ItemResult]) -> Content:
    """Return one line per item, failures first, then its message indented below."""
    lines: list[Content] = []
    for result in sorted(results, key=lambda r: ORDER[r.state]):
        label, style = STATE_LABEL[result.state]
        lines.append(
            Content.assemble(
                (f"{label:<10}", style), " ", (result.item_id, "bold"), "  ", result.title
            )
        )
        lines.append(Content.styled(f"{'':<11}{result.message}", "$text-muted"))
    return Content("\n").join(lines)


class ResultsScreen(ModalScreen[None]):
    """One line per item of the last action on several items; escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,e", "dismiss", "Close", key_display="esc"),
    ]

    def __init__(self, title: str, results: Sequence[ItemResult]) -> None:
        super().__init__()
        self.title_text = title
        self.results = list(results)

    def compose(self) -> ComposeResult:
        """Build the counts and the list."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Label(Content.styled(headline(self.results), "bold"), id="headline")
            with VerticalScroll(id="results"):
                yield Static(result_lines(self.results), id="result-lines")
