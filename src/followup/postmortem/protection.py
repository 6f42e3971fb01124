"""Recognise branch-protection recommendations in an item's text."""

# A small vocabulary-driven classifier. It fires only when the text names a branch (or a
# pattern) AND asks for a protection setting or to protect that branch: "protect us from
# outages" names no branch and "debug gh-pages" asks for nothing. Settings come out under
# GitHub's REST names.

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from followup.postmortem.markdown import Inline
from followup.postmortem.model import ProtectionSpec

_NEG = r"(?:don't|dont|do\s+not|never|disallow|disable|prevent|block|forbid|stop|prohibit|deny)"
_FORCE = r"force[\s-]?push(?:es|ing|ed)?"
_ADMINS = r"admin(?:istrator)?s"
_NUMBERS = {"a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_REVIEW_MODIFIERS = (
    r"(?:(?:approving|approved|code|pull[\s-]request|pr|peer|explicit|mandatory)\s+)*"
)


def _any(*patterns: str) -> re.Pattern[str]:
    """Compile the alternation of the patterns."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_NO_DELETIONS = _any(
    rf"\b{_NEG}\s+(?:allow(?:ing)?\s+)?(?:(?:the\s+)?\S+\s+(?:branch(?:es)?\s+)?)?(?:(?:from\s+)?being\s+)?"
    r"delet(?:e|ed|es|ion|ions|ing)\b",
    r"\bno\s+(?:branch\s+)?deletions?\b",
    r"\b(?:cannot|can't|can\s+not|must\s+not|mustn't|should\s+not|shouldn't|never)\s+be\s+deleted\b",
    r"\bdeletions?\s+(?:are\s+|is\s+)?(?:not\s+allowed|disallowed|disabled|blocked|prohibited)\b",
    r"\bprotect(?:ed|ion|s)?\s+(?:\S+\s+){0,3}?(?:from|against)\s+(?:accidental\s+)?deletions?\b",
)
_NO_FORCE_PUSHES = _any(
    rf"\b{_NEG}\s+(?:allow(?:ing)?\s+)?(?:any\s+)?{_FORCE}\b",
    rf"\bno\s+(?:more\s+)?{_FORCE}\b",
    rf"\b{_FORCE}\s+(?:are\s+|is\s+)?(?:not\s+allowed|disallowed|disabled|blocked|prohibited)\b",
    r"\b(?:cannot|can't|must\s+not|should\s+not)\s+be\s+force[\s-]?pushed\b",
    rf"\bprotect(?:ed|ion|s)?\s+(?:\S+\s+){{0,3}}?(?:from|against)\s+{_FORCE}\b",
)
_REVIEWS = _any(
    r"\brequir(?:e|es|ed|ing)\s+(?:at\s+least\s+)?(?P<n1>\d+|one|two|three|four|five|an?|a\s+single)?"
    rf"\s*{_REVIEW_MODIFIERS}(?:reviews?|approvals?|reviewers?)\b",
    r"\b(?:at\s+least\s+)?(?P<n2>\d+|one|two|three|four|five)\s+(?:approving\s+|approved\s+|code\s+)?"
    r"(?:reviews?|approvals?|reviewers?)\s+(?:are\s+|is\s+|must\s+be\s+)?required\b",
)
_PULL_REQUESTS = re.compile(
    r"\brequir(?:e|es|ed|ing)\s+(?:a\s+)?(?:pull[\s-]requests?|prs?)\b(?!\s+(?:reviews?|approvals?))"
)
_STATUS_CHECKS = _any(
    r"\bstatus\s+checks?\b",
    r"\brequir(?:e|es|ed)\s+(?:the\s+)?(?:ci\s+)?checks?\b",
    r"\bchecks?\s+(?:must|to|should)\s+pass\b",
    r"\brequir(?:e|es|ed)\s+\S+\s+(?:checks?\s+)?to\s+pass\b",
)
_CHECK_NAME = re.compile(
    r"\bchecks?\s+(?!(?:to|must|should|are|is|before|on|for|pass)\b)([\w.:-]+[/:.-][\w./:-]*\w)"
)
_LOCK = re.compile(r"\block(?:s|ed|ing)?\b(?!\s+down)")
_READ_ONLY = re.compile(r"\bread[\s-]only\b")
_SIGNATURES = _any(
    r"\bsigned\s+commits?\b",
    r"\bcommit\s+sign(?:ing|atures?)\b",
    r"\brequir(?:e|es|ed)\s+(?:gpg\s+|commit\s+)?signatures?\b",
    r"\bverified\s+(?:commits?|signatures?)\b",
    r"\bgpg[\s-]signed\b",
)
_LINEAR = _any(r"\blinear\s+history\b", r"\b(?:disallow|no|prevent|block)\s+merge\s+commits\b")
_CONVERSATIONS = _any(
    r"\bconversation\s+resolution\b",
    r"\bresolv(?:e|ed|ing)\s+(?:all\s+)?(?:review\s+)?(?:conversations|threads)\b",
    r"\bconversations?\s+(?:must|to|should)\s+be\s+resolved\b",
)
_ENFORCE_ADMINS = _any(
    rf"\binclud(?:e|es|ing)\s+(?:repo(?:sitory)?\s+)?{_ADMINS}\b",
    r"\benforce[ds]?\s+(?:(?:it|this|them|these|the\s+rules?|rules?|(?:branch\s+)?protections?"
    r"|(?:the\s+)?(?:branch\s+)?protection\s+rules?)\s+)?(?:for|on|against|to)"
    rf"\s+(?:repo(?:sitory)?\s+)?(?:the\s+)?{_ADMINS}\b",
    rf"\bapply\s+(?:\w+\s+){{0,2}}to\s+{_ADMINS}\b",
    r"\badmin(?:istrator)?s?\s+(?:cannot|can't|can\s+not|must\s+not|should\s+not)\s+bypass\b",
    r"\bno\s+admin(?:istrator)?\s+bypass\b",
    r"\b(?:don't|do\s+not|disallow)\s+(?:allow\s+)?(?:admin(?:istrator)?s\s+to\s+)?bypass",
)
_PROTECT = re.compile(r"\b(?:protect(?:s|ed|ing)?|lock\s+down)\b")
# Asking for protection without naming a setting; "document the protection rules" is not.
_PROTECTION_PHRASE = _any(
    r"\b(?:enable|add|turn\s+on|set\s+up|configure|apply|create|introduce)\s+(?:\S+\s+){0,2}?"
    r"(?:branch\s+)?protections?\b",
    r"\b(?:make|mark|set)\s+(?:\S+\s+){0,3}?(?:as\s+)?(?:a\s+)?protected\b",
    r"\b(?:should|must|needs?\s+to|to)\s+be\s+protected\b",
)

# Branch names good enough to trust without the word "branch" next to them.
_KNOWN = r"(?:main|master|develop|trunk|gh-pages|releases?/[\w.*-]+)"
_FOLLOWERS = (
    r"(?=$|[\s]*[.,;:!?)]|\s+(?:branch(?:es)?|and|or|in|of|for|before|after|to|when|so|too|as|at"
    r"|with|by|via|also|from|within|if|unless|repo|repository)\b)"
)
_KNOWN_AFTER = re.compile(
    rf"\b(?:on|to|for|into|against|of|from|protect|lock|named)\s+(?:the\s+)?({_KNOWN}){_FOLLOWERS}"
)
_NAME = r"[a-z0-9][\w./*-]*"
_BRANCH_NAME = re.compile(r"^[\w][\w./*?\[\]-]*$")
_NAME_BRANCH = re.compile(
    rf"(?:^|[\s(])(?:(the|protect|lock|on|to|for|of|into|from)\s+)?({_NAME})\s+branch(es)?\b"
)
_BRANCH_NAMED = re.compile(
    r"\bbranch(?:es)?\s+(?:named\s+|called\s+)?([\w./*-]*[/.*-][\w./*-]*\w|\w+)"
)
_NOT_NAMES = frozenset(
    {
        *("a", "an", "the", "each", "every", "any", "all", "some", "no", "whole", "it"),
        *("this", "that", "these", "those", "our", "your", "their", "its", "same", "which"),
        *("default", "feature", "features", "stale", "old", "other", "new", "remote", "local"),
        *("long-lived", "protected", "unprotected", "separate", "single", "one", "deleted"),
        *("git", "per", "whose", "wrong", "right", "target", "base", "head", "topic", "personal"),
        *("protection", "protections", "rule", "rules", "ruleset", "rulesets", "deletion"),
        *("deletions", "settings", "setting", "policy", "policies", "name", "names", "history"),
        *("to", "is", "was", "are", "from", "and", "or", "on", "for", "in", "with", "must"),
        *("should", "be", "can", "cannot", "will", "when", "so", "as", "by", "before", "after"),
        *("builds", "build"),
    }
)
_KNOWN_NAME = re.compile(rf"^{_KNOWN}$")
_KNOWN_WORDS = ("main", "master", "develop", "trunk", "gh-pages", "release")
_BEFORE_CODE_BRANCH = re.compile(r"\bbranch(?:es)?\s+(?:named\s+|called\s+)?$")
_AFTER_CODE_BRANCH = re.compile(r"^\s+branch(?:es)?\b")
_BEFORE_CODE_WEAK = re.compile(r"\b(?:on|to|for|into|against|of|protect|lock|the|from)\s+$")
_BEFORE_CODE_CHECK = re.compile(r"\b(?:checks?|status|job|workflow)\s+$")
_AFTER_CODE_CHECK = re.compile(r"^\s+(?:checks?|status|job|workflow|ci)\b")
_REPO_NAME = re.compile(r"^[A-Za-z0-9][\w-]*/[\w.-]+$")
_REPO_IN_TEXT = re.compile(
    r"\b(?:in|for|of|repo|repository)\s+(?:the\s+)?(?:repo(?:sitory)?\s+)?([A-Za-z0-9][\w-]*/[\w.-]*\w)",
    re.IGNORECASE,
)
_REPO_BEFORE = re.compile(r"\b(?:in|repo|repository)\s+(?:the\s+)?$")
_GITHUB_REPO = re.compile(r"github\.com/([A-Za-z0-9][\w-]*/[\w.-]*\w)")
_REPO_REF = re.compile(r"(?<![\w/.-])([A-Za-z0-9][\w-]*/[\w.-]+)#\d+\b")


@dataclass(frozen=True, slots=True)
class _Target:
    name: str
    start: int


def _settings(low: str) -> dict[str, Any]:
    """Return the protection settings the lower-cased text asks for, by REST name."""
    found: dict[str, Any] = {}
    if _NO_DELETIONS.search(low):
        found["allow_deletions"] = False
    if _NO_FORCE_PUSHES.search(low):
        found["allow_force_pushes"] = False
    if (m := _REVIEWS.search(low)) is not None:
        n = (m["n1"] or m["n2"] or "1").split()[-1]
        found["required_approving_review_count"] = int(n) if n.isdigit() else _NUMBERS.get(n, 1)
    elif _PULL_REQUESTS.search(low):
        # GitHub's "require a pull request before merging" with no approvals asked for.
        found["required_approving_review_count"] = 0
    if _SIGNATURES.search(low):
        found["required_signatures"] = True
    if _LINEAR.search(low):
        found["required_linear_history"] = True
    if _CONVERSATIONS.search(low):
        found["required_conversation_resolution"] = True
    if _ENFORCE_ADMINS.search(low):
        found["enforce_admins"] = True
    return found


def _code_target(low: str, codes: list[tuple[int, int, str]]) -> tuple[_Target | None, bool]:
    """Return the branch named in backticks; the flag says it sits by the word 'branch'."""
    weak: _Target | None = None
    for s, e, value in codes:
        before, after = low[max(0, s - 30) : s], low[e : e + 16]
        if not _BRANCH_NAME.match(value) or _REPO_BEFORE.search(before):
            continue
        if _AFTER_CODE_BRANCH.match(after) or _BEFORE_CODE_BRANCH.search(before):
            return _Target(value, s), True
        if (
            weak is None
            and _BEFORE_CODE_WEAK.search(before)
            and not _BEFORE_CODE_CHECK.search(before)
            and not _AFTER_CODE_CHECK.match(after)
        ):
            weak = _Target(value, s)
    return weak, False


def _target(text: str, low: str, codes: list[tuple[int, int, str]]) -> _Target | None:
    """Return the branch or pattern the item names, trying the surest forms first."""
    code, strong = _code_target(low, codes)
    if code is not None and strong:
        return code
    for m in _NAME_BRANCH.finditer(low):
        name = m[2]
        if name in _NOT_NAMES:
            continue
        # "release branches" names a kind of branch, not one; "release/* branches" is a pattern.
        if m[3] is not None and not any(c in name for c in "*?["):
            continue
        # A plain word needs "the" or a verb before it: "enable branch protection" names none.
        if m[1] is None and not _KNOWN_NAME.match(name) and not any(c in name for c in "-/._*"):
            continue
        return _Target(text[m.start(2) : m.end(2)], m.start(2))
    for m in _BRANCH_NAMED.finditer(low):
        name = m[1]
        if name not in _NOT_NAMES and (_KNOWN_NAME.match(name) or any(c in name for c in "/.*-")):
            return _Target(text[m.start(1) : m.end(1)], m.start(1))
    if code is not None:
        return code
    known = _KNOWN_AFTER.search(low)
    if known is not None:
        return _Target(text[known.start(1) : known.end(1)], known.start(1))
    return None


def _verb_near(pattern: re.Pattern[str], low: str, target: _Target, reach: int = 16) -> bool:
    """Tell whether the verb appears just before the branch it applies to."""
    return any(0 <= target.start - m.end() <= reach for m in pattern.finditer(low))


def _repo(text: str, target: _Target, contexts: tuple[str, ...]) -> str | None:
    """Return the owner/repo the item names, other than its branch and status checks."""
    for pattern in (_GITHUB_REPO, _REPO_REF, _REPO_IN_TEXT):
        for m in pattern.finditer(text):
            name = m[1]
            if name != target.name and name not in contexts and _REPO_NAME.match(name):
                return name
    return None


def _contexts(text: str, low: str, codes: list[tuple[int, int, str]], target: _Target) -> list[str]:
    """Return the status checks named: code spans other than the branch, else check-like ids."""
    names = [
        value
        for s, _, value in codes
        if value != target.name and not _REPO_BEFORE.search(low[max(0, s - 30) : s])
    ]
    if not names:
        names = [text[m.start(1) : m.end(1)] for m in _CHECK_NAME.finditer(low)]
    return [n for n in names if n != target.name]


def recognise(inline: Inline, *, repo: str | None = None) -> ProtectionSpec | None:
    """Return the branch protection an item asks for, or None when it asks for none."""
    low = inline.text.lower()
    if not inline.code and "branch" not in low and not any(n in low for n in _KNOWN_WORDS):
        return None  # names no branch: most items stop here
    text = inline.text.replace("’", "'")
    low = text.lower()
    if not inline.code and "branch" not in low and _KNOWN_AFTER.search(low) is None:
        return None
    codes = [(s, e, text[s:e].strip()) for s, e in inline.code]
    settings = _settings(low)
    target = _target(text, low, codes)
    if target is None:
        return None
    if _verb_near(_LOCK, low, target) or _READ_ONLY.search(low):
        settings["lock_branch"] = True
    contexts: tuple[str, ...] = ()
    if _STATUS_CHECKS.search(low):
        contexts = tuple(_contexts(text, low, codes, target))
    if not settings and not contexts:
        protects = _verb_near(_PROTECT, low, target, reach=20) or _PROTECTION_PHRASE.search(low)
        if not protects:
            return None
        # What GitHub's protection gives a branch when nothing else is asked for.
        settings = {"allow_deletions": False, "allow_force_pushes": False}
    return ProtectionSpec(
        branch=target.name,
        repo=_repo(text, target, contexts) or repo,
        contexts=contexts,
        **settings,
    )


def asks_without_branch(inline: Inline) -> bool:
    """Tell whether an item reads like a protection request that names no branch."""
    low = inline.text.lower()
    if not any(word in low for word in ("branch", "merg", "push")):
        return False
    return (
        bool(_settings(low))
        or _STATUS_CHECKS.search(low) is not None
        or _PROTECTION_PHRASE.search(low) is not None
    )
