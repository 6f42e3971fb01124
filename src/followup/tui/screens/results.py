"""What the last action on several items did to each: failures first, one line each."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label

from followup.tui.jobs import ItemResult, ItemState
from followup.tui.outcomes import plural

# A word and a sign for each state, so the list reads without colour.
STATE_LABEL: dict[ItemState, tuple[str, str]] = {
    "failed": ("✘ failed", "$error"),
    "done": ("✔ done", "$success"),
    "skipped": ("· skipped", "$text-muted"),
}
ORDER: dict[ItemState, int] = {"failed": 0, "done": 1, "skipped": 2}
INDENT = 11


def headline(title: str, results: Sequence[ItemResult]) -> str:
    """Return the action and its counts in one line: how many failed, were done, skipped."""
    counts = {state: sum(1 for r in results if r.state == state) for state in ORDER}
    parts = [f"{counts['failed']} failed", f"{counts['done']} done"]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped")
    return f"{title or plural(len(results), 'item')}: " + ", ".join(parts)


def result_lines(results: Sequence[ItemResult], width: int) -> Content:
    """Return two lines per item, failures first: its state, id and title cut to the width,
    then its message, wrapped and indented under the title."""
    lines: list[Content] = []
    indent = " " * INDENT
    for result in sorted(results, key=lambda r: ORDER[r.state]):
        label, style = STATE_LABEL[result.state]
        head = Content.assemble(
            (f"{label:<{INDENT - 1}}", style), " ", (result.item_id, "bold"), "  ", result.title
        )
        lines.append(head.truncate(width, ellipsis=True) if width > 0 else head)
        wrapped = textwrap.wrap(result.message, max(20, width - INDENT)) or [""]
        lines.extend(Content.styled(indent + part, "$text-muted") for part in wrapped)
    return Content("\n").join(lines)


class ResultLines(Widget):
    """The per-item lines, laid out anew for the width they get."""

    def __init__(self, results: Sequence[ItemResult], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.results = list(results)

    def render(self) -> Content:
        """Return the lines for the current width."""
        return result_lines(self.results, self.content_region.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Return how many lines the results take at this width."""
        return len(result_lines(self.results, width).plain.split("\n"))


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
            dialog.border_title = "Each item's result"
            text = headline(self.title_text, self.results)
            yield Label(Content.styled(text, "bold"), id="headline")
            with VerticalScroll(id="results"):
                yield ResultLines(self.results, id="result-lines")
