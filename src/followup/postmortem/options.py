"""Tell a list of options being weighed from a list of work, by the sentence before it.

"We are working out which of the usual approaches suit us:" and then "- more hardware",
"- caching": the entries are candidates, none of them promised. The sentence around them
may still commit the team (to the weighing itself), but the list holds no items.
"""

from __future__ import annotations

import re

_WEIGHING = re.compile(
    r"\b(?:(?:figur(?:e|ing)|work(?:ing)?)\s+out|decid(?:e|ing)|evaluat(?:e|ing)|assess(?:ing)?"
    r"|choos(?:e|ing)|determin(?:e|ing)|weigh(?:ing)?)\s+(?:which|whether)\b"
    r"|\bwhich\s+of\s+(?:the|these|those|our)\s+(?:[\w-]+\s+){0,4}?(?:is|are|would\s+be|will\s+be)"
    r"\s+(?:\w+\s+)?(?:useful|worth|best|right|suitable|helpful|feasible)\b"
    r"|\b(?:options|candidates|approaches|alternatives)\s+(?:we(?:'re|\s+are)\s+)?(?:evaluating"
    r"|considering|weighing|looking\s+at)\b",
    re.IGNORECASE,
)


def weighed(sentence: str) -> bool:
    """Tell whether a list's intro says its entries are options still being weighed."""
    return _WEIGHING.search(sentence) is not None
