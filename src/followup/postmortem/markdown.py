"""Turn pyromark's event stream into a light outline of headings, paragraphs, lists and tables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

import pyromark

# Why pyromark: followup must import 1,000 documents of ~7 KB in under 2 s end to end.
# Measured here, pyromark's events_with_range (pulldown-cmark in Rust) delivers ~75 MB/s
# iterated from Python, against ~21 MB/s for markdown-it-pyrs and ~1.4 MB/s for
# markdown-it-py, so the parser is never the bottleneck. It also speaks CommonMark plus
# GFM tables, task lists and strikethrough, and hands us front matter blocks.
_OPTIONS: pyromark.Options = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_YAML_STYLE_METADATA_BLOCKS
    | pyromark.Options.ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
)

_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)

_BREAKS = frozenset({"SoftBreak", "HardBreak"})
# Containers whose content never belongs to the surrounding item or cell text.
_SKIPPED = frozenset({"CodeBlock", "BlockQuote", "Table", "Heading", "Image", "HtmlBlock"})

# Events stay loosely typed: the hot loops dispatch on their keys, which pyromark's
# TypedDict union would make mypy refuse without a cast per event.
Event = tuple[Any, Any]


@dataclass(frozen=True, slots=True)
class Link:
    """A link inside an inline run: its span in the plain text and its target."""

    start: int
    end: int
    url: str


@dataclass(frozen=True, slots=True)
class Inline:
    """Plain text with markup removed, plus where its links, bold and code spans were."""

    text: str
    links: tuple[Link, ...] = ()
    strong: tuple[tuple[int, int], ...] = ()
    code: tuple[tuple[int, int], ...] = ()

    def code_texts(self) -> list[str]:
        """Return the text of each code span."""
        return [self.text[s:e] for s, e in self.code]


EMPTY = Inline("")


@dataclass(slots=True)
class ListItem:
    """One list item: its own text, its checkbox, its byte range and nested items."""

    inline: Inline
    checked: bool | None
    start: int
    end: int
    children: list[ListItem] = field(default_factory=list)


@dataclass(slots=True)
class Row:
    """One table body row."""

    cells: list[Inline]
    start: int
    end: int


@dataclass(slots=True)
class Table:
    """A table's header cells and body rows."""

    head: list[Inline]
    rows: list[Row]


@dataclass(slots=True)
class Block:
    """A top-level block: where it sits in the event list and in the source."""

    kind: str  # heading, paragraph, list, table, metadata or other
    first: int  # index of its Start event
    last: int  # index of its End event
    start: int  # UTF-8 byte offsets
    end: int
    level: int = 0
    heading: Inline = EMPTY
    lead_strong: bool = False
    style: str = ""


def _events(text: str) -> list[Event]:
    """Return the text's events; merge text runs when there are unusually many events.

    Each event is a few hundred bytes of Python objects, and a long paragraph has two per
    line: a 2 MB file of a million short lines took 1 GB. Prose has about one event per
    20 characters; past one per 16 the runs are merged, so memory follows the text's size
    while ordinary documents keep the fast path.
    """
    stream = iter(pyromark.events_with_range(text, options=_OPTIONS))
    budget = len(text) // 16 + 4096
    events = list(islice(stream, budget))
    if len(events) < budget:
        return events
    return _coalesced(chain(events, stream))


def _coalesced(events: Iterable[Event]) -> list[Event]:
    """Return the events with each run of text and line breaks merged into one Text event.

    Breaks become the space the inline reader makes of them; runs of raw HTML merge too.
    """
    out: list[Event] = []
    run: list[str] = []
    kind = ""
    start = end = 0

    def close() -> None:
        out.append(({kind: "".join(run)}, {"start": start, "end": end}))
        run.clear()

    for ev, rng in events:
        if type(ev) is str:
            piece = " " if ev in _BREAKS else None
            this = "Text"
        else:
            piece = ev.get("Text")
            this = "Text"
            if piece is None:
                piece = ev.get("Html")
                this = "Html"
        if piece is None or (run and this != kind):
            if run:
                close()
            if piece is None:
                out.append((ev, rng))
                continue
        if not run:
            kind, start = this, rng["start"]
        run.append(piece)
        end = rng["end"]
    if run:
        close()
    return out


class Document:
    """A parsed Markdown text: its events, top-level blocks and line lookup."""

    __slots__ = ("_seen", "blocks", "data", "events", "match", "metadata", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode()
        self.events: list[Event] = _events(text)
        self.match: dict[int, int] = {}
        self.blocks: list[Block] = []
        self.metadata: Block | None = None
        self._seen = (0, 1)  # the last (offset, line) looked up
        self._outline()

    def _outline(self) -> None:
        # The one loop over every event, so it does as little as it can: nested ends are
        # found later, and only inside the blocks that are read closely.
        spans: list[tuple[int, int]] = []
        depth = first = 0
        idx = -1
        for ev, _ in self.events:
            idx += 1
            # Bare-string events (SoftBreak, HardBreak, Rule) contain neither word.
            if "Start" in ev:
                if not depth:
                    first = idx
                depth += 1
            elif "End" in ev:
                depth -= 1
                if not depth:
                    spans.append((first, idx))
                    self.match[first] = idx
        self.blocks = [self._block(first, last) for first, last in spans]

    def end(self, first: int) -> int:
        """Return the index of the End event closing the Start event at index first."""
        found = self.match.get(first)
        if found is not None:
            return found
        events = self.events
        depth = 0
        for idx in range(first, len(events)):
            ev = events[idx][0]
            if "Start" in ev:
                depth += 1
            elif "End" in ev:
                depth -= 1
                if not depth:
                    self.match[first] = idx
                    return idx
        raise ValueError(f"event {first} is never closed")

    def _block(self, first: int, last: int) -> Block:
        ev, rng = self.events[first]
        start = ev["Start"]
        block = Block("other", first, last, rng["start"], rng["end"])
        if start == "Paragraph":
            block.kind = "paragraph"
            nxt = self.events[first + 1][0]
            block.lead_strong = type(nxt) is dict and nxt.get("Start") == "Strong"
        elif type(start) is dict:
            if "Heading" in start:
                block.kind = "heading"
                block.level = int(start["Heading"]["level"][1:])
                block.heading = self.inline(first + 1, last)
            elif "List" in start:
                block.kind = "list"
            elif "Table" in start:
                block.kind = "table"
            elif "MetadataBlock" in start:
                block.kind = "metadata"
                block.style = str(start["MetadataBlock"])
                if self.metadata is None and first == 0:
                    self.metadata = block
        return block

    def line(self, offset: int) -> int:
        """Return the 1-based line holding a byte offset."""
        # Items come in document order, so count on from the last lookup.
        seen, line = self._seen
        if offset < seen:
            seen, line = 0, 1
        line += self.data.count(b"\n", seen, offset)
        self._seen = (offset, line)
        return line

    def source(self, start: int, end: int) -> str:
        """Return the source between two byte offsets, continuation lines dedented."""
        data = self.data
        while start < end and data[start] in b" \t":  # nested items' ranges can start indented
            start += 1
        column = start - (data.rfind(b"\n", 0, start) + 1)
        chunk = data[start:end].decode().rstrip()
        if column == 0 or "\n" not in chunk:
            return chunk
        head, *rest = chunk.split("\n")
        pad = " " * column
        return "\n".join([head, *(ln[column:] if ln.startswith(pad) else ln for ln in rest)])

    def metadata_text(self) -> str:
        """Return the raw text of the front matter block, or an empty string."""
        block = self.metadata
        if block is None:
            return ""
        return "".join(ev["Text"] for ev, _ in self.events[block.first + 1 : block.last])

    def paragraph(self, block: Block) -> Inline:
        """Return the plain text of a top-level paragraph."""
        return self.inline(block.first + 1, block.last)

    def inline(self, i: int, j: int) -> Inline:
        """Return the plain text of events[i:j], skipping nested lists."""
        return self._collect(i, j, None)[0]

    def _collect(self, i: int, j: int, nested: list[int] | None) -> tuple[Inline, bool | None]:
        events = self.events
        parts: list[str] = []
        pos = 0
        links: list[Link] = []
        strong: list[tuple[int, int]] = []
        code: list[tuple[int, int]] = []
        open_links: list[tuple[int, str]] = []
        open_strong: list[int] = []
        checked: bool | None = None
        while i < j:
            ev = events[i][0]
            if type(ev) is str:
                if ev in _BREAKS:
                    parts.append(" ")
                    pos += 1
                i += 1
                continue
            text = ev.get("Text")
            if text is not None:
                parts.append(text)
                pos += len(text)
            elif "Start" in ev:
                start = ev["Start"]
                if type(start) is str:
                    if start == "Strong":
                        open_strong.append(pos)
                    elif start == "Paragraph":
                        if pos:
                            parts.append(" ")
                            pos += 1
                    elif start in _SKIPPED:
                        i = self.end(i)
                elif "Link" in start:
                    open_links.append((pos, start["Link"]["dest_url"]))
                elif "List" in start:
                    if nested is not None:
                        nested.append(i)
                    i = self.end(i)
                elif not start.keys().isdisjoint(_SKIPPED):
                    i = self.end(i)
            elif "End" in ev:
                end = ev["End"]
                if end == "Strong" and open_strong:
                    strong.append((open_strong.pop(), pos))
                elif end == "Link" and open_links:
                    lstart, url = open_links.pop()
                    links.append(Link(lstart, pos, url))
            elif "Code" in ev:
                text = ev["Code"]
                parts.append(text)
                code.append((pos, pos + len(text)))
                pos += len(text)
            elif "TaskListMarker" in ev:
                if pos == 0:
                    checked = bool(ev["TaskListMarker"])
            elif "InlineHtml" in ev and _BR_TAG.match(ev["InlineHtml"]):
                parts.append(" ")
                pos += 1
            i += 1
        inline = Inline("".join(parts), tuple(links), tuple(strong), tuple(code))
        return inline, checked

    def list_items(self, first: int) -> list[ListItem]:
        """Return the items of the list whose Start event is at index first."""
        events = self.events
        last = self.end(first)
        items: list[ListItem] = []
        k = first + 1
        while k < last:
            end = self.end(k)
            nested: list[int] = []
            inline, checked = self._collect(k + 1, end, nested)
            rng = events[k][1]
            item = ListItem(inline, checked, rng["start"], rng["end"])
            for n in nested:
                item.children.extend(self.list_items(n))
            items.append(item)
            k = end + 1
        return items

    def table_head(self, first: int) -> list[str]:
        """Return the header cells' text of the table whose Start event is at index first."""
        head = first + 1
        end = self.end(head)
        cells: list[str] = []
        c = head + 1
        while c < end:
            cend = self.end(c)
            cells.append(self.inline(c + 1, cend).text)
            c = cend + 1
        return cells

    def table(self, first: int) -> Table:
        """Return the table whose Start event is at index first."""
        events = self.events
        last = self.end(first)
        head: list[Inline] = []
        rows: list[Row] = []
        k = first + 1
        while k < last:
            ev, rng = events[k]
            end = self.end(k)
            cells: list[Inline] = []
            c = k + 1
            while c < end:
                cend = self.end(c)
                cells.append(self.inline(c + 1, cend))
                c = cend + 1
            if ev["Start"] == "TableHead":
                head = cells
            else:
                rows.append(Row(cells, rng["start"], rng["end"]))
            k = end + 1
        return Table(head, rows)
