"""A dialog that offers a few choices, one per line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class ChoiceScreen(ModalScreen[str | None]):
    """Dismiss with the id of the chosen line, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, prompt: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        """Build the prompt and the choices."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.title_text
            yield Label(self.prompt, id="prompt")
            yield OptionList(*(Option(label, id=key) for key, label in self.choices), id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Answer with the chosen line."""
        event.stop()
        self.dismiss(event.option.id)
