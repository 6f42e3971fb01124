"""Turn one item's plain text into a title, noting the markers stripped on the way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.postmortem import dates
from followup.postmortem.fields import KEYS, keys, priority_from_value
from followup.postmortem.markdown import Inline

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
_SIMPLE_META = re.compile(r"\s*(?:@[\w/-]+|(?:[\w.-]+/[\w.-]+)?#\d+|P[0-4])\s*$")
_WORD = re.compile(r"\w")
_DONE_WORD = re.compile(r"^\s*(?:done|completed?|finished|fixed|resolved)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Title:
    """A cleaned title and what its stripped prefixes and suffixes said."""

    text: str
    done: bool | None = None
    priority: str | None = None


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
    """Tell whether a trailing (...) holds only owners, refs, priorities or dates."""
    if _SIMPLE_META.match(content):
        return True
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
        if m := _CHECKBOX.match(text, start):
            done = m[1] in {"x", "X"}
        elif m := _CHECK_MARK.match(text, start):
            done = True
        elif m := _OPEN_MARK.match(text, start):
            done = False if done is None else done
        elif m := _STATUS_PREFIX.match(text, start):
            done = (m["a"] or m["b"] or m["c"]).lower() != "todo"
            if (m["a"] or m["b"] or m["c"]).lower().startswith("complete"):
                done = True
        elif m := _PRIORITY_PREFIX.match(text, start):
            priority = priority or priority_from_value(m["a"] or m["b"] or m["c"])
        else:
            break
        start = m.end()

    links = sorted(inline.links, key=lambda lk: lk.end) if inline.links else []
    stripped_meta = False
    while start < end:
        body = text[start:end]
        trimmed = body.rstrip(_TRAIL_PUNCT)
        if len(trimmed) < len(body):
            end = start + len(trimmed)
            continue
        link = next((lk for lk in reversed(links) if lk.end == end and lk.start > start), None)
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
        if (m := _TRAIL_TOKEN.search(body)) is not None and m.start() > 0:
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
    return Title(title, done, priority)


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
