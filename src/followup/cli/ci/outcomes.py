"""One outcome per action item from the documents of `file` and `protect` (or their dry runs).

`file` reports a branch-protection item as skipped ("applied to the branch, not filed");
when `protect` ran too, its entry for the item takes that place. Each outcome falls in
one of a few results the summary, the annotations and the outputs count:

    filed      file created (a dry run: would create) an issue
    linked     file linked the item to an issue that exists
    skipped    neither filed nor protected, for the reason given (a draft, done, ...)
    failed     filing or protecting failed (a dry run: would fail)
    protected  protect changed the branch (a dry run: would change it)
    satisfied  the branch already had the protection
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Result = Literal["filed", "linked", "skipped", "failed", "protected", "satisfied"]
RESULTS: tuple[Result, ...] = ("filed", "linked", "skipped", "failed", "protected", "satisfied")
# The result of each action a document can name (runs and dry runs alike).
RESULT_OF: dict[str, Result] = {
    "created": "filed",
    "create": "filed",
    "linked": "linked",
    "link": "linked",
    "skipped": "skipped",
    "skip": "skipped",
    "failed": "failed",
    "fail": "failed",
    "done": "protected",
    "change": "protected",
    "already": "satisfied",
    "satisfied": "satisfied",
    "unverified": "failed",
    "error": "failed",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened (or would happen) to one action item in a CI run."""

    id: str
    step: Literal["file", "protect"]
    action: str
    title: str | None = None
    postmortem: str | None = None
    file: str | None = None
    line: int | None = None
    issue: Mapping[str, Any] | None = None
    target: str | None = None
    message: str | None = None
    error: str | None = None
    repo: str | None = None
    new_issue: Mapping[str, Any] | None = None
    protection: Mapping[str, Any] | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def result(self) -> Result:
        """Return the result this outcome counts as."""
        return RESULT_OF.get(self.action, "failed" if self.error else "skipped")

    @property
    def reason(self) -> str | None:
        """Return why, in one line: the error, else the message."""
        return self.error or self.message


def _outcome(step: Literal["file", "protect"], item: Mapping[str, Any]) -> Outcome:
    source = item.get("source") or {}
    return Outcome(
        id=str(item["id"]),
        step=step,
        action=str(item["action"]),
        title=item.get("title"),
        postmortem=item.get("postmortem"),
        file=source.get("file"),
        line=source.get("line"),
        issue=item.get("issue"),
        target=item.get("target"),
        message=item.get("message"),
        error=item.get("error"),
        repo=item.get("repo"),
        new_issue=item.get("new_issue"),
        protection=item.get("protection"),
        warnings=tuple(item.get("warnings") or ()),
    )


def merge(filed: Mapping[str, Any] | None, protected: Mapping[str, Any] | None) -> list[Outcome]:
    """Return one outcome per item: file's, with protect's in place of its protection skips."""
    outcomes = [_outcome("file", item) for item in (filed or {}).get("items", ())]
    index = {outcome.id: n for n, outcome in enumerate(outcomes)}
    for item in (protected or {}).get("items", ()):
        mine = _outcome("protect", item)
        at = index.get(mine.id)
        if at is None:
            outcomes.append(mine)
            continue
        before = outcomes[at]
        outcomes[at] = replace(
            mine,
            title=mine.title or before.title,
            postmortem=before.postmortem,
            file=before.file,
            line=before.line,
            repo=before.repo,
        )
    return outcomes


def counts(outcomes: Iterable[Outcome]) -> dict[Result, int]:
    """Return how many outcomes have each result (every result named, zero or not)."""
    found: dict[Result, int] = dict.fromkeys(RESULTS, 0)
    for outcome in outcomes:
        found[outcome.result] += 1
    return found


def changed_branches(outcomes: Sequence[Outcome]) -> list[str]:
    """Return the branches whose protection changed (would change), each once, in order."""
    seen: dict[str, None] = {}
    for outcome in outcomes:
        if outcome.result == "protected" and outcome.target:
            seen.setdefault(outcome.target, None)
    return list(seen)
