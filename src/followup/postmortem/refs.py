"""Find references to tracker entries in one item's text: links, URLs, #12, owner/repo#12."""

from __future__ import annotations

import re
from collections.abc import Iterable

from followup.postmortem.markdown import Inline
from followup.postmortem.model import Reference, RefKind

_GITHUB = re.compile(
    r"^https?://(?:www\.)?github\.com/([A-Za-z0-9][\w.-]*)/([\w.-]+)/(issues|pull|pulls)/(\d+)",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+", re.IGNORECASE)
_REPO_REF = re.compile(r"(?<![\w/.#-])([A-Za-z0-9][\w-]*/[\w.-]+)#(\d+)\b")
_NUMBER_REF = re.compile(r"(?<![\w&/#])#(\d+)\b")
# A tracker key without a link, as teams write Jira or Linear ids in a Bug column.
_TRACKER_KEY = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b")
_STATUS_WORDS = re.compile(r"\b(?:DONE|TODO|OPEN|n/a|N/A|none|None|TBD)\b|[*_`]")
_URL_TAIL = ".,;:!?'\")]"
_DIGIT = re.compile(r"[0-9]")
# What may surround the references of an item that is nothing but references.
_FILLER = re.compile(
    r"^[\W_]*(?:(?:see|also|and|or|issue|issues|pr|prs|pull\s+requests?|ticket|tickets|bug|bugs"
    r"|jira|link|links|tracking|tracked\s+(?:in|by)|ref|refs|related|fix(?:ed)?\s+in|done\s+in)"
    r"\b[\W_]*)*$",
    re.IGNORECASE,
)


# A tracker search rather than one entry: "/issues?q=...", "/pulls?q=", "?jql=", "/search?".
_SEARCH = re.compile(
    r"^https?://[^?#\s]+?/(?:issues|pulls|search|issues/search)/?\?|[?&](?:jql|filter)=",
    re.IGNORECASE,
)


def search_link(url: str) -> bool:
    """Tell whether a URL lists the results of a tracker search: where items live, no item."""
    return _SEARCH.search(url) is not None


def from_url(url: str) -> Reference | None:
    """Classify an absolute URL: a GitHub issue, a GitHub pull request, or any other URL."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    m = _GITHUB.match(url)
    if m is None:
        return Reference(RefKind.URL, url, url=url)
    kind = RefKind.ISSUE if m[3].lower() == "issues" else RefKind.PULL
    return Reference(kind, url, url=url, repo=f"{m[1]}/{m[2]}", number=int(m[4]))


def _masked(inline: Inline) -> str:
    """Return the plain text with link and code spans blanked, so they are not read twice."""
    text = inline.text
    spans = [(lk.start, lk.end) for lk in inline.links] + list(inline.code)
    if not spans:
        return text
    pieces: list[str] = []
    pos = 0
    for s, e in sorted(spans):
        if e > pos:
            first = max(s, pos)
            pieces += (text[pos:first], " " * (e - first))
            pos = e
    pieces.append(text[pos:])
    return "".join(pieces)


def references(inline: Inline, *, keys: bool = False) -> list[Reference]:
    """Return every reference in an inline run, links first, without duplicates."""
    # With keys (Bug/Issue columns and details) a bare tracker key such as ABC-123 counts too.
    plain = not inline.links and "#" not in inline.text and "http" not in inline.text
    if plain and (not keys or _DIGIT.search(inline.text) is None):
        return []  # the common case: plain text refers to nothing
    found: list[Reference] = []
    for link in inline.links:
        ref = from_url(link.url)
        if ref is not None:
            found.append(ref)
    text = _masked(inline)
    if "http" in text:
        for m in _BARE_URL.finditer(text):
            ref = from_url(m.group(0).rstrip(_URL_TAIL))
            if ref is not None:
                found.append(ref)
        text = _BARE_URL.sub(" ", text)
    if "#" in text:
        for m in _REPO_REF.finditer(text):
            found.append(Reference(RefKind.ISSUE, m.group(0), repo=m[1], number=int(m[2])))
        text = _REPO_REF.sub(" ", text)
        for m in _NUMBER_REF.finditer(text):
            found.append(Reference(RefKind.NUMBER, m.group(0), number=int(m[1])))
    if keys:
        for m in _TRACKER_KEY.finditer(text):
            found.append(Reference(RefKind.URL, m.group(0)))
        named = "" if found else _STATUS_WORDS.sub(" ", text).strip(" .,;:-–—")
        if any(ch.isdigit() for ch in named):
            # "Bug 5554823" in a Bug column: an id with no link is still a reference.
            found.append(Reference(RefKind.URL, " ".join(named.split())))
    return unique(found)


def unique(refs: Iterable[Reference]) -> list[Reference]:
    """Drop repeated references, keeping the first of each."""
    seen: set[tuple[object, ...]] = set()
    out: list[Reference] = []
    for ref in refs:
        key = (ref.kind, ref.url, ref.repo, ref.number, ref.text if ref.url is None else None)
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


def is_reference_only(inline: Inline) -> bool:
    """Tell whether an item is only a link, a URL or a reference, as a parent's detail is."""
    if not references(inline):
        return False
    rest = _BARE_URL.sub(" ", _masked(inline))
    rest = _NUMBER_REF.sub(" ", _REPO_REF.sub(" ", rest))
    return _FILLER.match(rest) is not None
