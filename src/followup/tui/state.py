"""What the TUI remembers between runs (the sort), in a small JSON file in the state folder.

A file that is missing, unreadable or from another version counts as nothing remembered:
remembering is a convenience and must never stop the TUI from starting.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from followup import paths
from followup.tui.sorting import Sort

VERSION = 1
FILE_NAME = "tui.json"


@dataclass(frozen=True, slots=True)
class UiState:
    """What the TUI remembers."""

    sort: Sort = field(default_factory=Sort)


def state_file() -> Path:
    """Return where the TUI keeps what it remembers."""
    return paths.state_dir() / FILE_NAME


def load(path: Path | None = None) -> UiState:
    """Return what was remembered, or the defaults."""
    path = path or state_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiState()
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return UiState()
    return UiState(sort=Sort.from_data(data.get("sort")))


def save(state: UiState, path: Path | None = None) -> None:
    """Remember the state; a rename makes the write all or nothing. OSError when it cannot."""
    path = path or state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": VERSION, "sort": state.sort.to_data()}, indent=1)
    fd, temporary = tempfile.mkstemp(prefix=".tui-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
