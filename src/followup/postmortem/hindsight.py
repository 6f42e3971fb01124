"""Commitments made among lessons: work the team still owes itself, said looking back.

Lessons are mostly hindsight ("we should have paged sooner"), and a "should" there stays a
lesson. Some lines there still bind the team to work on its own setup: "We need a staging
instance that mirrors production", "We learnt that we need to alert on failed deploys",
"We're also looking at testing the proxy config in CI", "this is not covered by the tests
yet and should be fixed mid-term". Those are suggestions, like promises elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Words one of the readings below needs, in one search of a block's lowered bytes: most
# lessons hold none of them.
_WORDS = re.compile(
    rb"we (?:also |still |really )?need|team need|looking (?:at|into)|e(?:xploring|valuating)"
    rb"|investigating|-term| term "
)
# "We also learnt from this that ...": what was learnt is read on its own.
_LEARNT = re.compile(
    r"^(?:(?:also|additionally),?\s+)?we\s+(?:have\s+)?(?:also\s+)?(?:learnt|learned|realised"
    r"|realized|saw|found|noticed)\s+(?:from\s+(?:this|it|the\s+incident)\s+)?that\s+",
    re.IGNORECASE,
)
# "We need X" with a thing to set up: "a staging instance", "more people on call". "We need
# better X" is a wish, as lessons put it.
_NEED_THING = re.compile(
    r"^(?:we|the\s+team|our\s+team)\s+(?:also\s+|still\s+|really\s+|clearly\s+)*needs?\s+"
    r"(?P<what>(?:a|an|more|proper|reliable|dedicated|automated|our\s+own)\s+\S.*)$",
    re.IGNORECASE,
)
# "We need to X": the work X, as any "need to" reads.
_NEED_TO = re.compile(
    r"^(?:we|the\s+team|our\s+team)\s+(?:also\s+|still\s+|really\s+|clearly\s+)*needs?\s+to\s",
    re.IGNORECASE,
)
# "We're also looking at what we can do for X": work under way, whatever the section.
_LOOKING = re.compile(
    r"^(?:we|the\s+team|our\s+team)\s*(?:'re|\s+are|\s+is)\s+(?:also\s+|now\s+|currently\s+)*"
    r"(?:looking\s+(at|into)|exploring|evaluating|investigating)\s",
    re.IGNORECASE,
)
# "... should be fixed mid-term": a fix planned for a named horizon.
_HORIZON_FIX = re.compile(
    r"\b(?:should|must|will|needs?\s+to)\s+be\s+(?:fixed|addressed|added|implemented|changed"
    r"|improved|resolved|covered|automated|included)\s+(?:in\s+the\s+)?(?:(?:short|mid|medium"
    r"|long|near)[\s-]term|next\s+(?:quarter|sprint|release|month))\b",
    re.IGNORECASE,
)
# Things needed that are no work: "more luck", or a wish put as a comparative ("a clearer
# rule", "a better process"): a lesson, whatever its article.
_NOT_NEEDED = re.compile(
    r"^(?:more\s+)?(?:luck|time|patience|care|caution)\b|^(?:a|an)\s+(?:much\s+)?(?:better|clearer"
    r"|faster|stronger|simpler|easier|tighter|closer|smarter|quicker|broader|wider|deeper|higher"
    r"|lower|greater|more\s+\w+)\b",
    re.IGNORECASE,
)


_STEMS = (b"need", b"looking", b"term", b"exploring", b"evaluating", b"investigating")


def may_hold(low: bytes) -> bool:
    """Tell cheaply whether lowered raw Markdown among lessons may hold such a commitment."""
    # A few substring scans find nothing in most lessons, faster than one regex search.
    return any(stem in low for stem in _STEMS) and _WORDS.search(low) is not None


def own_work(
    sentence: str, commit: Callable[[str], tuple[str, str | None] | None], *, opening: bool
) -> tuple[str, str | None] | None:
    """Read a sentence among lessons that still commits the team; None for a lesson.

    commit reads an ordinary commitment (suggestions.commitment), passed in to keep the
    two modules from importing each other. A lesson states its point first (opening): the
    sentences after it explain the lesson, and only a fix planned for a horizon counts there.
    """
    text = " ".join(sentence.replace("’", "'").split())
    text = _LEARNT.sub("", text, count=1)
    if _HORIZON_FIX.search(text) is not None:
        return text.rstrip(".!; "), None
    if not opening:
        return None
    if _NEED_TO.match(text):
        return commit(text)
    m = _LOOKING.match(text)
    if m is not None:
        # "We're looking at what we can do for X": the work is finding that out.
        found = commit(text)
        if found is not None or m[1] is None:
            return found
        rest = text[m.end() :].rstrip(".!; ")
        return (f"Look {m[1]} {rest}", None) if rest else None
    m = _NEED_THING.match(text)
    if m is not None and _NOT_NEEDED.match(m["what"]) is None and not text.endswith("?"):
        title = text.rstrip(".!; ")
        return title[:1].upper() + title[1:], None
    return None
