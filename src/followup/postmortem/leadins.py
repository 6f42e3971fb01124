"""Find follow-up lists that no heading announces, only the sentence just before them.

Many post-mortems put their follow-ups in the story itself: "... and we opened follow-up
action items:", "To keep this from happening again, we have made these changes:", "We filed
tickets to track the remaining work:", then a list or a table, under Resolution, after a
thematic break, or in a post with no section headings at all. The sentence is what marks
the list: it ends in a colon and either names follow-up work (action items, tickets or
issues created to track it) or states a preventive purpose and the work done for it. An
ordinary sentence before a list ("The changes made were:", "We have:") marks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followup.postmortem import sections
from followup.postmortem.collect import Collector
from followup.postmortem.markdown import Inline, ListItem
from followup.postmortem.outline import Blocks
from followup.postmortem.promise_words import SENTENCE_END
from followup.postmortem.shapes import not_items

# Words one of which a lead-in holds, to test a paragraph's raw bytes cheaply.
_WORDS = re.compile(rb"(?i)follow|action|ticket|issue|prevent|avoid|recur|track|happen")
# A colon closing its line: the only kind a lead-in ends with (most sit inside lines).
_COLON_EOL = re.compile(rb":[ \t]*\r?\n")
# A line ending in ':' with a list or table right after it (a blank line between at most).
_BEFORE_LIST = re.compile(
    rb":[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]{0,3}(?:[-*+][ \t]|\d{1,3}[.)][ \t]|\|)"
)

# Follow-up work named as such: "follow up action items", "tickets to track the work".
_FOLLOW_UP = re.compile(
    r"\b(?:follow[\s-]*up\s+(?:action\s+)?(?:items?|actions?|tasks?|tickets?|issues?|work)"
    r"|action\s+items?"
    r"|(?:created|opened|filed|raised|logged)\s+(?:(?:an?|the|some|several|a\s+few|two|three"
    r"|four|five|new|more|following|separate)\s+)*(?:(?:follow[\s-]*up|tracking|github|jira)\s+)?"
    r"(?:tickets?|issues?|tasks?|epics?)\b)",
    re.IGNORECASE,
)
# A preventive purpose: "to prevent similar issues", "so that this does not happen again".
_PURPOSE = re.compile(
    r"\b(?:(?:to|will|should)\s+(?:help\s+)?(?:prevent|avoid|stop)\s+(?:this|it|that|similar"
    r"|such|a\s+(?:repeat|recurrence|similar)|recurrences?|future|the\s+same|any\s+(?:future"
    r"|similar))|(?:so\s+that|to\s+(?:make\s+sure|ensure)(?:\s+that)?)\s+(?:this|it|nothing"
    r"\s+like\s+this)\s+(?:does\s+not|doesn't|won't|will\s+not|never|cannot|can't)\s+"
    r"(?:\w+\s+)?(?:happen|recur)|to\s+keep\s+(?:this|it)\s+from\s+happening)\b",
    re.IGNORECASE,
)
# ... and the work done or planned for it: "we've made a few changes", "we will".
_WORK = re.compile(
    r"\b(?:changes|improvements|measures|steps|actions|fixes|safeguards|we\s+will|we'll"
    r"|we\s+are\s+(?:making|taking|adding)|we're\s+(?:making|taking|adding))\b",
    re.IGNORECASE,
)
# What was already true, whatever the purpose: "the following was already in place".
_IN_PLACE = re.compile(r"\b(?:already\s+in\s+place|were\s+in\s+place|had\s+(?:been\s+)?)\b", re.I)


def in_raw(raw: bytes) -> bool:
    """Tell cheaply whether raw Markdown may hold a lead-in sentence right before a list."""
    for m in _COLON_EOL.finditer(raw):
        if _BEFORE_LIST.match(raw, m.start()) is not None:
            # The paragraph ending at the colon: from the blank line before it.
            start = raw.rfind(b"\n\n", 0, m.start()) + 1
            if _WORDS.search(raw, start, m.start()) is not None:
                return True
    return False


def announces(text: str) -> bool:
    """Tell whether a paragraph ending in ':' announces the list after it as follow-ups."""
    text = " ".join(text.replace("’", "'").split())
    if not text.endswith(":"):
        return False
    last = SENTENCE_END.split(text)[-1].rstrip(":")
    if _FOLLOW_UP.search(last) is not None:
        return True
    return (
        _PURPOSE.search(last) is not None
        and _WORK.search(last) is not None
        and _IN_PLACE.search(last) is None
    )


def lead_in(data: bytes, start: int, end: int) -> Inline | None:
    """Return a paragraph's text when it is a lead-in sentence (its Markdown left as is)."""
    chunk = data[start:end].rstrip()
    if not chunk.endswith(b":") or _WORDS.search(chunk) is None:
        return None
    text = chunk.decode(errors="replace")
    return Inline(" ".join(text.split())) if announces(text) else None


def read_after(
    blocks: Blocks,
    kind: str,
    intro: Inline,
    found: Collector,
    read_list: Callable[[list[ListItem], sections.Context], int],
) -> int:
    """Read the list or table just yielded, which a lead-in announces; return its items."""
    ctx = sections.region_context(intro, found.anchor)
    if kind == "table":
        return found.table(blocks.table(), ctx)
    roots = blocks.items()
    # The lead-in said the list is work: only its shape (a checklist, a legend) says not.
    return 0 if not_items(roots, None) else read_list(roots, ctx)
