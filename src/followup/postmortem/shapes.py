"""Judge single blocks: a label, an item heading, a checklist of the template, a story."""

from __future__ import annotations

import re

from followup.postmortem import collect, fields, sections, titles, wording
from followup.postmortem.markdown import Inline, ListItem
from followup.postmortem.outline import SHORT_LINE

# A paragraph under an action heading is an item when it is a few sentences at most.
LONG_LINE = 400
MAX_SENTENCES = 4
# An intro that announces the list after it as things to do.
_ANNOUNCES = re.compile(
    r"\b(?:we\s+will|we'll|we\s+are\s+going\s+to|we\s+plan|we\s+need|we\s+must|we\s+should"
    r"|(?:we|i)(?:'re|\s+are)\s+(?:now\s+|also\s+)?(?:doing|changing|adding|fixing|improving"
    r"|planning|working\s+on|committed\s+to)|committed\s+to|here(?:'s|\s+is)\s+what"
    r"|following\s+(?:actions?|steps?|items?|changes|tasks|improvements|follow[\s-]?ups?|work"
    r"|measures|fixes)|action\s+items?|to-?dos?|next\s+steps?|going\s+forward|planned"
    r"|to\s+do|improvements|changes\s+(?:we|are)|measures|remediations?)\b",
    re.IGNORECASE,
)
_ITEM_NUMBER = re.compile(r"^(?:\d{1,3}[.):]|#\d{1,3}\b|(?:item|ai|action)\s*#?\s*\d{1,3}\b)\s*")
_BLOCKQUOTE_OPEN = re.compile(r"<blockquote\b", re.IGNORECASE)
_BLOCKQUOTE_CLOSE = re.compile(r"</blockquote\s*>", re.IGNORECASE)


def bold_label(inline: Inline) -> tuple[str | None, bool]:
    """Return a leading bold label such as '**Action Items**:' and whether nothing follows it."""
    if not inline.strong or inline.strong[0][0] != 0:
        return None, False
    end = inline.strong[0][1]
    label = inline.text[:end].strip()
    rest = inline.text[end:].strip()
    if label.endswith(":") or rest.startswith(":") or not rest:
        return label.rstrip(":").strip(), not rest.lstrip(":").strip()
    return None, False


# A bold label at the start of a line, or a short line ending in ':'.
_LABEL_LINE = re.compile(
    rb"^[ \t]{0,3}(?:\*\*|__)([^\n*_]{1,64}?)(?:\*\*|__)|^[ \t]{0,3}([^\n]{1,62}?):[ \t]*$",
    re.MULTILINE,
)


def action_label_in(raw: bytes, *, plainly: bool) -> bool:
    """Tell whether raw Markdown holds a label announcing action items ('**Follow-ups**:')."""
    if b":" not in raw and b"**" not in raw and b"__" not in raw:
        return False
    for m in _LABEL_LINE.finditer(raw):
        label = (m[1] or m[2]).decode(errors="replace").strip(" :*_")
        if sections.role(label) is sections.Role.ACTION and (
            not plainly or sections.plainly_action(label)
        ):
            return True
    return False


def label_shaped(data: bytes, start: int, end: int) -> bool:
    """Tell whether a paragraph may be a label: it starts in bold, or is short and ends in ':'."""
    chunk = data[start:end].strip()
    return chunk[:2] in (b"**", b"__") or (end - start <= SHORT_LINE and chunk.endswith(b":"))


def quoting(html: str, quoted: bool) -> bool:
    """Follow <blockquote> tags in raw HTML: quoted text (an e-mail, a reply) is no item."""
    if _BLOCKQUOTE_OPEN.search(html):
        quoted = True
    if _BLOCKQUOTE_CLOSE.search(html):
        quoted = False
    return quoted


def item_heading(heading: Inline) -> bool:
    """Tell whether a subheading names one item rather than a group of them."""
    text = heading.text.strip()
    if sections.role(text) is not sections.Role.NEUTRAL:
        return False
    kind = fields.type_from_value(text)
    if kind in fields.TYPES:
        return False
    m = _ITEM_NUMBER.match(text)
    rest = text[m.end() :] if m else text
    words = len(rest.split())
    meta = "@" in rest or fields.priority_in_text(rest) is not None or rest.rstrip().endswith("]")
    verb = wording.imperative(rest)
    if m is not None:
        return words >= 2 and (verb or meta)
    return (meta and words >= 2) or (verb and words >= 3)


def item_lines(paragraphs: list[Inline]) -> bool:
    """Tell whether a section's paragraphs are one item each, not a written account.

    Under an action heading, short paragraphs ("The alert paged nobody. (fixed ...)") are
    items; long ones tell a story, and only the promises in them count.
    """
    for inline in paragraphs:
        text = inline.text.strip()
        if not text or text.endswith(":"):
            continue
        note = collect.STATUS_NOTE.search(text)
        body = text[: note.start()] if note else text
        sentences = len(collect.SENTENCE_END.findall(body)) + 1
        if len(body) > LONG_LINE or sentences > MAX_SENTENCES:
            return False
    return True


def template_checklist(roots: list[ListItem]) -> bool:
    """Tell whether a list is a template's checklist about the report itself."""
    if not roots or all(li.checked is None for li in roots):
        return False
    about = sum(1 for li in roots if wording.about_document(li.inline.text))
    return about * 2 >= len(roots)


def descriptive(intro: Inline, roots: list[ListItem]) -> bool:
    """Tell whether a list after a prose paragraph describes things rather than listing work.

    A list right under a heading is the section's items, whatever their wording. After a
    paragraph it may instead be part of the account: the environments the system now has,
    the options that were weighed. Then it counts only if its entries read as work, or if the
    paragraph announced work and the entries are more than bare names.
    """
    text = intro.text.strip()
    if not text or not roots:
        return False
    titled = [titles.clean(li.inline) for li in roots]
    if _ANNOUNCES.search(text):
        return all(wording.bare_name(t.text) for t in titled)
    work = 0
    for li, title in zip(roots, titled, strict=True):
        own = li.inline
        if (
            li.checked is not None
            or title.done is not None
            or title.owner is not None
            or own.links
            or "@" in own.text
            or wording.work_like(title.text)
        ):
            work += 1
    return work * 2 < len(roots)
