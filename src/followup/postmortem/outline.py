"""First pass over a document: its sections, what each holds, and its front matter.

The outline keeps one small record per heading and nothing per paragraph or list, so a
document of a million lines costs no more than its headings. The reader then parses again
only the slices it has to read closely (the action sections, and prose that may hold a
labelled item or a commitment), each on its own: a heading at the top level closes every
block, so a section's slice parses as it does in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyromark

from followup.postmortem import markdown, tables
from followup.postmortem.markdown import EMPTY, Events, Inline, Source

# A bold label or a short line ending in ':' can head a little section of its own.
SHORT_LINE = 64  # bytes; longer paragraphs are prose, not labels


@dataclass(frozen=True, slots=True)
class Label:
    """A paragraph that may name a section: '**Action Items**:' or 'Follow-ups:'."""

    start: int
    end: int
    inline: Inline
    strong: bool


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
    labels: list[Label] = field(default_factory=list)
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
    """Read the whole document once, keeping only its headings and per-section counts."""
    it = markdown.events(src.text)
    current = Section(0, EMPTY, 0, 0)
    sections = [current]
    outline = Outline(sections)
    for ev, rng in it:
        start = ev.get("Start") if type(ev) is dict else None
        if start is None:
            continue
        if type(start) is str:
            if start == "Paragraph":
                _paragraph(current, it, rng)
                continue
            kind = "other"
        elif "Heading" in start:
            heading = markdown.inline(it)
            current.end = rng["start"]
            level = int(start["Heading"]["level"][1:])
            current = Section(level, heading, rng["start"], rng["end"])
            sections.append(current)
            continue
        elif "List" in start:
            kind = "list"
            current.lists += 1
        elif "Table" in start:
            kind = "table"
            current.tables += 1
            if tables.is_action_table(_table_head(it)):
                current.action_tables += 1
            if not current.first:
                current.first = kind
            continue
        elif "MetadataBlock" in start and rng["start"] == 0 and outline.metadata_start < 0:
            outline.metadata = "".join(e["Text"] for e, _ in _until_end(it) if "Text" in e)
            outline.metadata_style = str(start["MetadataBlock"])
            outline.metadata_start = 0
            current.body = rng["end"]
            continue
        else:
            kind = "other"
        if not current.first:
            current.first = kind
        markdown.skip(it)
    current.end = len(src.data)
    return outline


def _paragraph(section: Section, it: Events, rng: dict[str, int]) -> None:
    """Count a paragraph, keeping it as a label when it may name a section."""
    section.paragraphs += 1
    if not section.first:
        section.first = "paragraph"
    nxt = next(it, None)
    if nxt is None:
        return
    ev = nxt[0]
    strong = type(ev) is dict and ev.get("Start") == "Strong"
    short = rng["end"] - rng["start"] <= SHORT_LINE
    if not strong and not short:
        if type(ev) is dict and "End" in ev:
            return
        if type(ev) is dict and "Start" in ev:
            markdown.skip(it)
        markdown.skip(it)
        return
    if type(ev) is dict and "End" in ev:
        return  # an empty paragraph
    inline = markdown.inline(it, ev)
    if strong or inline.text.rstrip().endswith(":"):
        section.labels.append(Label(rng["start"], rng["end"], inline, strong))


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

    def __init__(self, text: str) -> None:
        self._text = text
        self._defs: dict[str, tuple[str, str]] | None = None

    def __call__(self, link: dict[str, Any]) -> tuple[str, str] | None:
        """Return (url, title) for a reference the slice does not define, or None."""
        if self._defs is None:
            found = pyromark.reference_definitions(self._text, options=markdown.OPTIONS)
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
        self._it = markdown.events(src.slice(start, end), resolve)
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
