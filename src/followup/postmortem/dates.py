"""Read dates as people write them, in post-mortems and at the prompt: one parser for both.

`resolve(text, anchor)` reads one expression and returns the date with a flag saying
whether it is approximate. Relative forms count from the anchor: the post-mortem's date
for a document, today for a command or the TUI.

- exact: ISO dates (`2026-03-31`), written dates (`March 31, 2026`, `31 Mar 2026`, `Mar 31`),
  offsets (`+7` days, `3d`, `2w`, `1m`), weekdays (`friday`, `next Fri`: the next one after
  the anchor), `today`, `tomorrow`.
- approximate (a window, read as its last day): `Q1` / `end of Q1` / `Q1 2026` / `2026-Q1`,
  `H2 2026`, `end of month`, `next month`, `end of week`, `next week`, `end of year`, months
  (`March`, `by March`, `mid-April`, `early May`, `end of June 2026`), `this sprint`,
  `next sprint`, `in two weeks`, `within 10 days`.

A month or quarter without a year is the next one that has not ended at the anchor.
Sprints are assumed to last two weeks (SPRINT_DAYS), the current one starting at the
anchor: `this sprint` ends two weeks after it, `next sprint` four.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

SPRINT_DAYS = 14

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple of": 2,
    "a couple of": 2,
    "few": 3,
    "a few": 3,
}

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_COUNT = (
    r"(?:\d{1,3}|a\s+couple\s+of|couple\s+of|a\s+few|few|an?|one|two|three|four|five|six"
    r"|seven|eight|nine|ten|eleven|twelve)"
)
_END_OF = r"(?:(?:end|close)\s+of\s+(?:the\s+)?)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"

# One date expression; the longest forms come first. Group names say how to read it.
_EXPR = re.compile(
    rf"""
    (?P<iso>\b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b)
    |(?P<mdy>\b(?P<m1>{_MONTH})\.?\s+(?P<d1>{_DAY})\b(?:,?\s+(?P<y1>\d{{4}})\b)?)
    |(?P<dmy>\b(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{_MONTH})\b\.?(?:,?\s+(?P<y2>\d{{4}})\b)?)
    |(?P<quarter>\b{_END_OF}?(?:Q(?P<q1>[1-4])(?:\s*(?:FY\s*)?'?(?P<qy1>\d{{4}}|\d{{2}})\b)?
        |(?P<qy2>\d{{4}})\s*-?\s*Q(?P<q2>[1-4]))\b)
    |(?P<half>\b{_END_OF}?H(?P<h>[12])\s*(?P<hy>\d{{4}})\b)
    |(?P<month>\b(?P<when>{_END_OF}|(?:the\s+)?(?:middle|start|beginning)\s+of\s+|mid[\s-]
        |early\s+|late\s+)?(?P<mname>{_MONTH})\b\.?(?:,?\s+(?P<my>\d{{4}})\b)?)
    |(?P<year>\b{_END_OF}(?:(?:calendar\s+)?year\s+)?(?P<yy>\d{{4}})\b
        |\b{_END_OF}(?:this\s+)?(?:calendar\s+|the\s+)?year\b|\beoy\b|\bthis\s+year\b)
    |(?P<period>\b(?P<pwhen>{_END_OF}|this\s+|next\s+|the\s+current\s+|current\s+)
        (?P<unit>week|month|quarter|sprint|year)\b|\b(?P<eo>eo[wmq])\b)
    |(?P<within>\b(?:in|within)\s+(?:the\s+next\s+)?(?P<count>{_COUNT})\s+
        (?P<span>days?|weeks?|months?)\b)
    |(?P<weekday>\b(?P<wnext>next\s+|this\s+|this\s+coming\s+|coming\s+)?(?P<wd>{_WEEKDAY})\b\.?)
    |(?P<day>\b(?:today|tomorrow|tonight|eod)\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Only the prompt's shorthand: +7, 7d, 2w, 1m (days when no unit).
_OFFSET = re.compile(
    r"^\+\s*(?P<n>\d{1,4})\s*(?P<unit>d|days?|w|wks?|weeks?|m|mos?|months?)?$"
    r"|^(?P<n2>\d{1,4})\s*(?P<unit2>d|days?|w|wks?|weeks?|m|mos?|months?)$",
    re.IGNORECASE,
)
_CUE_WORDS = (
    r"due(?:\s+(?:by|on|date|in))?|deadline|eta|target(?:\s+date)?|by|before"
    r"|no\s+later\s+than|in|during|within|for"
)
# Cue words before a date given alone; "in"/"within" stay when they start "in two weeks".
_LEAD = re.compile(
    rf"^\s*(?:(?:(?!(?:in|within)\s+(?:the\s+next\s+)?{_COUNT}\s+(?:day|week|month))"
    rf"(?:{_CUE_WORDS}|until|till|on|starting|the))\b\s*:?\s*)+",
    re.IGNORECASE,
)
# Words that make a date in free text a deadline rather than a past event; "until" starts
# a period, "on" tells when something happened.
_CUE = re.compile(rf"(?:\b(?:{_CUE_WORDS})(?:\s+the)?)\s*:?\s*$", re.IGNORECASE)
_BRACKETED = re.compile(r"(?:[(\[]|,\s|;\s)\s*$")
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|through|until|till)\s*", re.IGNORECASE)
# Words a date expression can start with. Python's re tries every alternative of a long
# pattern at every position; matching only where a token can start one is ten times faster.
_TOKEN = re.compile(r"[A-Za-z]+[0-9]*|[0-9]+")
# Words that start a date on their own, and words that do only before certain others.
_STARTS = frozenset(
    {
        *("jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun"),
        *("june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct"),
        *("october", "nov", "november", "dec", "december"),
        *("mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur"),
        *("thurs", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday"),
        *("q1", "q2", "q3", "q4", "h1", "h2", "eow", "eom", "eoq", "eoy", "today"),
        *("tomorrow", "tonight", "eod"),
    }
)
_UNITS = frozenset({"week", "month", "quarter", "sprint", "year"})
_COUNTS = frozenset(
    {"a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
    | {"eleven", "twelve", "couple", "few", "the"}
)
_SOFT_STARTS: dict[str, frozenset[str]] = {
    "end": frozenset({"of"}),
    "close": frozenset({"of"}),
    "start": frozenset({"of"}),
    "beginning": frozenset({"of"}),
    "middle": frozenset({"of"}),
    "the": frozenset({"end", "close", "start", "beginning", "middle", "current"}),
    "this": _UNITS | {"year", "coming"},
    "next": _UNITS,
    "current": _UNITS,
    "coming": frozenset(),
    "in": _COUNTS,
    "within": _COUNTS,
    "mid": frozenset(),
    "early": frozenset(),
    "late": frozenset(),
}
_SOFT = frozenset(_SOFT_STARTS)
_DIGIT = re.compile(r"[0-9]")
_ISO_ONLY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Forms strong enough to be a date wherever they appear; the others need a cue ("by Friday").
_STRONG = frozenset({"iso", "half", "year", "within"})


@dataclass(slots=True)
class Due:
    """A due date as written, the date it means when it could be read, and how exact it is."""

    text: str
    date: date | None
    approximate: bool = False


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    date: date | None
    approximate: bool
    strong: bool


def _year(value: str) -> int:
    year = int(value)
    return year + 2000 if year < 100 else year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _next_month_end(anchor: date | None, month: int, year: str | None) -> date | None:
    """Return the end of the month named, the next one not over at the anchor without a year."""
    if year:
        return _month_end(_year(year), month)
    if anchor is None:
        return None
    end = _month_end(anchor.year, month)
    return end if end >= anchor else _month_end(anchor.year + 1, month)


def _quarter_end(q: int, year: str | None, anchor: date | None) -> date | None:
    if year:
        return _month_end(_year(year), 3 * q)
    if anchor is None:
        return None
    end = _month_end(anchor.year, 3 * q)
    return end if end >= anchor else _month_end(anchor.year + 1, 3 * q)


def _day_in_month(anchor: date | None, month: int, day: int, year: str | None) -> date | None:
    if year:
        return date(_year(year), month, day)
    if anchor is None:
        return None
    when = date(anchor.year, month, day)
    return when if when >= anchor else date(anchor.year + 1, month, day)


def _count(value: str) -> int:
    value = " ".join(value.lower().split())
    return int(value) if value.isdigit() else _NUMBERS[value]


def _after(anchor: date, count: int, unit: str) -> date:
    unit = unit.lower()
    if unit.startswith("w"):
        return anchor + timedelta(weeks=count)
    if unit.startswith("m"):
        return anchor + relativedelta(months=count)
    return anchor + timedelta(days=count)


def _period(m: re.Match[str], anchor: date | None) -> date | None:
    if anchor is None:
        return None
    eo = (m["eo"] or "").lower()
    unit = {"eow": "week", "eom": "month", "eoq": "quarter"}.get(eo) or m["unit"].lower()
    ahead = 1 if (m["pwhen"] or "").lower().startswith("next") else 0
    if unit == "week":
        friday = anchor + timedelta(days=(4 - anchor.weekday()) % 7)
        return friday + timedelta(weeks=ahead)
    if unit == "month":
        first = anchor.replace(day=1) + relativedelta(months=ahead)
        return _month_end(first.year, first.month)
    if unit == "quarter":
        q = (anchor.month - 1) // 3 + 1 + ahead
        year = anchor.year + (q - 1) // 4
        return _month_end(year, 3 * ((q - 1) % 4 + 1))
    if unit == "sprint":
        return anchor + timedelta(days=SPRINT_DAYS * (1 + ahead))
    return date(anchor.year + ahead, 12, 31)


def _read(m: re.Match[str], anchor: date | None) -> tuple[date | None, bool]:
    """Return the date a matched expression means and whether it is approximate."""
    kind = m.lastgroup
    if kind == "iso":
        year, month, day = re.split(r"[-/.]", m.group(0))
        return date(int(year), int(month), int(day)), False
    if kind in ("mdy", "dmy"):
        month = _month_number(m["m1"] or m["m2"])
        day = int(re.sub(r"\D", "", m["d1"] or m["d2"]))
        return _day_in_month(anchor, month, day, m["y1"] or m["y2"]), False
    if kind == "quarter":
        q = int(m["q1"] or m["q2"])
        return _quarter_end(q, m["qy1"] or m["qy2"], anchor), True
    if kind == "half":
        return _month_end(int(m["hy"]), 6 if m["h"] == "1" else 12), True
    if kind == "month":
        end = _next_month_end(anchor, _month_number(m["mname"]), m["my"])
        if end is None:
            return None, True
        when = (m["when"] or "").lower()
        if "mid" in when or "middle" in when:
            return end.replace(day=15), True
        if "start" in when or "beginning" in when:
            return end.replace(day=1), True
        if "early" in when:
            return end.replace(day=10), True
        if "late" in when:
            return end.replace(day=25), True
        return end, True
    if kind == "year":
        if m["yy"]:
            return date(int(m["yy"]), 12, 31), True
        return (date(anchor.year, 12, 31), True) if anchor else (None, True)
    if kind == "period":
        return _period(m, anchor), True
    if kind == "within":
        if anchor is None:
            return None, True
        return _after(anchor, _count(m["count"]), m["span"]), True
    if anchor is None:
        return None, False
    if kind == "weekday":
        target = _WEEKDAYS[m["wd"][:3].lower()]
        return anchor + timedelta(days=(target - anchor.weekday() - 1) % 7 + 1), False
    word = m.group(0).lower()
    return anchor + timedelta(days=1 if word == "tomorrow" else 0), False


def _strong(m: re.Match[str]) -> bool:
    """Tell whether an expression is a date wherever it appears, with no cue before it."""
    kind = m.lastgroup
    if kind in _STRONG:
        return True
    if kind in ("mdy", "dmy"):
        return bool(m["y1"] or m["y2"])
    if kind == "quarter":
        return bool(m["qy1"] or m["qy2"] or m.group(0).lower().startswith(("end", "close", "the")))
    if kind == "month":
        return bool(m["my"] or m["when"])
    if kind == "period":
        return not (m["pwhen"] or "").lower().startswith(("this", "the current", "current"))
    return False


def _plausible(m: re.Match[str]) -> bool:
    """Refuse matches that are words, not dates: 'this may fail', 'sun', 'march on'."""
    kind = m.lastgroup
    if kind == "month" and not (m["my"] or m["when"]):
        word = m["mname"]
        # A lone "may" is a verb unless capitalised; other months are names either way.
        return not (word.lower() == "may" and word != "May")
    if kind == "weekday" and not m["wnext"]:
        return len(m["wd"]) > 3 or m["wd"][:1].isupper()
    return True


def _starts_one(word: str, nxt: str) -> bool:
    """Tell whether a date expression may start at a word, given the word after it."""
    if word in _STARTS or word[0].isdigit():
        return True
    follows = _SOFT_STARTS.get(word)
    if follows is None:
        return False
    if word in ("mid", "early", "late", "coming"):
        return nxt in _STARTS  # "mid-April", "coming Friday"
    if word in ("in", "within"):
        return nxt in follows or nxt[:1].isdigit()
    return nxt in follows or (word in ("this", "next") and nxt in _STARTS)


def _candidates(text: str) -> list[int]:
    """Return where a date expression may start: at digits and at the words one starts with."""
    words = _TOKEN.findall(text.lower())
    if _DIGIT.search(text) is None and _STARTS.isdisjoint(words) and _SOFT.isdisjoint(words):
        return []  # most item text names no date: no loop at all
    spans = [(m.start(), m[0].lower()) for m in _TOKEN.finditer(text)]
    out: list[int] = []
    for i, (at, word) in enumerate(spans):
        nxt = spans[i + 1][1] if i + 1 < len(spans) else ""
        if _starts_one(word, nxt):
            out.append(at)
    return out


def _matches(text: str) -> list[re.Match[str]]:
    """Return the date expressions in the text, left to right, without overlaps."""
    found: list[re.Match[str]] = []
    reach = 0
    for at in _candidates(text):
        if at < reach:
            continue
        m = _EXPR.match(text, at)
        if m is not None and m.end() > at:
            found.append(m)
            reach = m.end()
    return found


def _find(text: str, anchor: date | None) -> list[_Found]:
    """Return every date expression in the text, joining 'A - B' windows into one ending at B."""
    out: list[_Found] = []
    for m in _matches(text):
        if not _plausible(m):
            continue
        try:
            when, approximate = _read(m, anchor)
        except (ValueError, OverflowError):
            when, approximate = None, False
        strong = _strong(m)
        if out and _RANGE_GAP.fullmatch(text, out[-1].end, m.start()):
            prev = out[-1]
            out[-1] = _Found(prev.start, m.end(), when, True, prev.strong or strong)
            continue
        out.append(_Found(m.start(), m.end(), when, approximate, strong))
    return out


def resolve(text: str, anchor: date | None) -> tuple[date, bool] | None:
    """Read one date expression; return (date, approximate), or None if it is not one."""
    value = text.strip()
    if (iso := _ISO_ONLY.fullmatch(value)) is not None:  # the common case, kept cheap
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3])), False
        except ValueError:
            return None
    value = _LEAD.sub("", value.strip("*_`").strip()).strip(" .,;:()[]")
    if not value:
        return None
    m = _OFFSET.match(value)
    if m is not None:
        if anchor is None:
            return None
        return _after(anchor, int(m["n"] or m["n2"]), m["unit"] or m["unit2"] or "d"), False
    found = _find(value, anchor)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(value):
        return None
    when = found[0].date
    return (when, found[0].approximate) if when is not None else None


# Words a date expression can end with.
_ENDS = _STARTS | _UNITS | {"weeks", "days", "day", "months", "quarters", "sprints", "years"}


def trailing(text: str) -> int | None:
    """Return where a date expression that ends the text begins, or None."""
    # Every form ends with a letter or digit: look at the last word before anything else.
    i = len(text)
    while i and text[i - 1].isascii() and text[i - 1].isalnum():
        i -= 1
    word = text[i:].lower()
    if not word or not (word[0].isdigit() or word in _ENDS or word.startswith("fy")):
        return None
    found = _find(text, None)
    if found and found[-1].end == len(text):
        return found[-1].start
    return None


def remove(text: str) -> str:
    """Blank out every date expression in the text."""
    found = _find(text, None)
    for f in reversed(found):
        text = text[: f.start] + " " + text[f.end :]
    return text


def due_from_value(value: str, anchor: date | None = None) -> Due | None:
    """Read the value of a Due column or `Due:` detail; keep it even when unreadable."""
    value = value.strip()
    if not value or value.lower() in {"-", "–", "—", "n/a", "na", "none", "tbd", "tba", "?"}:
        return None
    resolved = resolve(value, anchor)
    if resolved is not None:
        return Due(value, resolved[0], resolved[1])
    found = _find(value, anchor)
    if not found:
        return Due(value, None)
    return Due(value, found[0].date, found[0].approximate)


def due_from_heading(text: str, anchor: date | None = None) -> Due | None:
    """Read a due window from a subheading such as 'Long-term (Q4 2025 - Q1 2026)'."""
    found = [f for f in _find(text, anchor) if f.strong]
    if not found:
        return None
    first = found[0]
    return Due(text[first.start : first.end], first.date, first.approximate)


# A deadline set by a named event: "before the mainnet launch", "ahead of the 2.0 release".
# "before the release" or "before each release" names no one event: a habit, not a date;
# "before the next release" is left as it was read before (no due), a relative event.
_EVENT = (
    r"\b(?:before|ahead\s+of|prior\s+to|in\s+time\s+for)\s+(?:the|our)\s+{next}"
    r"(?:[\w.-]+\s+){{1,3}}(?:launch|release|rollout|roll-out|migration|cutover|cut-over"
    r"|go-live|freeze|upgrade|ga)\b"
)
_EVENT_DUE = re.compile(
    _EVENT.format(next=r"(?!(?:next|upcoming|coming|following|first|new)\b)"), re.IGNORECASE
)
# In a lead-in naming who does the list below and by when, "the next upgrade" is a deadline.
_LEAD_EVENT_DUE = re.compile(_EVENT.format(next=""), re.IGNORECASE)
# Cheap tests first; "efore" and "rior" also find "Before" and "Prior".
_EVENT_WORDS = ("efore", "head of", "rior to", "n time for")


def due_in_text(text: str, anchor: date | None = None) -> Due | None:
    """Find a deadline in an item's free text: after 'by', 'due', 'before'... or in ()."""
    for f in _find(text, anchor):
        before = text[max(0, f.start - 24) : f.start]
        written = text[f.start : f.end]
        cued = _CUE.search(before) is not None or _BRACKETED.search(before) is not None
        # Quarters, halves and 'end of ...' are plans; a bare date needs a cue to be one.
        if cued or (f.strong and f.approximate):
            return Due(written, f.date, f.approximate)
    if any(word in text for word in _EVENT_WORDS) and (m := _EVENT_DUE.search(text)) is not None:
        return Due(m[0], None, approximate=True)  # no date to read: an event of the project
    return None


def due_of_lead_in(text: str, anchor: date | None = None) -> Due | None:
    """Read the deadline a list's lead-in sets for all its entries, a next event included."""
    found = due_in_text(text, anchor)
    if found is not None or not any(word in text for word in _EVENT_WORDS):
        return found
    m = _LEAD_EVENT_DUE.search(text)
    return Due(m[0], None, approximate=True) if m is not None else None
