"""Cut the lines around an item out of a post-mortem's text, without loading the reader."""

from __future__ import annotations


def context(source: str, line: int, radius: int = 2) -> str:
    """Return the source lines around a 1-based line, radius lines either side."""
    lines = source.split("\n")
    if line < 1 or line > len(lines):
        return ""
    lo, hi = max(line - 1 - radius, 0), min(line + radius, len(lines))
    return "\n".join(ln.rstrip("\r") for ln in lines[lo:hi]).lstrip("\ufeff")
