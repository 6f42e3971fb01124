"""Tell a security disclosure by its shape: a vulnerability found, then what was changed.

A disclosure is a post-mortem of a security incident, yet it seldom has the usual incident
headings (Summary, Impact, Timeline). It names the vulnerability (a CVE, "vulnerability",
"data exposure", "breach"), in a heading or in its opening, and tells in other headings what
the team changed or what those affected should do. A security policy ("Reporting a
vulnerability", "Supported versions") names the word but tells nothing of the kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from followup.postmortem.sections import normalise

# A vulnerability or security incident named: "CVE-2026-1234", "Token leak", "PII exposure".
_NAMED = re.compile(
    r"\b(?:cve\s*-?\s*\d{4}\s*-?\s*\d+|ghsa(?:-\w{4}){3}|vulnerabilit(?:y|ies)|security\s+(?:incident"
    r"|issue|breach|advisory|disclosure)|data\s+(?:breach|exposure|leak)|(?:pii|credential|token"
    r"|secret|key)s?\s+(?:exposure|leak)|breach|compromised?)\b",
    re.IGNORECASE,
)
# How a security policy names the word: to ask for reports, not to tell of one.
_POLICY = re.compile(
    r"\b(?:report(?:ing)?|disclos(?:e|ing)|submit(?:ting)?)\s+(?:an?\s+)?(?:security\s+)?"
    r"(?:vulnerabilit(?:y|ies)|issues?|bugs?)|security\s+polic(?:y|ies)|bug\s+bount",
    re.IGNORECASE,
)
# In the opening: the team found, fixed or disclosed one.
_OPENING = re.compile(
    r"\b(?:found|discovered|fixed|patched|disclosed|identified|mitigated|were\s+notified\s+of)"
    r"\s+(?:and\s+(?:fixed|patched)\s+)?(?:an?\s+|two\s+|three\s+|several\s+|the\s+|multiple\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:vulnerabilit(?:y|ies)|security\s+(?:issue|incident|flaw)s?|breach)",
    re.IGNORECASE,
)
# The aftermath: what was changed or established, what those affected should do.
_AFTERMATH = re.compile(
    r"^(?:what\s+(?:we(?:'ve|\s+have)?\s+)?(?:changed|did|fixed|found|learned|know|could"
    r"\s+(?:and\s+could\s+not\s+)?establish|are\s+changing|happened)|how\s+we\s+(?:responded"
    r"|fixed|found)|our\s+response|(?:who\s+(?:is|was)|am\s+i|are\s+you)\s+affected"
    r"|(?:for|advice\s+for|guidance\s+for|what\s+this\s+means\s+for)\s+(?:\w+\s+)?(?:admins"
    r"|administrators|users|customers|maintainers|owners|developers))\b"
)
# How far into the text its opening may name the vulnerability.
OPENING = 1500


def shaped(headings: Sequence[str], text: str) -> bool:
    """Tell whether headings and opening read as a security incident's disclosure."""
    if not any(_AFTERMATH.match(normalise(h)) for h in headings):
        return False
    if any(_NAMED.search(h) and not _POLICY.search(h) for h in headings):
        return True
    return _OPENING.search(text, 0, OPENING) is not None
