"""The command palette's entries: every key of the current screen, the jobs that ask for
one, and the items screen's sorts."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from followup.tui.context import AppContext
from followup.tui.registry import JOBS
from followup.tui.screens.items import ItemsScreen
from followup.tui.sorting import REVIEW_ORDER, SORT_NAMES

# The app's own palette already offers these.
_BUILT_IN = {"quit", "app.quit"}


def screen_commands(
    app: App[Any], ctx: AppContext, screen: Screen[object]
) -> Iterator[SystemCommand]:
    """Yield a command for each key shown in the footer or explained by a tooltip."""
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.action in _BUILT_IN or binding.action in seen or not active.enabled:
            continue
        if not (binding.show or binding.tooltip):
            continue
        seen.add(binding.action)
        key = app.get_key_display(binding)
        # Plain "key x": the palette reads square brackets as markup.
        help_text = f"{binding.tooltip} · key {key}" if binding.tooltip else f"key {key}"
        yield SystemCommand(
            binding.description, help_text, partial(app.run_action, binding.action, active.node)
        )
    if isinstance(screen, ItemsScreen):
        for spec in JOBS:
            if spec.palette is not None:
                entry = spec.palette
                yield SystemCommand(entry.title, entry.help, partial(ctx.start, spec, entry.args))
        yield from sort_commands(screen)
    if "app.dashboard" not in seen:
        yield SystemCommand(
            "Dashboard",
            "Completion, overdue, time to close · key 2",
            partial(app.run_action, "app.dashboard"),
        )
    if "app.report" not in seen:
        yield SystemCommand(
            "Report",
            "The weekly review report for the current filter, to write or post · key 3",
            partial(app.run_action, "app.report"),
        )


def sort_commands(screen: ItemsScreen) -> Iterator[SystemCommand]:
    """Yield the sorts: the review's, document order, by each column, then by each column."""
    review = ", then ".join(SORT_NAMES[c] for c in REVIEW_ORDER)
    yield SystemCommand(
        "Sort for the review", f"Order the table: {review}", screen.action_review_sort
    )
    yield SystemCommand(
        "Document order",
        "Sort as the post-mortems list the items",
        partial(screen.action_sort_by, ""),
    )
    for column, name in SORT_NAMES.items():
        yield SystemCommand(
            f"Sort by {name}",
            f"Order the table by {name} alone",
            partial(screen.action_sort_by, column),
        )
    for column, name in SORT_NAMES.items():
        yield SystemCommand(
            f"Then by {name}",
            f"Add {name} to the sort, after its keys (again: flip it) · key t",
            partial(screen.action_then_by, column),
        )
