"""Text bars that read without colour: filled blocks beside the numbers they draw."""

from __future__ import annotations

from textual.content import Content

FILLED = "█"
EMPTY = "░"


def completion_bar(done: int, total: int, width: int = 10) -> Content:
    """Return a bar of width cells, filled in proportion to done out of total."""
    filled = 0
    if total:
        filled = round(width * done / total)
        # Any progress shows; only a finished list fills the bar.
        if done and not filled:
            filled = 1
        if done < total and filled == width:
            filled = width - 1
    return Content.assemble(
        (FILLED * filled, "$success"), (EMPTY * (width - filled), "$foreground-muted")
    )


def percent(done: int, total: int) -> str:
    """Return done out of total as a whole percentage, e.g. '67%'."""
    return f"{round(100 * done / total)}%" if total else "—"
