"""A dialog to choose a post-mortem file: a tree of folders, or a typed path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label

SUFFIXES = (".md", ".markdown")


class MarkdownTree(DirectoryTree):
    """Folders and Markdown files, hidden ones left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Keep folders and Markdown files."""
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in SUFFIXES)
        ]


class FilePickerScreen(ModalScreen[Path | None]):
    """Dismiss with the chosen file, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        """Build the path box and the tree."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Import a post-mortem"
            yield Input(placeholder="path to a Markdown file, then enter", id="path")
            yield MarkdownTree(self.start, id="tree")
            yield Label(id="error")
            yield Label(
                Content.styled(
                    "enter on a file imports it · tab switches · esc cancels", "$text-muted"
                )
            )

    def on_mount(self) -> None:
        """Label the tree with the folder's name and start in the path box: typing works at once."""
        tree = self.query_one("#tree", MarkdownTree)
        tree.root.set_label(f"{self.start.name or self.start}/")
        self.query_one("#path", Input).focus()

    @on(DirectoryTree.FileSelected)
    def file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        """Import the file chosen in the tree."""
        event.stop()
        self.dismiss(event.path)

    @on(Input.Submitted, "#path")
    def path_typed(self, event: Input.Submitted) -> None:
        """Import the typed file, if it is one."""
        event.stop()
        text = event.value.strip()
        if not text:
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.start / path
        if not path.is_file():
            self.query_one("#error", Label).update(
                Content.styled(f"{text}: no such file", "$error")
            )
            return
        self.dismiss(path)
