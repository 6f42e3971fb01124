"""First pass over a document: its sections, what each holds, and its front matter.

The outline keeps one small record per heading and nothing per paragraph or list, so a
document of a million lines costs no more than its headings. The reader then parses again
only the slices it has to read closely (the action sections, and prose that may hold a
labelled item or a commitment), each on its own: a heading at the top level closes every
block, so a section's slice parses as it does in place. Every parse of a long document goes
through shorten.py, which leaves its long runs of plain lines out of the parser's input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise, repeat
from typing import Any

import pyromark

from followup.postmortem import markdown, shorten, tables
from followup.postmortem.markdown import EMPTY, Events, Inline, Source

# A bold label or a short line ending in ':' can head a little section of its own.
SHORT_LINE = 64  # bytes; longer paragraphs are prose, not labels


@dataclass(slots=True)
class Section:
    """A heading and the content up to the next one; level 0 is the text before any."""

    level: int
    heading: Inline
    start: int  # byte offset of the heading line
    body: int  # where the content after the heading starts
    end: int = 0  # where the next section starts
    lists: int = 0
    tables: int = 0
    paragraphs: int = 0
    first: str = ""  # kind of the first block: paragraph, list, table or other
    action_tables: int = 0  # tables whose header alone says they list action items

    @property
    def text(self) -> str:
        """Return the heading's plain text."""
        return self.heading.text.strip()

    @property
    def holds_items(self) -> bool:
        """Tell whether the section has lists or tables of its own."""
        return bool(self.lists or self.tables)


@dataclass(slots=True)
class Outline:
    """A document's sections in order, and its front matter block."""

    sections: list[Section]
    metadata: str = ""
    metadata_style: str = ""
    metadata_start: int = -1


def build(src: Source) -> Outline:
    """Read the whole document once, keeping only its headings and per-section counts.

    Events without byte ranges cost pyromark half as much to make; the headings' offsets
    then come from their lines. When the lines do not tell the same headings as the parser
    (a heading inside an HTML comment, a list item's own heading...), the document is read
    again with ranges.
    """
    return _build_bare(src) or _walk(src, shorten.events(src, 0, len(src.data)), ranged=True)


def _walk(src: Source, it: Events, *, ranged: bool) -> Outline:
    """Read the top-level blocks; without ranges every section's offsets are left at 0."""
    current = Section(0, EMPTY, 0, 0)
    sections = [current]
    outline = Outline(sections)
    first_event = True
    for ev, rng in it:
        start = ev.get("Start") if type(ev) is dict else None
        at_top = first_event
        first_event = False
        if start is None:
            continue
        if type(start) is str:
            kind = "paragraph" if start == "Paragraph" else "other"
            if kind == "paragraph":
                current.paragraphs += 1
        elif "Heading" in start:
            heading = markdown.inline(it)
            level = int(start["Heading"]["level"][1:])
            if ranged:
                current.end = rng["start"]
                current = Section(level, heading, rng["start"], rng["end"])
            else:
                current = Section(level, heading, 0, 0)
            sections.append(current)
            continue
        elif "List" in start:
            kind = "list"
            current.lists += 1
        elif "Table" in start:
            current.tables += 1
            if tables.is_action_table(_table_head(it)):
                current.action_tables += 1
            if not current.first:
                current.first = "table"
            continue
        elif "MetadataBlock" in start and at_top:
            outline.metadata = "".join(e["Text"] for e, _ in _until_end(it) if "Text" in e)
            outline.metadata_style = str(start["MetadataBlock"])
            outline.metadata_start = 0
            if ranged:
                current.body = rng["end"]
            continue
        else:
            kind = "other"
        if not current.first:
            current.first = kind
        markdown.skip(it)
    if ranged:
        current.end = len(src.data)
    return outline


# An ATX heading line: "## Action items". Its "#" is found with bytes.find, a memchr
# (a regex scanning the text is fifty times slower). Setext headings, and "#" lines inside
# fenced code or HTML comments, make the headings found differ from the parser's: then the
# ranged outline is used instead.
_ATX = re.compile(rb" {0,3}(#{1,6})(?=[ \t\r\n]|\Z)")
_FENCES = frozenset((b"---", b"...", b"+++"))


def _build_bare(src: Source) -> Outline | None:
    """Build the outline from range-less events and heading lines; None if they disagree."""
    outline = _walk(src, zip(shorten.bare_events(src), repeat(None)), ranged=False)
    data = src.data
    skip = 0
    if outline.metadata_start == 0:
        skip = _front_matter_end(data)
        if skip < 0:
            return None
    found = _heading_lines(data, skip)
    secs = outline.sections
    if len(found) != len(secs) - 1:
        return None
    for sec, (start, body, level) in zip(secs[1:], found, strict=True):
        # Same level, and the heading's first word on that line: the same heading.
        words = sec.heading.text.split(None, 1)
        if level != sec.level or (words and words[0].encode() not in data[start:body]):
            return None
        sec.start, sec.body = start, body
    secs[0].body = skip
    for sec, nxt in pairwise(secs):
        sec.end = nxt.start
    secs[-1].end = len(data)
    return outline


def _front_matter_end(data: bytes) -> int:
    """Return where the front matter's closing line ends (before its newline), or -1."""
    at = data.find(b"\n") + 1
    while at > 0:
        end = data.find(b"\n", at)
        line = data[at : len(data) if end < 0 else end].rstrip(b" \t\r")
        if line in _FENCES:
            return at + len(line)
        at = end + 1 if end >= 0 else 0
    return -1


def _heading_lines(data: bytes, skip: int) -> list[tuple[int, int, int]]:
    """Return (start, body, level) of each line after skip that reads as an ATX heading."""
    out: list[tuple[int, int, int]] = []
    at = data.find(b"#", skip)
    while at >= 0:
        line = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end + 1
        m = _ATX.match(data, line) if line >= skip and at - line <= 3 else None
        if m is not None and m.start(1) == at:
            out.append((line, end, len(m[1])))
        at = data.find(b"#", end if end > at else at + 1)
    return out


def _table_head(it: Events) -> list[str]:
    """Return the header cells of the table just started, consuming the whole table."""
    cells: list[str] = []
    for ev, _ in it:
        start = ev.get("Start") if type(ev) is dict else None
        if start == "TableCell":
            cells.append(markdown.inline(it).text)
        elif start == "TableHead":
            continue
        elif type(ev) is dict and ev.get("End") == "TableHead":
            markdown.skip(it)
            break
        elif start is not None:
            markdown.skip(it)
    return cells


def _until_end(it: Events) -> list[Any]:
    """Return the events up to the End of the block just started (a small front matter)."""
    out: list[Any] = []
    for ev, rng in it:
        if type(ev) is dict and "End" in ev:
            break
        out.append((ev, rng))
    return out


class Resolver:
    """Resolve reference-style links in a slice against the whole document's definitions."""

    __slots__ = ("_defs", "_text")

    def __init__(self, text: str | Source) -> None:
        self._text = text
        self._defs: dict[str, tuple[str, str]] | None = None

    def __call__(self, link: dict[str, Any]) -> tuple[str, str] | None:
        """Return (url, title) for a reference the slice does not define, or None."""
        if self._defs is None:
            text = self._text
            if isinstance(text, Source):
                found = shorten.definitions(text)
            else:
                found = pyromark.reference_definitions(text, options=markdown.OPTIONS)
            self._defs = {
                " ".join(k.split()).casefold(): (v["dest"], v.get("title") or "")
                for k, v in found.items()
            }
        key = " ".join(str(link.get("reference", "")).split()).casefold()
        return self._defs.get(key)


class Blocks:
    """Second pass over one slice of the document: its top-level blocks, read on demand.

    Iterating yields (kind, start, end) per block, with absolute byte offsets; the caller
    then reads the block with paragraph(), items(), table() or html(), or lets it be
    skipped.
    """

    __slots__ = ("_it", "_taken", "base")

    def __init__(self, src: Source, start: int, end: int, resolve: Resolver) -> None:
        self.base = start
        self._it = shorten.events(src, start, end, resolve)
        self._taken = True

    def __iter__(self) -> Any:
        base = self.base
        for ev, rng in self._it:
            start = ev.get("Start") if type(ev) is dict else None
            if start is None:
                continue
            if type(start) is str:
                kind = (
                    "paragraph" if start == "Paragraph" else "html" if start == "HtmlBlock" else ""
                )
            elif "List" in start:
                kind = "list"
            elif "Table" in start:
                kind = "table"
            elif "Heading" in start:
                kind = "heading"
            else:
                kind = ""
            self._taken = False
            yield kind, rng["start"] + base, rng["end"] + base
            if not self._taken:
                markdown.skip(self._it)
            self._taken = True

    def paragraph(self) -> Inline:
        """Read the paragraph (or heading) just yielded."""
        self._taken = True
        return markdown.inline(self._it)

    def items(self) -> list[markdown.ListItem]:
        """Read the list just yielded."""
        self._taken = True
        return markdown.list_items(self._it, self.base)

    def table(self) -> markdown.Table:
        """Read the table just yielded."""
        self._taken = True
        return markdown.table(self._it, self.base)

    def html(self) -> str:
        """Read the raw HTML of the block just yielded."""
        self._taken = True
        return "".join(ev.get("Html", "") for ev, _ in _until_end(self._it) if type(ev) is dict)
