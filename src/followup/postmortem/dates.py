"""Find due dates and due windows in a short piece of text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_END_OF = r"(?:end\s+of\s+)?"

# One date expression. Order matters: the longest forms come first.
_DATE = re.compile(
    rf"""
    (?P<iso>\b\d{{4}}[-/]\d{{1,2}}[-/]\d{{1,2}}\b)
    |(?P<mdy>\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)
    |(?P<dmy>\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}\b)
    |(?P<quarter>\b{_END_OF}(?:Q(?P<q1>[1-4])\s*(?:FY\s*)?'?(?P<qy1>\d{{4}}|\d{{2}})
        |(?P<qy2>\d{{4}})\s*-?\s*Q(?P<q2>[1-4]))\b)
    |(?P<half>\b{_END_OF}H(?P<h>[12])\s*(?P<hy>\d{{4}})\b)
    |(?P<month>\b(?P<when>(?:end|middle|start|beginning)\s+of\s+|mid[\s-]|early\s+|late\s+)?
        (?P<mname>{_MONTH})\.?,?\s+(?P<my>\d{{4}})\b)
    |(?P<year>\bend\s+of\s+(?:the\s+year\s+)?(?P<yy>\d{{4}})\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|through|until|till)\s*", re.IGNORECASE)
# Words that make a date in free text a deadline rather than a past event.
_CUE = re.compile(
    r"(?:\bdue(?:\s+(?:by|on|date|in))?|\bdeadline|\beta|\btarget(?:\s+date)?|\bby|\bbefore"
    r"|\bno\s+later\s+than|\bin|\bduring|\bwithin)\s*:?\s*$",
    re.IGNORECASE,
)
# Every form carries a year (or a quarter's short year): most item text has none, and this
# check is ten times cheaper than the full pattern.
_YEARISH = re.compile(r"(?:19|20)\d\d|Q[1-4]\s*'?\d\d", re.IGNORECASE)
_BRACKETED = re.compile(r"[(\[]\s*$")
_DEFAULT = datetime(2000, 1, 1)  # only its day and month are ever used


@dataclass(frozen=True, slots=True)
class Due:
    """A due date as written and, when it could be read, the date it means."""

    text: str
    date: date | None


def _to_date(m: re.Match[str]) -> date | None:
    kind = m.lastgroup
    try:
        if kind == "iso":
            # The common case, and fifty times cheaper than dateutil's general parser.
            year, month, day = re.split(r"[-/]", m.group(0))
            return date(int(year), int(month), int(day))
        if kind == "quarter":
            q = int(m["q1"] or m["q2"])
            year = m["qy1"] or m["qy2"]
            y = int(year) + (2000 if len(year) == 2 else 0)
            return date(y, 3 * q, 1) + relativedelta(day=31)
        if kind == "half":
            return date(int(m["hy"]), 6 if m["h"] == "1" else 12, 30 if m["h"] == "1" else 31)
        if kind == "year":
            return date(int(m["yy"]), 12, 31)
        if kind == "month":
            first = date_parser.parse(f"{m['mname']} {m['my']}", default=_DEFAULT).date()
            when = (m["when"] or "").lower()
            if "mid" in when or "middle" in when:
                return first + relativedelta(day=15)
            if "start" in when or "beginning" in when:
                return first
            if "early" in when:
                return first + relativedelta(day=10)
            return first + relativedelta(day=31)
        text = m.group(0)
        if kind == "dmy":
            text = re.sub(r"\s+of\s+", " ", text, flags=re.IGNORECASE)
        return date_parser.parse(text, default=_DEFAULT).date()
    except (ValueError, OverflowError):
        return None


def _expressions(text: str) -> list[tuple[int, int, date | None]]:
    """Return each date expression, joining 'A - B' windows into one ending at B."""
    out: list[tuple[int, int, date | None]] = []
    if _YEARISH.search(text) is None:
        return out
    for m in _DATE.finditer(text):
        value = _to_date(m)
        if out and _RANGE_GAP.fullmatch(text, out[-1][1], m.start()):
            out[-1] = (out[-1][0], m.end(), value)
            continue
        out.append((m.start(), m.end(), value))
    return out


def trailing(text: str) -> int | None:
    """Return where a date expression that ends the text begins, or None."""
    found = _expressions(text)
    if found and found[-1][1] == len(text):
        return found[-1][0]
    return None


def remove(text: str) -> str:
    """Blank out every date expression in the text."""
    return _DATE.sub(" ", text) if _YEARISH.search(text) else text


def due_from_value(value: str) -> Due | None:
    """Read the value of a Due column or `Due:` detail; keep it even when unreadable."""
    value = value.strip()
    if not value or value.lower() in {"-", "n/a", "na", "none", "tbd", "?"}:
        return None
    found = _expressions(value)
    return Due(value, found[0][2] if found else None)


def due_from_heading(text: str) -> Due | None:
    """Read a due window from a subheading such as 'Long-term (Q4 2025 - Q1 2026)'."""
    found = _expressions(text)
    if not found:
        return None
    start, end, value = found[0]
    return Due(text[start:end], value)


def due_in_text(text: str) -> Due | None:
    """Find a deadline in an item's free text: a date after 'by', 'due', 'before'... or in ()."""
    for start, end, value in _expressions(text):
        before = text[max(0, start - 24) : start]
        written = text[start:end]
        if (
            _CUE.search(before)
            or _BRACKETED.search(before)
            or written[:1].lower() in "qhe"  # quarters, halves, 'end of ...' are always plans
        ):
            return Due(written, value)
    return None
