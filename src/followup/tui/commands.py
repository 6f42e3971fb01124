"""The command palette's entries: every key of the current screen, and a few without keys."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

if TYPE_CHECKING:
    from followup.tui.app import FollowupApp

# The app's own palette already offers these.
_BUILT_IN = {"quit", "app.quit"}


def screen_commands(app: FollowupApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    """Yield a command for each key shown in the footer or explained by a tooltip."""
    from followup.tui.screens.items import SORT_NAMES, ItemsScreen

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
        yield SystemCommand(
            "Protect all pending branches",
            "Preview the diff, then protect every pending branch",
            partial(app.protect, None),
        )
        yield SystemCommand(
            "Verify branch protection",
            "Re-read every protected branch and flag any that regressed",
            partial(app.verify, None),
        )
        yield SystemCommand(
            "Document order",
            "Sort as the post-mortems list the items",
            partial(screen.action_sort_by, ""),
        )
        for column, name in SORT_NAMES.items():
            yield SystemCommand(
                f"Sort by {name}",
                f"Order the table by {name}",
                partial(screen.action_sort_by, column),
            )
    if "app.dashboard" not in seen:
        yield SystemCommand(
            "Dashboard", "Completion, overdue, time to close · key 2", app.action_dashboard
        )
