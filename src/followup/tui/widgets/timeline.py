"""An item's history as a vertical timeline, oldest first."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from followup.display import status_text
from followup.store.views import EventView
from followup.tui import timefmt

SOURCE_LABEL = {
    "document": "from the document",
    "github": "from GitHub",
    "followup": "by followup",
    "user": "by you",
}


def _value(field: str, value: str | None) -> str:
    if value is None:
        return "—"
    return status_text(value) if field == "status" else value


def describe(event: EventView) -> str:
    """Return one change as a short phrase."""
    if event.field == "reminder":
        return f"owner reminded: {event.new}"
    if event.field == "status" and event.old is None:
        return f"created as {_value('status', event.new)}"
    if event.old is None:
        return f"{event.field} set to {_value(event.field, event.new)}"
    if event.new is None:
        return f"{event.field} cleared (was {_value(event.field, event.old)})"
    return f"{event.field}: {_value(event.field, event.old)} → {_value(event.field, event.new)}"


def timeline(events: Sequence[EventView]) -> Content:
    """Return the events as lines joined by a rail."""
    if not events:
        return Content.styled("No history yet.", "$text-muted")
    lines: list[Content] = []
    for n, event in enumerate(events):
        last = n == len(events) - 1
        lines.append(
            Content.assemble(
                ("●" if last else "○", "$accent"),
                " ",
                (timefmt.stamp(event.at), "$text-muted"),
                "  ",
                describe(event),
                (f"  {SOURCE_LABEL.get(event.source, event.source)}", "$text-muted"),
            )
        )
        if not last:
            lines.append(Content.styled("│", "$accent"))
    return Content("\n").join(lines)


class EventTimeline(Static):
    """A Static that draws a timeline of events."""

    def show(self, events: Sequence[EventView]) -> None:
        """Draw these events."""
        self.update(timeline(events))
