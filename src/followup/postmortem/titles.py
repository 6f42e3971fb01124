"""Turn one item's plain text into a title, noting the markers stripped on the way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.postmortem import dates
from followup.postmortem.fields import (
    KEYS,
    TYPES,
    keys,
    owner_from_value,
    priority_from_value,
    type_from_value,
)
from followup.postmortem.markdown import Inline
from followup.postmortem.wording import is_verb

# An issue title longer than this is cut to its bold label, first sentence or first clause;
# the full text still goes to the issue body.
LONG_TITLE = 100

_CHECKBOX = re.compile(r"\[([ xX]?)\]\s*")
_CHECK_MARK = re.compile(r"[✅✔☑✓]\ufe0f?\s*")
_OPEN_MARK = re.compile(r"[⬜☐🔲❌✖⭕]\ufe0f?\s*")
_PRIORITY_PREFIX = re.compile(
    r"(?:[\[(]\s*(?P<a>P[0-4]|HIGH|MEDIUM|MED|LOW|CRITICAL|URGENT)\s*[\])]"
    r"|(?P<b>P[0-4]|HIGH|MEDIUM|LOW|CRITICAL|URGENT)\b(?!-)"
    r"|(?P<c>(?i:critical|urgent|high|medium|low|p[0-4]))(?:\s+(?i:priority))?(?=\s*[:–—]|\s+-\s))"
    r"\s*[:\-–—]?\s*"
)
_STATUS_PREFIX = re.compile(
    r"(?:[\[(]\s*(?P<a>(?i:done|todo|completed?))\s*[\])]|(?P<b>DONE|TODO)\b|(?P<c>(?i:done|todo))(?=\s*:))"
    r"\s*:?\s*"
)
_TRAIL_PUNCT = " \t\n,;:|–—-"
_TRAIL_GROUP = re.compile(r"(?:\(([^()]*)\)|\[([^\[\]]*)\])$")
_TRAIL_URL = re.compile(r"\s*<?https?://\S+$")
_TRAIL_MENTION = re.compile(
    r"(?:^|\s)(?:[-–—,]\s*)?(?:(?i:owner|owned\s+by|cc|by|assignee)\s*:?\s*)?@[\w/-]+$"
)
# Keys too common in prose to mark the start of trailing details.
_FREE_KEYS = frozenset({"when", "link", "who", "done", "target", "kind"})
_KEY_NAMES = "|".join(sorted((re.escape(k) for k in KEYS if k not in _FREE_KEYS), key=len))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])")
_CLAUSE = re.compile(r"\s[-–—]\s")

_GENERIC_LINK = re.compile(
    r"^(?:issue|issues|bug|ticket|jira|pr|pull\s+request|link|tracking(?:\s+issue)?|here|details"
    r"|github|#\d+|[\w.-]+/[\w.-]+#\d+|[A-Z][A-Z0-9]+-\d+|https?://\S+)$",
    re.IGNORECASE,
)
_META = (
    re.compile(r"https?://\S+"),
    re.compile(r"@[\w/-]+"),
    re.compile(r"(?:[\w.-]+/[\w.-]+)?#\d+"),
    re.compile(rf"\b(?:{_KEY_NAMES})\s*:", re.IGNORECASE),
    re.compile(
        r"\b(?:P[0-4]|critical|urgent|high|medium|low|priority|done|todo|completed?|owner|due|by|"
        r"see|issue|bug|ticket|pr|eta|tbd)\b",
        re.IGNORECASE,
    ),
)
# Inline metadata people append to an item's line: "... (@dana) P1, due 2026-04-01 #12".
# Only upper-case priority words count: "keep latency low" is a title.
_TRAIL_TOKEN = re.compile(
    r"(?:^|\s)(?:(?:[\w.-]+/[\w.-]+)?#\d+|P[0-4]|HIGH|MEDIUM|LOW|CRITICAL|URGENT)$"
)
# Words that only introduced a reference that was just stripped: "..., see #8".
_REF_CUE_TAIL = re.compile(r"(?:^|\s)(?:see|cf\.?|refs?|tracked\s+(?:in|by)|per)$", re.IGNORECASE)
_DUE_CUE_TAIL = re.compile(
    r"(?:^|\s)(?:due(?:\s+(?:by|on|date))?|by|before|deadline|eta|target(?:\s+date)?)\s*:?\s*$",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s*")
# The characters each prefix pattern can start with.
_CHECK_CHARS = frozenset("✅✔☑✓")
_OPEN_CHARS = frozenset("⬜☐🔲❌✖⭕")
_STATUS_CHARS = frozenset("[(dtcDTC")
_PRIORITY_CHARS = frozenset("[(phmlcuPHMLCU")
# A horizon written before the item as a label: "Long term: ...", "Short-term - ...".
_HORIZON_PREFIX = re.compile(
    r"(?:(?:short|mid|medium|long|near)[\s-]*term|immediate(?:ly)?)\s*(?::|\s[-–—])\s*(?=\S)",
    re.IGNORECASE,
)
_HORIZON_CHARS = frozenset("smlniSMLNI")
_NUMBERED = re.compile(r"(?:\d{1,3}[.)]|[ivx]{1,4}[.)])\s+", re.IGNORECASE)
_TEMPLATE_OPEN = re.compile(r"\{\{\s*")
_TEMPLATE_CLOSE = re.compile(r"\s*\}\}$")
# "[SRE] Do X", "[Infra] ...": a team tag before the text names the owner.
_TAG = re.compile(r"\[\s*([A-Za-z][\w&/ .-]{0,30}?)\s*\]\s*[:\-–—]?\s*")
# "Jane to update ...", "@jane will add ...": an owner, then the action.
_OWNER_LEAD = re.compile(
    r"(?P<who>@[A-Za-z0-9][\w-]*|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:to|will|shall|is\s+to"
    r"|is\s+going\s+to|owns?)\s+(?P<verb>[a-z]+)\b"
)
_NOT_NAMES = frozenset(
    {
        *("we", "they", "it", "this", "that", "these", "team", "teams", "users", "need", "needs"),
        *("plan", "try", "aim", "want", "going", "how", "time", "ways", "able", "hope", "remember"),
        *("reminder", "reminders", "guidelines", "steps", "work", "effort", "efforts", "attempt"),
    }
)
# "[OPS-7 (done)](url): Make X": a link naming a tracker entry, then the item.
_ID_LINK = re.compile(
    r"^(?:[A-Z][A-Z0-9]+-\d+|#\d+|[\w.-]+/[\w.-]+#\d+)"
    r"(?:\s*[(\[]\s*(?P<status>[\w ]+?)\s*[)\]])?$"
)
_ID_SEPARATOR = re.compile(r"\s*[:\-–—]\s*")
_PLACEHOLDER_LINK = re.compile(
    r"^(?:link(?:\s+to\s+.*)?|(?:github\s+)?issue(?:\s+link)?|(?:jira|ticket|bug)(?:\s+link)?"
    r"|tbd|todo|url|here)$",
    re.IGNORECASE,
)
_SIMPLE_META = re.compile(r"\s*(?:@[\w/-]+|(?:[\w.-]+/[\w.-]+)?#\d+|P[0-4])\s*$")
_WORD = re.compile(r"\w")
_DONE_WORD = re.compile(r"^\s*(?:done|completed?|finished|fixed|resolved)\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Title:
    """A cleaned title, where it sits in the item's text, and what the stripped parts said."""

    text: str
    done: bool | None = None
    priority: str | None = None
    start: int = 0
    end: int = 0
    owner: str | None = None
    type: str | None = None


def _skip_space(text: str, i: int) -> int:
    m = _SPACE.match(text, i)
    return m.end() if m else i


def _trailing_group(body: str) -> re.Match[str] | None:
    """Match the (...) or [...] that ends the body, searching only from its opener."""
    opener = body.rfind("(" if body.endswith(")") else "[")
    return _TRAIL_GROUP.match(body, opener) if opener >= 0 else None


def _trailing_pairs(body: str) -> int | None:
    """Return where a run of `Owner: x. Due: y` details after the title's text begins."""
    for key_start, _, key in keys(body):
        before = body[:key_start].rstrip()
        if key not in _FREE_KEYS and before.endswith((".", ";", "|", "–", "—", " -")):
            return len(before)  # a "." stays; the other separators are trimmed next
    return None


def _is_meta(content: str) -> bool:
    """Tell whether a trailing (...) holds only owners, refs, priorities, dates or details."""
    if _SIMPLE_META.match(content):
        return True
    found = keys(content) if ":" in content else []
    if found and not content[: found[0][0]].strip(" ,;"):
        return True  # "(owner: Jane Doe, due: May)"
    rest = dates.remove(content)
    for pattern in _META:
        rest = pattern.sub(" ", rest)
    return _WORD.search(rest) is None and bool(content.strip())


def clean(inline: Inline) -> Title:
    """Strip markers, priorities and trailing owner/reference noise from an item's text."""
    text = inline.text
    start, end = 0, len(text)
    done: bool | None = None
    priority: str | None = None
    owner: str | None = None
    type_: str | None = None
    capital = False
    strong_at = dict(inline.strong)

    while True:
        start = _skip_space(text, start)
        if start in strong_at:
            inner = text[start : strong_at[start]].strip().rstrip(":").strip()
            value = priority_from_value(inner)
            if value is not None:
                priority = priority or value
                start = _skip_space(text, strong_at[start])
                if text.startswith((":", "-", "–", "—"), start):
                    start += 1
                continue
            if inner.upper() in {"DONE", "TODO"}:
                done = inner.upper() == "DONE"
                start = strong_at[start]
                if text.startswith(":", start):
                    start += 1
                continue
        link = (
            next((lk for lk in inline.links if lk.start == start), None) if inline.links else None
        )
        if link is not None:
            label = _ID_LINK.match(text[link.start : link.end].strip())
            sep = _ID_SEPARATOR.match(text, link.end)
            if label is not None and sep is not None and sep.end() < end:
                if label["status"]:
                    done = fields_done(label["status"])
                start = sep.end()
                continue
        # Each pattern is tried only where its first character could start it.
        first = text[start : start + 1]
        if not first:
            break
        if (first == "{" and (m := _TEMPLATE_OPEN.match(text, start))) or (
            (first.isdigit() or first in "ivxIVX") and (m := _NUMBERED.match(text, start))
        ):
            pass
        elif first == "[" and (m := _CHECKBOX.match(text, start)):
            done = m[1] in {"x", "X"}
        elif first in _CHECK_CHARS and (m := _CHECK_MARK.match(text, start)):
            done = True
        elif first in _OPEN_CHARS and (m := _OPEN_MARK.match(text, start)):
            done = False if done is None else done
        elif first in _STATUS_CHARS and (m := _STATUS_PREFIX.match(text, start)):
            done = (m["a"] or m["b"] or m["c"]).lower() != "todo"
            if (m["a"] or m["b"] or m["c"]).lower().startswith("complete"):
                done = True
        elif first in _PRIORITY_CHARS and (m := _PRIORITY_PREFIX.match(text, start)):
            priority = priority or priority_from_value(m["a"] or m["b"] or m["c"])
        elif (
            first == "["
            and (m := _TAG.match(text, start)) is not None
            and (tag := _tag(m[1])) is not None
        ):
            if tag[0] == "type":
                type_ = type_ or tag[1]
            elif tag[0] == "owner":
                owner = owner or tag[1]
            elif tag[0] == "done":
                done = tag[1] == "done"
        elif (
            (first == "@" or first.isupper())
            and (m := _OWNER_LEAD.match(text, start)) is not None
            and _owner_lead(m)
        ):
            owner = owner or owner_from_value(m["who"])
            start = m.start("verb")
            capital = True
            continue
        elif first in _HORIZON_CHARS and (m := _HORIZON_PREFIX.match(text, start)) is not None:
            capital = True  # "Long term: shard the queue": when, said before what
        else:
            break
        start = m.end()

    links = sorted(inline.links, key=lambda lk: lk.end) if inline.links else None
    stripped_meta = False
    while start < end:
        body = text[start:end]
        trimmed = body.rstrip(_TRAIL_PUNCT)
        if len(trimmed) < len(body):
            end = start + len(trimmed)
            continue
        if body.endswith("}}") and (m := _TEMPLATE_CLOSE.search(body)) is not None:
            end = start + m.start()
            continue
        if body.endswith("]") and body.count("]") > body.count("["):
            end -= 1  # a stray bracket left over from a template
            continue
        if body.endswith(".") and (
            body.endswith((").", "].")) or (links and any(lk.end == end - 1 for lk in links))
        ):
            end -= 1  # "Do X ([#9](url))." : the reference is the tail, not the period
            continue
        link = (
            next((lk for lk in reversed(links) if lk.end == end and lk.start > start), None)
            if links
            else None
        )
        if link is not None and _GENERIC_LINK.match(text[link.start : link.end].strip()):
            end = link.start
            continue
        if body.endswith((")", "]")) and (m := _trailing_group(body)) is not None:
            content = m[1] if m[1] is not None else m[2]
            if m.start() > 0 and _is_meta(content):
                if _DONE_WORD.match(content):
                    done = True
                end = start + m.start()
                continue
            if m.start() > 0 and (tag := _tag(content, trailing=True)) is not None:
                if tag[0] == "type":
                    type_ = type_ or tag[1]
                elif tag[0] == "done":
                    done = tag[1] == "done"
                end = start + m.start()
                continue
        # The trailing patterns are searched from their last anchor only: they end the body.
        at = body.rfind("http")
        if at > 0 and (m := _TRAIL_URL.search(body, max(0, at - 2))) is not None and m.start() > 0:
            end = start + m.start()
            continue
        at = body.rfind("@")
        if at > 0 and (m := _TRAIL_MENTION.search(body, max(0, at - 24))) is not None and m.start():
            end = start + m.start()
            continue
        if ":" in body and (cut := _trailing_pairs(body)) is not None:
            end = start + cut
            continue
        # Searched from the last space only: the pattern ends the body.
        last = max(body.rfind(" "), body.rfind("\t"), body.rfind("\n"))
        if last > 0 and (m := _TRAIL_TOKEN.match(body, last)) is not None:
            end = start + m.start()
            stripped_meta = True
            continue
        if stripped_meta and (m := _REF_CUE_TAIL.search(body)) is not None and m.start() > 0:
            end = start + m.start()
            continue
        if (date_at := dates.trailing(body)) is not None and date_at > 0:
            before = body[:date_at]
            if (cue := _DUE_CUE_TAIL.search(before)) is not None and cue.start() > 0:
                end = start + cue.start()
                stripped_meta = True
                continue
            # A bare date ends the title only when it is set off from the text.
            if stripped_meta or before.rstrip().endswith((",", ";", "|", "–", "—", " -")):
                end = start + date_at
                continue
        break

    title = text[start:end].strip()
    if len(title) > LONG_TITLE:
        title = _shorten(title, text[start:end], start, strong_at)
    elif (bold := _sentence_label(text, start, end, strong_at)) is not None:
        title = bold
    if capital and title:
        title = title[0].upper() + title[1:]
    return Title(title, done, priority, start, end, owner, type_)


def fields_done(value: str) -> bool | None:
    """Read a status word in a tag: done/closed/fixed is True, open/todo/wip is False."""
    word = value.strip().lower()
    if word in {"done", "closed", "fixed", "complete", "completed", "resolved", "shipped"}:
        return True
    if word in {"open", "todo", "to do", "wip", "in progress", "ongoing", "planned", "pending"}:
        return False
    return None


def _tag(content: str, *, trailing: bool = False) -> tuple[str, str] | None:
    """Read a [tag]: ('type', 'detect'), ('done', 'done'/'open') or, leading, ('owner', 'SRE')."""
    value = content.strip()
    if not value or "]" in value or "[" in value:
        return None
    status = fields_done(value)
    if status is not None:
        return "done", "done" if status else "open"
    if _PLACEHOLDER_LINK.match(value):
        return ("link", value) if trailing else None
    kind = type_from_value(value)
    if kind in TYPES:
        return "type", kind
    if trailing or priority_from_value(value) is not None or len(value.split()) > 3:
        return None
    if value.lower() in {"x", "wip", "draft", "note", "optional", "nice to have", "stretch"}:
        return None
    return "owner", value


def _owner_lead(m: re.Match[str]) -> bool:
    """Tell whether 'Jane to update ...' names a person, not 'Alerts to fire ...'."""
    who = m["who"]
    if who.lower() in _NOT_NAMES or (not who.startswith("@") and is_verb(who.lower())):
        return False  # "Try to educate ...", "Plan to move ...": the order, not a person
    if not who.startswith("@") and (who.endswith("s") or (" " not in who and len(who) < 3)):
        return False
    return is_verb(m["verb"])


def _shorten(title: str, body: str, offset: int, strong_at: dict[int, int]) -> str:
    """Cut a long title to its bold label, its first sentence or its first clause."""
    label_end = strong_at.get(offset)
    if label_end is not None:
        label = body[: label_end - offset].strip()
        if label.endswith(":") or body[label_end - offset :].lstrip().startswith(":"):
            return label.rstrip(":").strip()
    m = _SENTENCE_END.search(title)
    if m is not None and len(title[: m.start()].split()) >= 3:
        return title[: m.start()]
    m = _CLAUSE.search(title)
    if m is not None and len(title[: m.start()].split()) >= 3:
        return title[: m.start()].rstrip()
    return title


def _sentence_label(text: str, start: int, end: int, strong_at: dict[int, int]) -> str | None:
    """Return a bold sentence opening an item that goes on after it: '**Add X.** Because ...'."""
    label_end = strong_at.get(start)
    if label_end is None or label_end >= end:
        return None
    label = text[start:label_end].strip()
    if not label.endswith(".") or len(label.split()) < 2 or not text[label_end:end].strip():
        return None
    return label
