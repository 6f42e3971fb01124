"""Parse a long document without handing pyromark its long runs of plain lines.

pulldown-cmark keeps tree nodes for every line of the text it parses (a paragraph line is a
text node and a line-break node, some fifty bytes each), and keeps them all until the last
event is read: a 2 MB paragraph of a million short lines cost it about 100 MB. A plain line
(a letter first, then only letters, digits, spaces and punctuation that means nothing inside
a Markdown line, no trailing space) adds to the paragraph it continues nothing but its text
and a soft break. So in a long document each long run of plain lines reaches the parser as
its first and last lines only, and the lines between are put back into the event stream as
the Text and SoftBreak events the parser makes for them, with their own byte ranges.

That is the same only where the run's lines are a paragraph's own text, and the events of
the shortened text say whether they are: the run's first line must come as a Text directly
inside a Paragraph, then a SoftBreak, then the run's last line. A run that does not (a code
block's lines, front matter, a table's rows, a link title or an emphasis spanning the run, a
setext heading) is handed to the parser whole. Shorter documents are parsed as they are.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from functools import cache
from typing import Any

import pyromark

from followup.postmortem import markdown
from followup.postmortem.markdown import Events, LinkResolver, Source

LONG_DOCUMENT = 256 * 1024  # bytes: shorter documents are parsed whole
RUN_LINES = 64  # plain lines in a row worth leaving out
_PASSES = 4  # looks at a slice after putting back runs that did not hold

# Characters that mean nothing inside a line of Markdown with the reader's options: no
# backslash, code, emphasis, strikethrough, link, image, HTML, entity, table pipe, or quote
# and parenthesis (a link title can run over lines).
_PLAIN = rb"A-Za-z0-9 ,.;:?/%+=@#$^{}\-"


@cache
def _runs_pattern(lines: int) -> re.Pattern[bytes]:
    # Possessive: no backtracking state kept per line of a run a million lines long.
    line = rb"[A-Za-z][" + _PLAIN + rb"]*+(?<! )\n"
    return re.compile(rb"(?:^|(?<=\n))(?:" + line + rb"){%d,}+" % lines)


@cache
def _items_pattern(lines: int) -> re.Pattern[bytes]:
    # List items of one line each, one bullet: "- Restart the pod" and its like.
    item = rb" [A-Za-z][" + _PLAIN + rb"]*+(?<! )\n"
    return re.compile(
        rb"(?:^|(?<=\n))([-*+])" + item + rb"(?:\1" + item + rb"){%d,}+" % (lines - 1)
    )


class _Run:
    """A run of plain lines or list items: the kept first line, those left out, the kept last."""

    __slots__ = ("cut", "end", "first_end", "items", "rest", "start")

    def __init__(self, start: int, end: int, data: bytes, *, items: bool) -> None:
        self.items = items  # one-line list items ("- text") rather than paragraph lines
        self.start = start  # where the kept first line starts
        self.end = end  # past the kept last line's newline
        self.first_end = data.find(b"\n", start)  # the newline after the kept first line
        self.cut = self.first_end + 1  # the lines left out: [cut, rest)
        self.rest = data.rfind(b"\n", start, end - 1) + 1  # where the kept last line starts

    def first_events(self, key: int) -> list[tuple[Any, tuple[int, int]]]:
        """Return the events the parser makes of the first line, its newline at key."""
        start = key - (self.first_end - self.start)
        if self.items:  # an item of a tight list, its text, and the next item
            return [
                ({"Start": "Item"}, (start, key + 1)),
                ({"Text": None}, (start + 2, key)),
                ({"End": "Item"}, (start, key + 1)),
                ({"Start": "Item"}, (key + 1, -1)),
            ]
        last = key + 1 + (self.end - 1 - self.rest)
        return [
            ({"Text": None}, (start, key)),
            ("SoftBreak", (key, key + 1)),
            ({"Text": None}, (key + 1, last)),
        ]


def _runs(src: Source) -> list[_Run]:
    """Return the document's long runs of plain lines and items (none for a short document)."""
    if src.runs is None:
        data = src.data
        found: list[_Run] = []
        if len(data) >= LONG_DOCUMENT:
            found = [
                _Run(m.start(), m.end(), data, items=False)
                for m in _runs_pattern(RUN_LINES).finditer(data)
            ]
            found += [
                _Run(m.start(), m.end(), data, items=True)
                for m in _items_pattern(RUN_LINES).finditer(data)
            ]
            found.sort(key=lambda run: run.start)
        src.runs = found
    runs: list[_Run] = src.runs
    return runs


class _Shortened:
    """A slice of the document with runs left out, and how its offsets map back."""

    __slots__ = ("_at", "points", "removed", "start", "text")

    def __init__(self, data: bytes, start: int, end: int, runs: list[_Run]) -> None:
        self.start = start
        pieces: list[bytes] = []
        self.points: list[int] = []  # shortened offsets where left-out lines were
        self.removed: list[int] = [0]  # bytes left out before each point, cumulative
        self._at: dict[int, _Run] = {}  # shortened offset of a first line's newline -> run
        at = start
        for run in runs:
            pieces.append(data[at : run.cut])
            point = run.cut - start - self.removed[-1]
            self._at[point - 1] = run
            self.points.append(point)
            self.removed.append(self.removed[-1] + run.rest - run.cut)
            at = run.rest
        pieces.append(data[at:end])
        self.text = b"".join(pieces).decode()

    def held(self, resolve: LinkResolver | None) -> list[_Run]:
        """Return the runs the parser reads as a paragraph's own lines or a tight list's items."""
        held: list[_Run] = []
        tags: list[Any] = []  # the open blocks and spans, innermost last
        run: _Run | None = None  # the run whose first line is being read
        expected: list[tuple[Any, tuple[int, int]]] = []
        for ev, rng in markdown.events(self.text, resolve):
            if run is not None:
                want, (start, end) = expected.pop(0)
                if _kind(ev) == _kind(want) and rng["start"] == start and end in (-1, rng["end"]):
                    if not expected:
                        held.append(run)
                        run = None
                else:
                    run = None
            if type(ev) is not dict:
                continue
            begins = ev.get("Start")
            if begins is not None:
                if run is None and begins == "Item" and tags and tags[-1] == "List":
                    run = self._at.get(rng["end"] - 1)
                    if run is not None and run.items:
                        expected = run.first_events(rng["end"] - 1)
                        expected.pop(0)  # this Start
                        if rng["start"] != rng["end"] - 1 - (run.first_end - run.start):
                            run = None
                    else:
                        run = None
                tags.append(begins if type(begins) is str else next(iter(begins)))
            elif "End" in ev:
                tags.pop()
            elif run is None and "Text" in ev and tags and tags[-1] == "Paragraph":
                run = self._at.get(rng["end"])
                if run is not None and not run.items:
                    expected = run.first_events(rng["end"])
                    start, _ = expected.pop(0)[1]
                    if rng["start"] != start:
                        run = None
                else:
                    run = None
        return held

    def events(self, data: bytes, resolve: LinkResolver | None) -> Events:
        """Yield the shortened slice's events with the left-out lines put back in place."""
        points, removed, start = self.points, self.removed, self.start
        for ev, rng in markdown.events(self.text, resolve):
            at, end = rng["start"], rng["end"]
            # A range that starts where lines were left out starts after them; one that
            # ends there ends before them.
            yield (
                ev,
                {
                    "start": at + removed[bisect_right(points, at)],
                    "end": end + removed[bisect_left(points, end)],
                },
            )
            if ev == "SoftBreak":
                run = self._at.get(at)
                if run is not None and not run.items:
                    yield from _lines(data, run.cut, run.rest, start)
            elif ev == _END_ITEM:
                run = self._at.get(end - 1)
                if run is not None and run.items:
                    yield from _items(data, run.cut, run.rest, start)


def _lines(data: bytes, start: int, end: int, base: int) -> Iterator[markdown.Event]:
    """Yield the Text and SoftBreak events of the plain lines in [start, end)."""
    at = start
    while at < end:
        newline = data.find(b"\n", at)
        yield (
            {"Text": data[at:newline].decode("ascii")},
            {"start": at - base, "end": newline - base},
        )
        yield "SoftBreak", {"start": newline - base, "end": newline + 1 - base}
        at = newline + 1


def _items(data: bytes, start: int, end: int, base: int) -> Iterator[markdown.Event]:
    """Yield the events of the one-line list items in [start, end), as a tight list has them."""
    at = start
    while at < end:
        newline = data.find(b"\n", at)
        item = {"start": at - base, "end": newline + 1 - base}
        yield {"Start": "Item"}, item
        yield (
            {"Text": data[at + 2 : newline].decode("ascii")},
            {
                "start": at + 2 - base,
                "end": newline - base,
            },
        )
        yield {"End": "Item"}, dict(item)
        at = newline + 1


_END_ITEM = {"End": "Item"}


def _kind(ev: Any) -> Any:
    """Return what an event is, without its text: 'SoftBreak', ('Text',), ('Start', 'Item')."""
    if type(ev) is not dict:
        return ev
    key = next(iter(ev))
    return (key,) if key == "Text" else (key, ev[key])


def _shortened(
    src: Source, start: int, end: int, resolve: LinkResolver | None
) -> _Shortened | None:
    """Return the slice shortened by every run the parser reads as plain text, or None."""
    runs = [run for run in _runs(src) if run.start >= start and run.end <= end]
    for _ in range(_PASSES):
        if not runs:
            return None
        short = _Shortened(src.data, start, end, runs)
        held = short.held(resolve)
        if len(held) == len(runs):
            return short
        runs = held  # put back those that did not hold, and look again
    return None


def events(src: Source, start: int, end: int, resolve: LinkResolver | None = None) -> Events:
    """Return the ranged events of a slice, offsets relative to its start (markdown.events)."""
    short = _shortened(src, start, end, resolve) if _runs(src) else None
    if short is None:
        return markdown.events(src.slice(start, end), resolve)
    return short.events(src.data, resolve)


def _whole(src: Source) -> str:
    """Return the document's text as the parser needs to see it (its runs shortened)."""
    if src.shortened is None:
        short = _shortened(src, 0, len(src.data), None) if _runs(src) else None
        src.shortened = src.text if short is None else short.text
    text: str = src.shortened
    return text


def bare_events(src: Source) -> Iterator[Any]:
    """Return range-less events of the whole document, runs shortened (for the outline)."""
    # The outline only counts a paragraph: its left-out lines need not be put back.
    return iter(pyromark.events(_whole(src), options=markdown.OPTIONS))


def definitions(src: Source) -> dict[str, Any]:
    """Return the document's link reference definitions (their spans in the shortened text)."""
    found: dict[str, Any] = pyromark.reference_definitions(_whole(src), options=markdown.OPTIONS)
    return found
