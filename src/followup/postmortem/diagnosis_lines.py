"""The diagnosis's second pass: a section's lists, tables and labelled lines, read as work or not.

Work is told by a checkbox, an owner, a due date, a tracked order or, where the section
allows it, entries that are orders; a template's own notes and work already done are not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from followup.postmortem import sections, tables
from followup.postmortem.diagnosis_outline import LESSONS, Reach, Section, entry_marker, plain, told
from followup.postmortem.wording import (
    about_document,
    first_word,
    is_verb,
    placeholder,
    reports_done,
)


@dataclass(slots=True)
class Block:
    """A list, table or labelled line of a section, with the heading it sits under."""

    kind: str  # "list", "table", "labelled"
    first: int  # line number
    last: int
    heading: str
    reach: Reach
    entries: list[str]


_BOX = re.compile(r"\[[ xX]\]\s")
_LABELLED = re.compile(
    r"(?:\*\*|__)?(?:action(?:\s+(?:items?|points?))?|ai|todo|to-do|follow[\s-]?ups?|next\s+steps?)"
    r"(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_NOTHING = re.compile(r"^(?:none|n/?a|tbd|nothing|-|—)\W*$", re.IGNORECASE)
_PSEUDO = re.compile(r"^(?:\*\*|__)([^*_\n]{1,64}?):?(?:\*\*|__):?\s*$|^([^\n:|]{1,62}):\s*$")


def blocks(text: str, sec: Section, masked: list[tuple[int, int]]) -> list[Block]:
    """Read a section's own lines into its lists, tables and labelled lines."""
    body = text[sec.body : sec.end]
    out: list[Block] = []
    block: Block | None = None
    blank = False
    reach, heading = sec.reach, sec.title
    lineno = sec.line + text.count("\n", sec.start, sec.body) - 1
    fence: str | None = None
    comment = False
    label: tuple[str, Reach] | None = None  # the bold label a list entry is, and its reach
    sub: Block | None = None  # the list nested under that label
    label_line = 0
    guided = False
    check_mask = bool(masked) and _overlaps(masked, sec.body, sec.end)
    for raw in body.split("\n"):
        lineno += 1
        s = raw.strip()
        if fence is not None:
            if s.startswith(fence):
                fence = None
            continue
        if comment:
            if "-->" in s:
                comment = False
            continue
        if not s:
            blank = True
            continue
        if check_mask:
            if s.startswith(("```", "~~~")):
                fence = s[:3]
                block = sub = label = None
                continue
            if s.startswith("<!--"):
                comment = "-->" not in s[4:]
                continue
        indent = len(raw) - len(raw.lstrip())
        mark = entry_marker(s) if indent < 8 else 0
        if mark and not _rule(s):
            entry = s[mark:].strip()
            nested = indent >= 2 and block is not None and block.kind == "list"
            if nested and label is not None:
                # Under "- **Review actions**:" the nested entries are a list of their own.
                if sub is None:
                    sub = Block("list", label_line, lineno, label[0], label[1], [entry])
                    out.append(sub)
                else:
                    sub.entries.append(entry)
                    sub.last = lineno
            elif nested and block is not None:
                block.entries[-1] += " " + entry  # a nested entry says more of its parent
            else:
                label, sub, label_line = _entry_label(entry, sec), None, lineno
                if block is not None and block.kind == "list":
                    if label is None:
                        block.entries.append(entry)
                else:
                    block = Block("list", lineno, lineno, heading, reach, [])
                    if label is None:
                        block.entries.append(entry)
                    out.append(block)
            if block is not None:
                block.last = lineno
        elif s[0] == "|":
            if block is not None and block.kind == "table" and not blank:
                block.entries.append(s)
                block.last = lineno
            else:
                block = Block("table", lineno, lineno, heading, reach, [s])
                sub = label = None
                out.append(block)
        elif block is not None and block.kind == "list" and (indent >= 2 or not blank):
            last = sub if sub is not None and indent >= 2 else block
            if last.entries:
                last.entries[-1] += " " + s  # a continuation line
            last.last = block.last = lineno
        else:
            block = sub = label = None
            if reach is not Reach.HISTORY and (m := _LABELLED.match(s)) is not None:
                rest = m["rest"].strip()
                if rest and not _NOTHING.match(rest):
                    out.append(Block("labelled", lineno, lineno, heading, reach, [rest]))
                    blank = False
                    continue
            if _GUIDE.match(s):
                guided = True  # a how-to for readers follows, not the team's work
                reach = Reach.HISTORY
            pseudo = _PSEUDO.match(s)
            if pseudo is not None:
                # "**Timeline**" alone on its line heads a little section of its own.
                name = plain(pseudo[1] or pseudo[2] or "")
                reach = Reach.HISTORY if guided else _label_reach(name, sec)
                heading = name or heading
            elif len(s) <= _BARE and sections.only_action(s):
                # "Action Items" alone on its line, no '#', bold or colon: a label all the same.
                reach, heading = (Reach.HISTORY if guided else Reach.INTENT), plain(s)
        blank = False
    return out


_BARE = 40  # characters: a bare label is a short line
# "- **Review actions**:" heads the entries nested under it; "1. **Remove PII**" (no colon)
# is an entry itself, its nested lines saying more of it.
_ENTRY_LABEL = re.compile(r"^(?:\*\*|__)([^*_\n]{1,64}?)(?::(?:\*\*|__)|(?:\*\*|__):)$")


def _entry_label(entry: str, sec: Section) -> tuple[str, Reach] | None:
    """Return a list entry's bold label and its reach when that is all it says."""
    if not entry.startswith(("**", "__")):
        return None
    m = _ENTRY_LABEL.match(entry)
    if m is None:
        return None
    name = plain(m[1])
    return name, _label_reach(name, sec)


def _overlaps(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and b > start for a, b in ranges)


def _rule(s: str) -> bool:
    """Tell whether a line is a thematic break ('* * *', '---') rather than a list entry."""
    return len(s) >= 3 and s[0] in "-*_" and not s.replace(s[0], "").replace(" ", "")


# A how-to for readers: "Instructions for how to disable X", "Operators should now:".
_GUIDE = re.compile(
    r"(?:(?:instructions|a\s+guide)\s+(?:(?:for|on)\s+)?(?:how\s+)?to|how\s+to)\s+[a-z]",
    re.IGNORECASE,
)
_READERS = re.compile(
    r"\b(?:you|your|users?|operators?|customers?|readers?|clients?)\s+(?:should|must|can|need)",
    re.IGNORECASE,
)


def _label_reach(label: str, sec: Section) -> Reach:
    if not label:
        return sec.reach
    if _READERS.search(label) or _GUIDE.match(label):
        return Reach.HISTORY
    role = sections.role(label)
    if sections.tells_the_past(label) or role is sections.Role.OTHER:
        return Reach.LESSONS if LESSONS.match(sections.normalise(label)) else Reach.HISTORY
    if role is sections.Role.WEAK:
        return Reach.INTENT
    if role is sections.Role.ACTION:
        return Reach.INTENT  # "**Action items:**" over a list the reader left: surely work
    return Reach.HISTORY if told(sections.normalise(label)) else sec.reach


# -- telling work from the rest -----------------------------------------------------------

_OWNER = re.compile(
    r"(?<![\w.@/])@[A-Za-z0-9][\w-]*(?![\w.-]*\.\w)|\b(?:owners?|assignees?|assigned\s+to|dri)\s*:",
    re.IGNORECASE,
)
_DUE = re.compile(
    r"\b(?:due(?!\s+to\b)|eta|deadline)\b\s*[:(\d]|\bdue\s+(?:date|by|on|in|end)\b"
    r"|\bby\s+(?:\d{4}-\d{2}-\d{2}|end\s+of\s+(?:the\s+)?(?:week|month|quarter|year|q[1-4])"
    r"|q[1-4]\b|next\s+(?:week|sprint|month|quarter))",
    re.IGNORECASE,
)
_TRACKER = re.compile(r"/(?:issues|pull)/\d|(?<![\w&/])#\d{2,}\b|\b[A-Z][A-Z0-9]{1,9}-\d{1,6}\b")
_FIRST_MARKUP = re.compile(r"^(?:\[[ xX]\]\s*|\*\*|__|`|\[)+")


_FIELD = re.compile(r"^(?:\*\*|__)[^*_\n]{1,64}?(?::(?:\*\*|__)|(?:\*\*|__)\s*:)")


def _entry_signals(entry: str) -> tuple[bool, bool, bool]:
    """Return (box, strong, work): a checkbox; an owner, date or tracked order; an order."""
    box = _BOX.match(entry) is not None
    field = _FIELD.match(entry)
    # "**Time to repair**: 11m" is a field: only what follows its label may be an order.
    text = entry[field.end() :] if field else _FIRST_MARKUP.sub("", entry)
    order = is_verb(first_word(text[:40]))
    owner = "@" in entry or ":" in entry
    strong = box or (owner and _OWNER.search(entry) is not None) or _DUE.search(entry) is not None
    if not strong and order:
        strong = _TRACKER.search(entry) is not None
    return box, strong, order or strong


def normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _restated(entry: str, titles: Sequence[str]) -> bool:
    """Tell whether an entry says an item already taken (a summary of the action list)."""
    head = normal(_FIRST_MARKUP.sub("", entry))[:40]
    return len(head) >= 12 and any(head in title or title[:40] in head for title in titles)


def _not_work(entry: str) -> bool:
    """Tell whether an entry is a template's note or work done: 'Sections above are filled'."""
    text = _FIRST_MARKUP.sub("", entry).strip()
    return about_document(text) or placeholder(text) or reports_done(text)


def judge(block: Block, titles: Sequence[str]) -> str | None:
    """Return the kind of work a block looks like ('checklist'...), or None if it does not."""
    if block.kind == "labelled":
        return "labelled line"
    if block.reach is Reach.HISTORY and block.kind != "table":
        return None
    if block.kind == "table":
        if len(block.entries) < 3:
            return None
        head = [cell.strip() for cell in block.entries[0].strip("|").split("|")]
        found = tables.roles(head)
        if tables.is_action_table(head) or (
            "title" in found and ("owner" in found or "due" in found)
        ):
            rows = block.entries[2:]
            if titles and all(_restated(row.strip("| "), titles) for row in rows):
                return None
            return "table"
        return None
    entries = [
        e for e in block.entries if not (titles and _restated(e, titles)) and not _not_work(e)
    ]
    if not entries:
        return None
    boxes = strong = work = 0
    for entry in entries:
        box, firm, order = _entry_signals(entry)
        boxes += box
        strong += firm
        work += order
    n = len(entries)
    if block.reach is Reach.INTENT:
        return "checklist" if boxes else "list"
    if boxes and boxes * 2 >= n:
        return "checklist"
    if strong and strong * 2 >= n:
        return "list"
    if block.reach is Reach.OPEN and work >= 2 and work * 2 > n:
        return "list"
    return None
