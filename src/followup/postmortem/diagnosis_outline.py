"""The diagnosis's first pass: a document's headings, cheaply, and how far each can hold work.

Headings are found by one regex over the lines (its first character a literal newline)
rather than a parse: the reader has parsed the document already, and the diagnosis must
cost an import little. Fenced code and HTML comments are masked so that a '#' line inside
them is no heading. A heading's role is the reader's (sections.role); its reach says how
much of its lists can be work: none under history, only marked entries under lessons.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import pairwise

from followup.postmortem import sections
from followup.text import clean

# Headings quoted in a warning are cut to this many characters.
QUOTED = 60


class Reach(Enum):
    """How much of a section's lists can be work the reader should have taken."""

    HISTORY = "history"  # Timeline, Root cause, Impact, Recovery: never
    LESSONS = "lessons"  # Lessons learned, Summary: only checklists, owners, due dates
    OPEN = "open"  # any other section: work-like lists too
    INTENT = "intent"  # named by what the work is for ("Preventing recurrence"): any list


@dataclass(slots=True)
class Section:
    """A heading and the text up to the next one; level 0 is the text before any."""

    level: int
    raw: str  # the heading's Markdown, as written
    start: int  # offset of the heading line
    body: int  # offset after it
    line: int  # the heading's line number (1 for the text before any heading)
    end: int = 0
    parent: int = -1
    reach: Reach = Reach.OPEN
    role: sections.Role = sections.Role.NEUTRAL

    @property
    def title(self) -> str:
        """Return the heading as plain, inert text (worked out only when shown)."""
        return plain(self.raw)


_LINES = re.compile(
    r"\n(?: {0,3}(?P<atx>#{1,6})(?=[ \t\n]|\Z)| {0,3}(?P<under>=+|-{2,})[ \t]*(?=\n|\Z)"
    r"|[ \t>*_-]*(?:Action|ACTION|Follow|TODO|To-?do|Next step))"
)
_ATX_FIRST = re.compile(r" {0,3}(#{1,6})(?=[ \t\n]|\Z)")
_CLOSING = re.compile(r"[ \t]+#+[ \t]*$")
Heading = tuple[int, int, int, str]  # start, body, level, raw text
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP_CHAR = re.compile(r"[*_`~<]")
_MARKUP = re.compile(r"<[^>\n]*>|[*_`~]+")


def plain(text: str) -> str:
    """Return a heading's text without Markdown markup, made inert and kept short."""
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    if _MARKUP_CHAR.search(text) is not None:
        text = _MARKUP.sub("", text)
    text = " ".join(clean(text).split())
    return text if len(text) <= QUOTED else text[: QUOTED - 1].rstrip() + "…"


def _masked(text: str) -> list[tuple[int, int]]:
    """Return the ranges of fenced code and HTML comments: no heading or list inside."""
    out: list[tuple[int, int]] = []
    # One character first: str.find of one character is a memchr, of three far slower.
    fences = [
        fence
        for mark in ("```", "~~~")
        if text.find(mark[0]) >= 0
        for fence in _fence_lines(text, mark)
    ]
    if fences:
        fences.sort()
        opened: tuple[int, int, str] | None = None
        for start, end, run in fences:
            if opened is None:
                opened = (start, end, run)
            elif run[0] == opened[2][0] and len(run) >= len(opened[2]):
                out.append((opened[0], end))
                opened = None
        if opened is not None:
            out.append((opened[0], len(text)))
    at = text.find("<!--") if text.find("<") >= 0 else -1
    while at >= 0:
        end = text.find("-->", at + 4)
        end = len(text) if end < 0 else end + 3
        out.append((at, end))
        at = text.find("<!--", end)
    out.sort()
    return out


def _fence_lines(text: str, mark: str) -> list[tuple[int, int, str]]:
    """Return (start, end, marker run) of each line that opens or closes a fence of mark."""
    found: list[tuple[int, int, str]] = []
    at = text.find(mark)
    while at >= 0:
        line = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if at - line <= 3 and not text[line:at].strip(" "):
            run = len(text[at:end]) - len(text[at:end].lstrip(mark[0]))
            found.append((line, end, mark[0] * run))
        at = text.find(mark, end)
    return found


def _inside(ranges: list[tuple[int, int]], at: int) -> bool:
    i = bisect_right(ranges, (at, len(ranges) + (1 << 62))) - 1
    return i >= 0 and ranges[i][0] <= at < ranges[i][1]


def _front_matter_end(text: str) -> int:
    if not text.startswith(("---\n", "+++\n")):
        return 0
    fence = text[:3]
    at = 4
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        line = text[at:end].rstrip()
        if line == fence or (fence == "---" and line == "..."):
            return min(end + 1, len(text))
        at = end + 1
    return 0


def _headings(
    text: str, skip: int, masked: list[tuple[int, int]], labels: list[int]
) -> list[Heading]:
    """Return (start, body, level, raw text) of each heading after skip, in order.

    The same pass notes in labels where a line opens with an action label ("Action Items",
    "TODO"): one regex whose first character is a literal newline visits each line once.
    """
    found: list[Heading] = []
    at = skip - 1 if skip and text[skip - 1] == "\n" else skip
    if at == skip and (m := _ATX_FIRST.match(text, skip)) is not None:
        found.append(_heading(text, skip, m.end(), len(m[1])))
    added = False
    for m in _LINES.finditer(text, at):
        line = m.start() + 1
        if masked and _inside(masked, line):
            continue
        if m["atx"]:
            found.append(_heading(text, line, m.end(), len(m["atx"])))
        elif m["under"]:
            # "Title" over "=====" or "-----": a heading when the line above is a paragraph's.
            prev_start = text.rfind("\n", 0, m.start()) + 1
            prev = text[prev_start : m.start()]
            if prev_start >= skip and _paragraph_line(prev):
                level = 1 if m["under"][0] == "=" else 2
                found.append((prev_start, min(m.end() + 1, len(text)), level, prev.strip()))
                added = True
        else:
            labels.append(m.start())
    if added:
        found.sort()
    return found


def _heading(text: str, line: int, after: int, level: int) -> Heading:
    """Return a heading found at line whose marker ends at after."""
    end = text.find("\n", after)
    end = len(text) if end < 0 else end
    raw = text[after:end].strip()
    if raw.endswith("#"):
        raw = _CLOSING.sub("", " " + raw).strip()
    return (line, min(end + 1, len(text)), level, raw)


def _paragraph_line(line: str) -> bool:
    """Tell whether a line can be a setext heading's text (a paragraph's, not a list's)."""
    s = line.strip()
    if not s or len(line) - len(line.lstrip(" ")) > 3:
        return False
    return not (entry_marker(s) or s[0] in "#|>")


def outline(text: str) -> tuple[list[Section], list[tuple[int, int]], list[int]]:
    """Return a document's sections, its masked ranges, and where action labels open lines."""
    skip = _front_matter_end(text)
    masked = _masked(text)
    labels: list[int] = []
    secs = [Section(0, "", skip, skip, text.count("\n", 0, skip) + 1)]
    line, last = secs[0].line, skip
    stack: list[int] = []
    for start, body, level, raw in _headings(text, skip, masked, labels):
        line += text.count("\n", last, start)
        last = start
        sec = Section(level, raw, start, body, line)
        while stack and secs[stack[-1]].level >= level:
            stack.pop()
        sec.parent = stack[-1] if stack else 0
        stack.append(len(secs))
        secs.append(sec)
    for a, b in pairwise(secs):
        a.end = b.start
    secs[-1].end = len(text)
    _reach(secs, text)
    return secs, masked, labels


# Lesson-like sections: a list there is work only when it says so (a box, an owner, a date).
LESSONS = re.compile(
    r"^(?:lessons?|learnings?|takeaways?|key\s+takeaways?|what\s+went|what\s+we\s+learned"
    r"|where\s+we\s+got\s+lucky|things\s+that\s+went|insights?|summary|conclusions?|notes?"
    r"|appendix|overview|discussion|open\s+questions?)\b"
)


# A neutral heading or lead-in telling what was done or what happened: "How this happened",
# "This was resolved by:". Its lists recount the incident.
_TOLD = re.compile(
    r"\b(?:happened|occurred|caused|resolved|fixed|mitigated|did|was|were|went|took|had)\b"
)


def told(norm: str) -> bool:
    return _TOLD.search(norm) is not None


@lru_cache(maxsize=4096)
def _classify(title: str) -> tuple[sections.Role, Reach | None]:
    """Return a heading's role and its own reach; None: a neutral heading, inheriting it."""
    role = sections.role(title) if title else sections.Role.NEUTRAL
    if sections.tells_the_past(title) or role is sections.Role.OTHER:
        lessons = LESSONS.match(sections.normalise(title)) is not None
        return role, Reach.LESSONS if lessons else Reach.HISTORY
    if role is sections.Role.WEAK:
        return role, Reach.INTENT
    if role is sections.Role.NEUTRAL:
        return role, Reach.HISTORY if told(sections.normalise(title)) else None
    return role, Reach.OPEN


def _reach(secs: list[Section], text: str) -> None:
    """Set each section's reach and role, a neutral heading inheriting its parent's reach."""
    title = 1 if len(secs) > 1 and secs[1].level == 1 and not text[: secs[1].start].strip() else 0
    for i, sec in enumerate(secs):
        if sec.level == 0:
            continue
        role, reach = _classify(_LINK.sub(r"\1", sec.raw) if "[" in sec.raw else sec.raw)
        if i == title:
            role, reach = sections.Role.NEUTRAL, None
        sec.role = role
        if reach is None:
            reach = secs[sec.parent].reach if sec.parent > 0 else Reach.OPEN
        sec.reach = reach


_ORDERED = re.compile(r"\d{1,3}[.)](?:[ \t]|$)")


def entry_marker(s: str) -> int:
    """Return the length of a list marker opening s ('- ', '1. '), or 0."""
    c = s[0]
    if c in "-*+":
        if len(s) == 1 or s[1] in " \t":
            return 2 if len(s) > 1 else 1
        return 0
    if c.isdigit():
        m = _ORDERED.match(s)
        return m.end() if m else 0
    return 0
