"""Mark each action item in a post-mortem's Markdown with its live status and id."""

from __future__ import annotations

import re
from collections.abc import Mapping

FENCES = {"---": "yaml", "+++": "toml"}


def annotate(source: str, marks: Mapping[int, str]) -> str:
    """Return the Markdown with a code span after each marked line (1-based numbers).

    A table row gets its mark at the start of its first cell, so the table stays whole;
    any other line gets it at its end.
    """
    lines = source.split("\n")
    for number, mark in marks.items():
        index = number - 1
        if not 0 <= index < len(lines) or not mark:
            continue
        code = f"`{mark.replace('`', '')}`"
        text = lines[index]
        stripped = text.lstrip()
        if stripped.startswith("|"):
            indent = text[: len(text) - len(stripped)]
            lines[index] = f"{indent}| {code} {stripped[1:].lstrip()}"
        else:
            lines[index] = f"{text.rstrip()} {code}"
    return fence_front_matter("\n".join(lines))


def fence_front_matter(text: str) -> str:
    """Return the text with its front matter shown as a code block, not as Markdown."""
    lines = text.split("\n")
    if not lines or lines[0].strip() not in FENCES:
        return text
    opener = lines[0].strip()
    for n in range(1, len(lines)):
        if lines[n].strip() == opener:
            lines[0] = f"```{FENCES[opener]}"
            lines[n] = "```"
            return "\n".join(lines)
    return text


_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}")
# A cell boundary: a pipe that is not escaped.
_CELL = re.compile(r"(?<!\\)\|")


def _cells(row: str) -> list[str]:
    parts = _CELL.split(row.strip())
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return [part.strip() for part in parts]


def item_markdown(text: str, source: str, line: int) -> str:
    """Return an item's text as Markdown that renders alone.

    A table row becomes a list of its header's names and its cells: one row on its own
    renders as a cramped table of many narrow columns.
    """
    if not text.lstrip().startswith("|"):
        return text
    lines = source.split("\n")
    start = line - 1
    while start > 0 and lines[start - 1].lstrip().startswith("|"):
        start -= 1
    if start + 2 <= line - 1 and _SEPARATOR.match(lines[start + 1]):
        header = _cells(lines[start])
        pairs = zip(header, _cells(text), strict=False)
        return "\n".join(f"- **{name}**: {value}" for name, value in pairs if value)
    return text
