"""The keys of the screen underneath, read from its bindings so the list is never stale."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

MAIN_SECTIONS = ("Moving around", "Actions")
INTRO = (
    "Keys work on the screen underneath. ctrl+p opens the command palette, "
    "which lists every action by name."
)


def keys_table(screen: Screen[object]) -> Content:
    """Return the keys the screen answers to, keys of one action together, widget's first."""
    app = screen.app
    sections: dict[str, dict[tuple[str, str], tuple[list[str], str]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not active.enabled:
            continue
        if binding.group is not None:
            section = binding.group.description
        elif active.node is screen or active.node is app:
            section = "Actions"
        else:
            section = "Moving around"
        entries = sections.setdefault(section, {})
        keys, tooltip = entries.setdefault((binding.action, binding.description), ([], ""))
        keys.append(app.get_key_display(binding))
        entries[(binding.action, binding.description)] = (keys, tooltip or binding.tooltip)
    width = max(
        (len(" ".join(keys)) for entries in sections.values() for keys, _ in entries.values()),
        default=4,
    )
    lines = [Content.styled(INTRO, "$text-muted")]
    order = ["Moving around", *(t for t in sections if t not in MAIN_SECTIONS), "Actions"]
    for title in order:
        if title not in sections:
            continue
        lines.append(Content(""))
        lines.append(Content.styled(title, "bold $text-primary"))
        for (_action, description), (keys, tooltip) in sections[title].items():
            lines.append(
                Content.assemble(
                    (f"{' '.join(keys):>{width + 2}}", "bold $accent"),
                    "  ",
                    (description, "bold"),
                    (f" — {tooltip}" if tooltip else "", "$text-muted"),
                )
            )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """List the keys; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.keys = keys_table(under)

    def compose(self) -> ComposeResult:
        """Build the list."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Keys"
            with VerticalScroll():
                yield Static(self.keys)
