"""Read owner, priority, type and status from one item's text or from a named value."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from followup.postmortem.markdown import Inline

_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:/[\w.-]+)?"
_MENTION = re.compile(rf"(?<![\w.@/`])@({_LOGIN})")
_NO_OWNER = frozenset(
    {"", "-", "–", "—", "?", "tbd", "tba", "n/a", "na", "none", "nobody", "unassigned", "unknown"}
)

# The keys a `Key: value` detail or column may carry, and the field each one fills.
KEYS: dict[str, str] = {
    "owner": "owner",
    "owners": "owner",
    "assignee": "owner",
    "assignees": "owner",
    "assigned to": "owner",
    "who": "owner",
    "dri": "owner",
    "due": "due",
    "due date": "due",
    "deadline": "due",
    "eta": "due",
    "target": "due",
    "target date": "due",
    "when": "due",
    "priority": "priority",
    "pri": "priority",
    "prio": "priority",
    "severity": "priority",
    "type": "type",
    "category": "type",
    "kind": "type",
    "status": "status",
    "state": "status",
    "done": "status",
    "issue": "ref",
    "issues": "ref",
    "bug": "ref",
    "bugs": "ref",
    "ticket": "ref",
    "tickets": "ref",
    "tracking": "ref",
    "tracked in": "ref",
    "tracking issue": "ref",
    "jira": "ref",
    "link": "ref",
    "links": "ref",
    "pr": "ref",
    "pull request": "ref",
}
_KEY_NAMES = "|".join(sorted((re.escape(k) for k in KEYS), key=len, reverse=True))
_DETAIL = re.compile(rf"^\s*({_KEY_NAMES})\s*[:=]\s*(.*?)\s*$", re.IGNORECASE | re.DOTALL)
# Where the value of an inline `Key: value` pair stops; "May 30, 2026" keeps its comma.
_VALUE_STOP = re.compile(r";|,(?!\s*\d{4})|[()\[\]|]")

_PRIORITY_WORDS: dict[str, str] = {
    "critical": "P0",
    "urgent": "P0",
    "blocker": "P0",
    "highest": "P0",
    "high": "P1",
    "medium": "P2",
    "med": "P2",
    "normal": "P2",
    "moderate": "P2",
    "low": "P3",
    "lowest": "P3",
    "minor": "P3",
}
_P_NUMBER = re.compile(r"^(?:p|pri|prio|priority|sev|s)\s*-?\s*([0-9])$", re.IGNORECASE)
_PRIORITY_TOKEN = re.compile(r"(?<![\w-])P([0-4])(?![\w-])")

# The action types of Google's template, which followup knows by name.
TYPES = frozenset({"prevent", "mitigate", "detect", "process", "repair"})
_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^prevent(?:ion|ive|ative)?\b", re.IGNORECASE), "prevent"),
    (re.compile(r"^mitigat(?:e|ion|ions|ing)\b", re.IGNORECASE), "mitigate"),
    (re.compile(r"^detect(?:ion|ive)?\b", re.IGNORECASE), "detect"),
    (re.compile(r"^process(?:es)?\b", re.IGNORECASE), "process"),
    (re.compile(r"^repair(?:s)?\b", re.IGNORECASE), "repair"),
)

_TYPE_STARTS = frozenset({"pre", "mit", "det", "pro", "rep"})

_DONE = re.compile(
    r"^(?:[✅✔☑✓]\ufe0f?|\[x\]|(?:done|complete|completed|closed|fixed|resolved|finished|shipped"
    r"|merged|yes|y|true|x)\b(?!\s*(?:soon|later)))",
    re.IGNORECASE,
)
_DONE_TOKEN = re.compile(r"(?<![\w-])DONE(?![\w-])")
_TODO_TOKEN = re.compile(r"(?<![\w-])(?:TODO|OPEN)(?![\w-])")


def detail(text: str) -> tuple[str, str] | None:
    """Split a `Key: value` detail with a known key into (field, value)."""
    colon, equals = text.find(":"), text.find("=")
    cut = min(i for i in (colon, equals, len(text)) if i >= 0)
    if cut == len(text) or " ".join(text[:cut].lower().split()) not in KEYS:
        return None  # a dictionary lookup rules out most entries before the pattern runs
    m = _DETAIL.match(text)
    if m is None:
        return None
    key = " ".join(m[1].lower().split())
    return KEYS[key], m[2]


def _key_before(text: str, colon: int) -> tuple[int, str] | None:
    """Return where a known key ending just before a colon starts, and its name."""
    end = colon
    while end > 0 and text[end - 1] in " \t*_":
        end -= 1
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    if start == end:
        return None
    if start >= 2 and text[start - 1] == " " and text[start - 2].isalpha():
        first = start - 1
        while first > 0 and text[first - 1].isalpha():
            first -= 1
        pair = text[first:end].lower()
        if pair in KEYS and (first == 0 or not text[first - 1].isalnum()):
            return first, pair
    word = text[start:end].lower()
    if word in KEYS and (start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")):
        return start, word
    return None


def keys(text: str) -> list[tuple[int, int, str]]:
    """Return (key start, value start, key) for each `Key:` with a known key in the text."""
    # Scanning colons and looking back beats one regex alternation of every key by ~10x.
    out: list[tuple[int, int, str]] = []
    colon = text.find(":")
    while colon != -1:
        found = _key_before(text, colon)
        if found is not None:
            out.append((found[0], colon + 1, found[1]))
        colon = text.find(":", colon + 1)
    return out


def inline_pairs(text: str) -> list[tuple[str, str]]:
    """Return the (field, value) pairs written as `Key: value` inside an item's text."""
    if ":" not in text:
        return []
    found = keys(text)
    pairs: list[tuple[str, str]] = []
    for i, (_, value_start, key) in enumerate(found):
        limit = found[i + 1][0] if i + 1 < len(found) else len(text)
        stop = _VALUE_STOP.search(text, value_start, limit)
        value = text[value_start : stop.start() if stop else limit].strip()
        if value:
            pairs.append((KEYS[key], value))
    return pairs


@lru_cache(maxsize=1024)  # column values repeat: owners, P1, prevent...
def owner_from_value(value: str) -> str | None:
    """Normalise an owner as written: a login without @, or a plain name; None for TBD."""
    value = value.strip().strip("*_`").strip()
    m = _MENTION.search(value)
    if m is not None:
        return m[1]
    if value.lower() in _NO_OWNER:
        return None
    value = re.split(r"\s*[,;/(]|\s+(?:and|&)\s+", value, maxsplit=1)[0].strip(" .:")
    return None if value.lower() in _NO_OWNER else value


# "@emergency role", "the @oncall channel": a handle naming a group or a place, no person.
_NOT_A_PERSON = re.compile(
    r"\s+(?:role|channel|group|alias|handle|mention|tag|bot|webhook|list|rota|rotation)\b",
    re.IGNORECASE,
)


def owner_in_text(inline: Inline) -> str | None:
    """Return the first @login mentioned outside code spans, not a role's or channel's."""
    text = inline.text
    if "@" not in text:
        return None
    for m in _MENTION.finditer(text):
        if any(s <= m.start() < e for s, e in inline.code):
            continue
        if _NOT_A_PERSON.match(text, m.end()):
            continue
        return m[1]
    return None


@lru_cache(maxsize=1024)  # column values repeat: owners, P1, prevent...
def priority_from_value(value: str) -> str | None:
    """Normalise a priority to P0-P3: P0..P4, critical/urgent, high, medium, low."""
    word = value.strip().strip("*_`[]()").strip().lower()
    if not word:
        return None
    if word.endswith("priority"):
        word = word[: -len("priority")].rstrip()
    m = _P_NUMBER.match(word)
    if m is not None:
        return f"P{min(int(m[1]), 3)}"
    return _PRIORITY_WORDS.get(word)


def priority_in_text(text: str) -> str | None:
    """Return a P0-P4 token written anywhere in the text, as P0-P3."""
    if "P" not in text:
        return None
    m = _PRIORITY_TOKEN.search(text)
    return f"P{min(int(m[1]), 3)}" if m else None


@lru_cache(maxsize=1024)  # column values repeat: owners, P1, prevent...
def type_from_value(value: str) -> str | None:
    """Normalise a type: prevent/mitigate/detect/process/repair, else the word as written."""
    value = value.strip().strip("*_`").strip()
    if not value or value.lower() in _NO_OWNER:
        return None
    if value[:3].lower() not in _TYPE_STARTS:
        return value
    for pattern, name in _TYPES:
        if pattern.match(value):
            return name
    return value


@lru_cache(maxsize=1024)  # column values repeat: owners, P1, prevent...
def done_from_value(value: str) -> bool:
    """Tell whether a Status cell or detail says the item is finished: 'Done', '✅ Done'..."""
    return _DONE.match(value.strip().strip("*_`").strip()) is not None


def done_in_cells(cells: Sequence[str]) -> bool | None:
    """Read an upper-case DONE or TODO written in any table cell."""
    for cell in cells:
        if "DONE" in cell and _DONE_TOKEN.search(cell):
            return True
    for cell in cells:
        if ("TODO" in cell or "OPEN" in cell) and _TODO_TOKEN.search(cell):
            return False
    return None
