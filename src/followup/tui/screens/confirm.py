"""A dialog that shows what an action would do and asks before doing it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from followup.tui.jobs import Preview


class ConfirmScreen(ModalScreen[bool]):
    """Show a plan; dismiss with True when the user confirms it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "dismiss(False)", "Cancel"),
        Binding("y", "confirm", "Confirm", show=False),
    ]

    def __init__(
        self,
        title: str,
        headline: str,
        body: Content,
        *,
        confirm_label: str = "Confirm",
        blocked: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.headline = headline
        self.body = body
        self.confirm_label = confirm_label
        # Why confirming is impossible (no token, nothing to do): shown instead of the button.
        self.blocked = blocked

    @classmethod
    def of(cls, preview: Preview) -> ConfirmScreen:
        """Return the dialog that shows a preview."""
        return cls(
            preview.title,
            preview.headline,
            preview.body,
            confirm_label=preview.confirm_label,
            blocked=preview.blocked,
        )

    def compose(self) -> ComposeResult:
        """Build the dialog: headline, scrollable plan, buttons."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Label(Content.styled(self.headline, "bold"), id="headline")
            with VerticalScroll(id="plan"):
                yield Static(self.body)
            if self.blocked:
                yield Label(Content.styled(self.blocked, "$warning"), id="blocked")
            with Horizontal(id="buttons"):
                if not self.blocked:
                    yield Button(f"{self.confirm_label} (y)", variant="primary", id="confirm")
                yield Button("Cancel (esc)" if not self.blocked else "Close (esc)", id="cancel")

    def on_mount(self) -> None:
        """Put the focus on the safe choice."""
        self.query_one("#cancel", Button).focus()

    def action_confirm(self) -> None:
        """Confirm, unless confirming is blocked."""
        if not self.blocked:
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button pressed."""
        event.stop()
        self.dismiss(event.button.id == "confirm" and not self.blocked)
