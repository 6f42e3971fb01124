"""Stream pyromark's events into the few shapes the reader needs: text runs, lists, tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyromark

# Why pyromark: pulldown-cmark in Rust, iterated lazily from Python at ~45 MB/s with byte
# ranges. It speaks CommonMark plus GFM tables, task lists and strikethrough, and hands us
# front matter blocks. Events are never kept in a list: a list of millions of small dicts
# costs gigabytes and wakes the cycle collector again and again. Each consumer below walks
# the shared iterator forward and stops at the End event of what it reads, so memory stays
# proportional to what is kept, and nesting of any depth needs no recursion.
OPTIONS: pyromark.Options = (
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
Events = Iterator[Event]
LinkResolver = Callable[[dict[str, Any]], tuple[str, str] | None]


@dataclass(slots=True)
class Link:
    """A link inside an inline run: its span in the plain text and its target."""

    start: int
    end: int
    url: str


@dataclass(slots=True)
class Inline:
    """Plain text with markup removed, plus where its links, bold and code spans were."""

    text: str
    links: tuple[Link, ...] = ()
    strong: tuple[tuple[int, int], ...] = ()
    code: tuple[tuple[int, int], ...] = ()
    struck: tuple[tuple[int, int], ...] = ()
    emphasis: tuple[tuple[int, int], ...] = ()

    def code_texts(self) -> list[str]:
        """Return the text of each code span."""
        return [self.text[s:e] for s, e in self.code]

    def cut(self, start: int, end: int) -> Inline:
        """Return the part of the run between two offsets, its spans clipped to it."""
        if start <= 0 and end >= len(self.text):
            return self

        def spans(values: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
            return tuple(
                (max(s, start) - start, min(e, end) - start)
                for s, e in values
                if s < end and e > start
            )

        return Inline(
            self.text[start:end],
            tuple(
                Link(max(lk.start, start) - start, min(lk.end, end) - start, lk.url)
                for lk in self.links
                if lk.start < end and lk.end > start
            ),
            spans(self.strong),
            spans(self.code),
            spans(self.struck),
            spans(self.emphasis),
        )


EMPTY = Inline("")
_JOIN_EVERY = 4096  # pieces of text a run keeps apart before joining them
_NOTHING: tuple[None, None] = (None, None)  # what next() gives back at the end of the events


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


class Source:
    """A document's text and bytes, with line lookup and source slices."""

    __slots__ = ("_seen", "data", "runs", "shortened", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode()
        self._seen = (0, 1)  # the last (offset, line) looked up
        self.runs: list[Any] | None = None  # long runs of plain lines, found by shorten.py
        self.shortened: str | None = None  # the text as the parser sees it (shorten.py)

    def line(self, offset: int) -> int:
        """Return the 1-based line holding a byte offset."""
        # Lookups mostly come in document order, so count on from the last one.
        seen, line = self._seen
        if offset < seen:
            seen, line = 0, 1
        line += self.data.count(b"\n", seen, offset)
        self._seen = (offset, line)
        return line

    def slice(self, start: int, end: int) -> str:
        """Return the text between two byte offsets."""
        return self.data[start:end].decode()

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


def events(text: str, resolve: LinkResolver | None = None) -> Events:
    """Return pyromark's lazy (event, range) iterator over the text."""
    callback: Any = resolve  # pyromark types the link as its own TypedDict
    return iter(pyromark.events_with_range(text, options=OPTIONS, broken_link_callback=callback))


def skip(it: Events) -> None:
    """Consume events up to the End of the container whose Start was just read."""
    depth = 1
    for ev, _ in it:
        # Bare-string events (SoftBreak, HardBreak, Rule) contain neither word.
        if "Start" in ev:
            depth += 1
        elif "End" in ev:
            depth -= 1
            if not depth:
                return


class _Run:
    """An inline run being collected: text pieces, spans and the task-list marker."""

    __slots__ = (
        "checked",
        "code",
        "done",
        "emphasis",
        "links",
        "open",
        "parts",
        "pos",
        "strong",
        "struck",
    )

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.done: list[str] = []  # earlier parts, joined: a paragraph of a million lines
        self.pos = 0
        self.links: list[Link] = []
        self.strong: list[tuple[int, int]] = []
        self.code: list[tuple[int, int]] = []
        self.struck: list[tuple[int, int]] = []
        self.emphasis: list[tuple[int, int]] = []
        self.open: list[tuple[str, int, str]] = []
        self.checked: bool | None = None

    def space(self) -> None:
        if self.pos:
            self.parts.append(" ")
            self.pos += 1

    def inline(self) -> Inline:
        text = "".join(self.parts)
        if self.done:
            text = "".join([*self.done, text])
        return Inline(
            text,
            tuple(self.links),
            tuple(self.strong),
            tuple(self.code),
            tuple(self.struck),
            tuple(self.emphasis),
        )

    def feed(self, ev: Any, it: Events) -> bool:
        """Take one inline event; False when it is a Start this run does not handle."""
        if type(ev) is str:
            if ev in _BREAKS:
                parts = self.parts
                parts.append(" ")
                self.pos += 1
                if len(parts) >= _JOIN_EVERY:
                    # A list of two pieces per line would cost eight bytes a piece: far
                    # more than the text itself once a paragraph runs to a million lines.
                    self.done.append("".join(parts))
                    parts.clear()
            return True
        text = ev.get("Text")
        if text is not None:
            self.parts.append(text)
            self.pos += len(text)
            return True
        start = ev.get("Start")
        if start is not None:
            if type(start) is str:
                if start == "Paragraph":
                    self.space()
                elif start in _SKIPPED:
                    skip(it)
                elif start == "Item":
                    return False
                else:  # Strong, Emphasis, Strikethrough, ...: spans ended by the same name
                    self.open.append((start, self.pos, ""))
                return True
            if "Link" in start:
                self.open.append(("Link", self.pos, start["Link"]["dest_url"]))
                return True
            if "List" in start:
                return False
            skip(it)  # images, code blocks, quotes and anything unknown hold no item text
            return True
        end = ev.get("End")
        if end is not None:
            if self.open and self.open[-1][0] == end:
                kind, begin, url = self.open.pop()
                if kind == "Link":
                    self.links.append(Link(begin, self.pos, url))
                elif kind == "Strong":
                    self.strong.append((begin, self.pos))
                elif kind == "Strikethrough":
                    self.struck.append((begin, self.pos))
                elif kind == "Emphasis":
                    self.emphasis.append((begin, self.pos))
            return True
        code = ev.get("Code")
        if code is not None:
            self.parts.append(code)
            self.code.append((self.pos, self.pos + len(code)))
            self.pos += len(code)
        elif "TaskListMarker" in ev:
            if self.pos == 0:
                self.checked = bool(ev["TaskListMarker"])
        elif "InlineHtml" in ev and _BR_TAG.match(ev["InlineHtml"]):
            self.parts.append(" ")
            self.pos += 1
        return True


def inline(it: Events, first: Any = None) -> Inline:
    """Collect the inline run up to the End of the block just started (heading, cell...)."""
    if first is None:
        first = next(it, _NOTHING)[0]
    run: _Run | None = None
    # Most headings and cells are one piece of plain text: no run to build for them.
    if type(first) is dict:
        if "End" in first:
            return EMPTY
        text = first.get("Text")
        if text is not None:
            nxt = next(it, _NOTHING)[0]
            if nxt is None or (type(nxt) is dict and "End" in nxt):
                return Inline(text)
            run = _Run()
            run.feed(first, it)
            first = nxt
    if first is None:
        return run.inline() if run is not None else EMPTY
    run = run or _Run()
    if _ends(run, first, it):
        return run.inline()
    for ev, _ in it:
        if _ends(run, ev, it):
            break
    return run.inline()


def _ends(run: _Run, ev: Any, it: Events) -> bool:
    """Feed one event to a block's run; True at the End of the block itself."""
    if type(ev) is dict and "End" in ev and not (run.open and run.open[-1][0] == ev["End"]):
        return True
    if not run.feed(ev, it):
        skip(it)  # a nested list inside a heading or cell holds no text of its own
    return False


def list_items(it: Events, base: int = 0) -> list[ListItem]:
    """Read the list whose Start was just consumed: items, nested items, text and ranges."""
    roots: list[ListItem] = []
    # Open items and their runs, innermost last; nesting of any depth needs no recursion.
    stack: list[tuple[ListItem, _Run]] = []
    lists = 1  # lists open, counting the outer one
    for ev, rng in it:
        if type(ev) is dict:
            start = ev.get("Start")
            if start == "Item":
                item = ListItem(EMPTY, None, rng["start"] + base, rng["end"] + base)
                (stack[-1][0].children if stack else roots).append(item)
                stack.append((item, _Run()))
                continue
            if start is not None and type(start) is dict and "List" in start:
                lists += 1
                continue
            end = ev.get("End")
            if end == "Item":
                item, run = stack.pop()
                item.inline = run.inline()
                item.checked = run.checked
                continue
            if end is not None and type(end) is dict and "List" in end:
                lists -= 1
                if not lists:
                    return roots
                continue
        if stack:
            stack[-1][1].feed(ev, it)
        elif type(ev) is dict and "Start" in ev:
            skip(it)
    return roots


def table(it: Events, base: int = 0) -> Table:
    """Read the table whose Start was just consumed."""
    head: list[Inline] = []
    rows: list[Row] = []
    cells: list[Inline] = []
    row_start = row_end = 0
    for ev, rng in it:
        start = ev.get("Start") if type(ev) is dict else None
        if start == "TableCell":
            cells.append(inline(it))
        elif start in ("TableHead", "TableRow"):
            cells = []
            row_start, row_end = rng["start"] + base, rng["end"] + base
        elif type(ev) is dict and "End" in ev:
            end = ev["End"]
            if end == "TableHead":
                head = cells
            elif end == "TableRow":
                rows.append(Row(cells, row_start, row_end))
            elif end == "Table":
                break
        elif start is not None:
            skip(it)
    return Table(head, rows)


def parse_inline(markdown: str) -> Inline:
    """Return the inline run of a one-paragraph Markdown snippet (for tests and tools)."""
    it = events(markdown)
    for ev, _ in it:
        if type(ev) is dict and "Start" in ev:
            if ev["Start"] == "Paragraph" or "Heading" in ev["Start"]:
                return inline(it)
            if "List" in ev["Start"]:
                items = list_items(it)
                return items[0].inline if items else EMPTY
    return EMPTY
