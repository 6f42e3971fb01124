"""Pick the sentence that names the work in a paragraph written as an item.

A paragraph under an action heading usually opens with its item ("Add an index. It ..."),
but some open with context and commit only after it: "Scaling is an ongoing effort for us.
We are working on deciding which approach suits us." Then the committing sentence is the
title, not the context before it.
"""

from __future__ import annotations

from followup.postmortem import wording
from followup.postmortem.promise_words import SENTENCE_END
from followup.postmortem.suggestions import commitment


def item_sentence(text: str) -> tuple[int, int]:
    """Return the span of a paragraph's first sentence, or of a later one that commits."""
    m = SENTENCE_END.search(text)
    if m is None:
        return 0, len(text)
    first = text[: m.start()]
    if wording.order(first) or commitment(first) is not None:
        return 0, m.start()
    start = m.end()
    for nxt in SENTENCE_END.finditer(text, m.end()):
        if commitment(text[start : nxt.start()]) is not None:
            return start, nxt.start()
        start = nxt.end()
    if commitment(text[start:]) is not None:
        return start, len(text)
    return 0, m.start()
