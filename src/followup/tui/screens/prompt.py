"""A dialog that asks for one line of text and checks it before accepting."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

Check = Callable[[str], str | None]


class PromptScreen(ModalScreen[str | None]):
    """Dismiss with the text entered (checked), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, prompt: str, value: str, check: Check | None) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        """Build the prompt, the input and the error line."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Label(self.prompt, id="prompt")
            yield Input(self.value, id="answer", select_on_focus=True)
            yield Label(id="error")
            yield Label(Content.styled("enter to save · esc to cancel", "$text-muted"))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Clear the error once the user edits."""
        self.query_one("#error", Label).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Accept the text, or say what is wrong with it."""
        event.stop()
        problem = self.check(event.value) if self.check else None
        if problem:
            self.query_one("#error", Label).update(Content.styled(problem, "$error"))
            return
        self.dismiss(event.value)
