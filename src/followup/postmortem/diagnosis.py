"""Say what a reading of a post-mortem took, and which lists that read as work it left.

The reader is exact on the documents it was tuned on and still misses items on ones it has
never seen; a miss at import is silent and nothing downstream can recover it. The diagnosis
makes it visible: it names the headings the items came from and points at the lists,
checklists, tables and labelled lines outside them that look like work to do, so a person
can move them under an action heading.

It is cheap: headings are found in one pass (diagnosis_outline), and only the sections that
could hold a miss are read line by line (diagnosis_lines); history (Timeline, Root cause,
Impact, Recovery...) is read only for an action table or label, and lessons only when they
carry checkboxes, owners, tables or labels.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from followup.postmortem import sections
from followup.postmortem.diagnosis_lines import blocks, judge, normal
from followup.postmortem.diagnosis_outline import Reach, Section, outline
from followup.postmortem.model import PostMortem

# The reader's warning for a document without an action section starts so (walk.py); the
# diagnosis says instead what it found.
NO_SECTION = "no action-items section found"
# At most this many places named in one warning line; the rest are counted.
SHOWN = 3


@dataclass(frozen=True, slots=True)
class Unread:
    """A list, checklist, table or labelled line that looks like work and gave no item."""

    line: int
    heading: str  # the heading it sits under, plain text; "" before any heading
    kind: str  # "list", "checklist", "table" or "labelled line"
    last: int = 0  # its last line

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"line": self.line, "last": self.last, "heading": self.heading, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What a reading took, from where, and what it left that looks like work."""

    sources: tuple[str, ...]  # headings the explicit items came from, in order
    items: int  # explicit items
    suggestions: int
    unread: tuple[Unread, ...] = ()
    has_action_section: bool = False
    # With no item at all: the headings whose lists were not taken as work (Timeline...).
    lists_under: tuple[str, ...] = ()

    def warning(self) -> str | None:
        """Return the one-line warning import prints, or None when there is nothing to say."""
        if not self.has_action_section:
            return self._no_section()
        if not self.unread:
            return None
        where = _quoted_list(self.sources) if self.sources else "the action section"
        return (
            f"{_counted(self.unread)} outside {where} not read ({_places(self.unread)}); "
            f"if {'it is' if len(self.unread) == 1 else 'they are'} work to do, "
            f"{_move(len(self.unread))} to import {_them(len(self.unread))}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form `import --format json` gives each post-mortem."""
        return {
            "sources": list(self.sources),
            "items": self.items,
            "suggestions": self.suggestions,
            "has_action_section": self.has_action_section,
            "unread": [u.to_dict() for u in self.unread],
            "warning": self.warning(),
        }

    def _no_section(self) -> str:
        """Say what a document without an action section gave, and what looks like work."""
        said = [NO_SECTION]
        if self.items:
            said.append(
                f"took {_plural(self.items, 'labelled item')} from {_quoted_list(self.sources)}"
            )
        if self.suggestions:
            said.append(f"kept {_plural(self.suggestions, 'commitment')} in prose as suggestions")
        if self.unread:
            said.append(
                f"{_counted(self.unread)} {'looks' if len(self.unread) == 1 else 'look'} "
                f"like work to do ({_places(self.unread)}): {_move(len(self.unread))} to import "
                f"{_them(len(self.unread))}"
            )
        elif self.items or self.suggestions:
            pass
        elif self.lists_under:
            said.append(
                f"no list reads as work to do (lists only under {_quoted_list(self.lists_under)})"
            )
        else:
            said.append("no list, checklist or table in the document")
        if not (self.items or self.suggestions or self.unread):
            said.append(f"to import action items, {_move(2)}")
        return "; ".join(said)


def _them(count: int) -> str:
    """Return the pronoun for count lists."""
    return "it" if count == 1 else "them"


def _move(count: int) -> str:
    """Return the advice to move count lists under an action heading."""
    return f'put {_them(count)} under an action heading such as "## Action items"'


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _quoted_list(names: Sequence[str]) -> str:
    shown = [f'"{name}"' if name else "the top of the document" for name in names[:SHOWN]]
    more = len(names) - SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _counted(unread: Sequence[Unread]) -> str:
    kinds = {u.kind for u in unread}
    noun = next(iter(kinds)) if len(kinds) == 1 else "list"
    return f"{len(unread)} {noun}{'s' if len(unread) != 1 else ''}"


def _places(unread: Sequence[Unread]) -> str:
    shown = []
    for u in unread[:SHOWN]:
        under = f' under "{u.heading}"' if u.heading else ""
        shown.append(f"line {u.line}{under}")
    more = len(unread) - SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def diagnose(pm: PostMortem) -> Diagnosis:
    """Diagnose a document the reader has just read."""
    return diagnose_text(
        pm.source,
        [(item.line, item.suggested, item.title) for item in pm.items],
        has_action_section=pm.has_action_section,
    )


def warnings_with(pm: PostMortem, found: Diagnosis) -> tuple[str, ...]:
    """Return the document's warnings, the diagnosis's in place of 'no action section'."""
    said = found.warning()
    kept = tuple(w for w in pm.warnings if not w.startswith(NO_SECTION))
    return kept if said is None else (said, *kept)


# -- the diagnosis ------------------------------------------------------------------------


def diagnose_text(
    text: str,
    items: Iterable[tuple[int, bool, str]],
    *,
    has_action_section: bool | None = None,
) -> Diagnosis:
    """Diagnose a document from its text and its items' (line, suggested, title).

    has_action_section None (a stored document: the store keeps no such flag) is inferred:
    an explicit item, or a heading that announces action items.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    secs, masked, labels = outline(text)
    starts = [sec.line for sec in secs]
    taken: list[int] = []
    titles: list[str] = []
    explicit = suggested = 0
    chosen: dict[int, tuple[int, int]] = {}  # section index -> offsets read
    sources_of: dict[int, int] = {}
    for line, is_suggestion, title in items:
        taken.append(line)
        if is_suggestion:
            suggested += 1
            continue
        explicit += 1
        titles.append(title)
        i = max(0, bisect_right(starts, line) - 1)
        source = sources_of.get(i)
        if source is None:
            source = sources_of[i] = _source(secs, i)
        if source not in chosen:
            sec = secs[source]
            opens = sec.role in (sections.Role.ACTION, sections.Role.WEAK)
            chosen[source] = (sec.start, _subtree_end(secs, source) if opens else sec.end)
    taken.sort()
    action_heads = [i for i, sec in enumerate(secs) if sec.role is sections.Role.ACTION]
    ranges = sorted(chosen.values())
    unread: list[Unread] = []
    normalised = False
    lessons = _Marks(text, _MARKS)
    bars = _Marks(text, ("|",))
    for sec in secs:
        if sec.level and sec.body >= sec.end:
            continue
        if ranges and any(a <= sec.start and sec.end <= b for a, b in ranges):
            continue
        if sec.reach is Reach.HISTORY and not (
            _holds_item(labels, sec.body - 1, sec.end) or bars.within(sec.body, sec.end)
        ):
            continue  # history holds no work, unless under an action label or in a table
        if sec.reach is Reach.LESSONS and not lessons.within(sec.body, sec.end):
            continue  # a lesson is work only with a box, an owner, a date or a label
        for block in blocks(text, sec, masked):
            if _holds_item(taken, block.first, block.last):
                continue
            if titles and type(titles[0]) is str and not normalised:
                titles = [normal(t) for t in titles]
                normalised = True
            kind = judge(block, titles)
            if kind is not None:
                unread.append(Unread(block.first, block.heading, kind, block.last))
    if has_action_section is None:
        has_action_section = bool(explicit or action_heads)
    sources = tuple(secs[i].title for i in sorted(chosen, key=lambda k: secs[k].start))
    if not sources and has_action_section:
        sources = tuple(secs[i].title for i in action_heads)
    lists_under: tuple[str, ...] = ()
    if not explicit and not suggested and not has_action_section and not unread:
        lists_under = _listed(text, secs)
    return Diagnosis(
        sources=sources,
        items=explicit,
        suggestions=suggested,
        unread=tuple(unread),
        has_action_section=has_action_section,
        lists_under=lists_under,
    )


# What a lesson needs to be work: a checkbox, an owner, a table, a label's (or a due date's)
# colon. One character each: str.find of one character is a memchr, of several far slower.
_MARKS = ("[", "@", "|", ":")


class _Marks:
    """Tell whether a slice holds one of some marks, sections taken in the document's order.

    Each mark's next place is kept: a mark absent from the document costs one str.find in
    all, not one per section.
    """

    __slots__ = ("_marks", "_next", "_text")

    def __init__(self, text: str, marks: tuple[str, ...]) -> None:
        self._text = text
        self._marks = marks
        self._next = dict.fromkeys(marks, -2)

    def within(self, start: int, end: int) -> bool:
        """Tell whether text[start:end] holds a mark; start never goes back."""
        found = False
        for mark in self._marks:
            at = self._next[mark]
            if at == -1:
                continue
            if at < start:
                at = self._next[mark] = self._text.find(mark, start)
            if 0 <= at < end:
                found = True
                break
        return found


def _source(secs: list[Section], i: int) -> int:
    """Return the section an item at section i was read from: its outermost action heading."""
    found = -1
    at = i
    while at > 0:
        if secs[at].role in (sections.Role.ACTION, sections.Role.WEAK):
            found = at
        at = secs[at].parent
    return found if found >= 0 else i


def _subtree_end(secs: list[Section], i: int) -> int:
    level = secs[i].level
    for sec in secs[i + 1 :]:
        if sec.level <= level:
            return sec.start
    return secs[-1].end


def _holds_item(taken: list[int], first: int, last: int) -> bool:
    at = bisect_right(taken, last) - 1
    return at >= 0 and taken[at] >= first


_ANY_LIST = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,3}[.)])[ \t]\S|^[ \t]{0,3}\|", re.MULTILINE)


def _listed(text: str, secs: list[Section]) -> tuple[str, ...]:
    """Return the headings whose sections hold a list or a table (rare: no item at all)."""
    out: list[str] = []
    for sec in secs:
        if _ANY_LIST.search(text, sec.body, sec.end) and sec.title not in out:
            out.append(sec.title)
    return tuple(out)
