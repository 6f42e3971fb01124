"""Print lines that survive pipes, CI logs and narrow terminals.

Off a terminal (a pipe, a file, a CI log) every line is printed whole: never wrapped,
truncated or ellipsised, so `followup file … | grep` sees each URL and reference intact.
At a terminal a line wraps between words; a word too long for the terminal (a URL) is
left to the terminal's own soft wrap rather than split, so it can still be copied whole.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.text import Text


def plain(console: Console) -> bool:
    """Tell whether output goes somewhere other than a terminal (print whole lines)."""
    return not console.is_terminal


def line(console: Console, text: Text | str, *, style: str = "") -> None:
    """Print one logical line; outside text is never read as markup."""
    shown = Text(text, style=style) if isinstance(text, str) else text
    console.print(shown, highlight=False, soft_wrap=not _wraps(console, shown))


def _wraps(console: Console, text: Text) -> bool:
    """Tell whether rich may wrap the line: only at a terminal, and only between words."""
    if plain(console):
        return False
    longest = max((cell_len(word) for word in text.plain.split()), default=0)
    return longest <= console.width


def show(console: Console, renderable: RenderableType) -> None:
    """Print a table or panel (callers use it only at a terminal, where it fits)."""
    console.print(renderable, highlight=False)
