"""The line above the table: the incremental search box and the filters in force."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label


class FilterBar(Horizontal):
    """A search box and a plain-words summary of the active filters."""

    def compose(self) -> ComposeResult:
        """Build the search box and the summary."""
        yield Input(placeholder="/ search title, owner or id", id="search", compact=True)
        yield Label(id="chips")

    def show_filters(self, phrases: list[str], sort: str | None = None) -> None:
        """Show the active filters (or how to add one) and the sort order."""
        parts: list[str | tuple[str, str]] = []
        if phrases:
            parts.append(("filter: ", "$text-muted"))
            for n, phrase in enumerate(phrases):
                if n:
                    parts.append((" · ", "$text-muted"))
                parts.append((phrase, "bold $accent"))
        else:
            parts.append(("no filter · f to filter", "$text-muted"))
        if sort:
            parts.append(("  │  ", "$text-muted"))
            parts.append((sort, "$text-muted"))
        self.query_one("#chips", Label).update(Content.assemble(*parts))
