"""How a post-mortem's file is shown: relative to the working folder when it lies below it.

One rule for every face: lists, JSON, `show`, the TUI and the CI summary. store/direct.py's
SQL drops the same prefix, so the two must agree byte for byte.
"""

from __future__ import annotations

import os


def working_folder() -> str:
    """Return the working folder with one separator after it: the prefix a shown file drops."""
    cwd = os.getcwd()  # noqa: PTH109
    # The root already ends in one: "/" stays "/", not "//", or nothing would be below it.
    return cwd if cwd.endswith(os.sep) else cwd + os.sep


def listed_path(path: str, folder: str) -> str:
    """Return a file as lists show it: without `folder` (working_folder) when below it."""
    return path.removeprefix(folder) if path.startswith(folder) else path


def display_path(path: str) -> str:
    """Return a file as lists show it, relative to the working folder now."""
    return listed_path(path, working_folder())
