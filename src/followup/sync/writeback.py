"""Write issue references back into a post-mortem file, changing nothing else in it.

A list item gets ` (owner/name#12)` at the end of its own text. A table row keeps its
shape: the reference fills the Bug/Issue cell when that is empty or says TODO, and
otherwise goes at the end of the item's cell. Line endings, a byte-order mark and
every other byte stay as they were; the file is replaced atomically.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from followup.errors import FollowupError
from followup.postmortem import tables

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_EOL = re.compile(r"(\r\n|\r|\n)$")
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_NEW_BLOCK = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)|^(?:#|>|```|~~~|\||<!--)")
_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")
# What a Bug/Issue cell says while no issue exists yet; the reference replaces it.
PLACEHOLDERS = frozenset({"", "todo", "tbd", "tba", "-", "–", "—", "n/a", "none", "?"})


class WriteBackError(FollowupError):
    """Report a post-mortem file that could not be updated."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Add one reference to the item that starts on a line (1-based)."""

    line: int
    ref: str
    item_id: str | None = None  # for reports: which item the reference is for


def split_lines(text: str) -> list[str]:
    """Split text into lines that keep their own endings (\\r\\n, \\r or \\n)."""
    return [m.group(0) for m in _LINE.finditer(text) if m.group(0)]


def _eol(line: str) -> tuple[str, str]:
    m = _EOL.search(line)
    return (line[: m.start()], m.group(0)) if m else (line, "")


def _append(content: str, addition: str) -> str:
    """Insert addition after the last non-blank character, keeping trailing spaces."""
    end = len(content.rstrip())
    return content[:end] + addition + content[end:]


def _pipes(content: str) -> list[int]:
    """Return where the unescaped pipes of a table row are."""
    found: list[int] = []
    i = 0
    while i < len(content):
        if content[i] == "\\":
            i += 2
            continue
        if content[i] == "|":
            found.append(i)
        i += 1
    return found


def cell_spans(content: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each cell's text in a table row, pipes excluded."""
    pipes = _pipes(content)
    if not pipes:
        return [(0, len(content))]
    leading = not content[: pipes[0]].strip()
    trailing = not content[pipes[-1] + 1 :].strip() and (len(pipes) > 1 or not leading)
    bounds = ([] if leading else [-1]) + pipes + ([] if trailing else [len(content)])
    return [(bounds[k] + 1, bounds[k + 1]) for k in range(len(bounds) - 1)]


def table_header_index(lines: Sequence[str], index: int) -> int | None:
    """Return the index of the header row of the table that lines[index] is a row of."""
    if "|" not in lines[index]:
        return None
    k = index - 1
    while k >= 1 and "|" in lines[k]:
        content, _ = _eol(lines[k])
        if _DELIMITER_ROW.match(content) and "-" in content:
            return k - 1
        k -= 1
    return None


def _table_header(lines: list[str], index: int) -> list[str] | None:
    """Return the header cells of the table whose row is lines[index], if it is in one."""
    head = table_header_index(lines, index)
    if head is None:
        return None
    header, _ = _eol(lines[head])
    return [header[s:e].strip() for s, e in cell_spans(header)]


def _edit_row(content: str, header: list[str], ref: str) -> str:
    roles = tables.roles(header)
    spans = cell_spans(content)
    if "ref" in roles and roles.index("ref") < len(spans):
        start, end = spans[roles.index("ref")]
        cell = content[start:end]
        if cell.strip().lower() in PLACEHOLDERS:
            if cell.strip():
                lead = len(cell) - len(cell.lstrip())
                new = cell[:lead] + ref + cell[lead + len(cell.strip()) :]
            else:
                new = f" {ref} "
            return content[:start] + new + content[end:]
    title = (
        roles.index("title") if "title" in roles else (roles.index(None) if None in roles else 0)
    )
    start, end = spans[min(title, len(spans) - 1)]
    return content[:start] + _append(content[start:end], f" ({ref})") + content[end:]


def _paragraph_end(lines: list[str], index: int) -> int:
    """Return the index of the last line of the paragraph that starts an item."""
    last = index
    for k in range(index + 1, len(lines)):
        text = _eol(lines[k])[0].strip()
        if not text or _NEW_BLOCK.match(text) or _RULE.match(text):
            break
        last = k
    return last


def add_references(text: str, edits: Sequence[Edit]) -> tuple[str, int]:
    """Return the text with each reference added to its item, and how many were added.

    A reference already written on the item's line is not added again.
    """
    lines = split_lines(text)
    added = 0
    for edit in sorted(edits, key=lambda e: e.line):
        index = edit.line - 1
        if not 0 <= index < len(lines):
            raise WriteBackError(f"line {edit.line} is past the end of the file")
        content, eol = _eol(lines[index])
        if edit.ref.lower() in content.lower():
            continue
        header = _table_header(lines, index) if "|" in content else None
        if header is not None:
            lines[index] = _edit_row(content, header, edit.ref) + eol
        else:
            last = _paragraph_end(lines, index)
            body, end = _eol(lines[last])
            if edit.ref.lower() in body.lower():
                continue
            lines[last] = _append(body, f" ({edit.ref})") + end
        added += 1
    return "".join(lines), added


def normalise(text: str) -> str:
    """Return text as the reader sees it: no BOM, \\n line endings."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def write_back(path: Path, edits: Sequence[Edit], *, expected: str | None = None) -> int:
    """Add references to a post-mortem file in place; return how many were added.

    expected is the text the item lines were read from; if the file changed since,
    nothing is written (the lines may have moved).
    """
    target = path.resolve()
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise WriteBackError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise WriteBackError(f"{path}: is no longer UTF-8 text; nothing written") from None
    if expected is not None and normalise(text) != normalise(expected):
        raise WriteBackError(
            f"{path}: changed since it was imported; run 'followup import' and file again "
            "to write the references"
        )
    new, added = add_references(text, edits)
    if not added:
        return 0
    if _read_only(target):
        # The file is replaced by renaming a new one over it, which a read-only file
        # does not prevent: ask its permissions first, as an editor would.
        raise WriteBackError(f"{path}: is read-only, so it was not changed")
    _replace(target, bom + new.encode("utf-8"))
    return added


def _read_only(target: Path) -> bool:
    """Tell whether the user made the file read-only (no write bit, or no write access)."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK)


def _replace(target: Path, data: bytes) -> None:
    """Write data to a temporary file beside target, then rename it over target."""
    tmp: str | None = None
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(target)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        # A read-only folder, a full disk: the file is as it was.
        raise WriteBackError(
            f"{target}: cannot write it ({exc.strerror or exc}), so it was not changed"
        ) from None
