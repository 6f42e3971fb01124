"""The rules in effect on a branch, and which ruleset each comes from.

GET /repos/{owner}/{repo}/rules/branches/{branch} lists every active rule that applies
to the branch, from the repository's rulesets and its organisation's, each with its
source. A plan uses it to say which requested settings are already enforced and where;
followup still writes its own protection, because a ruleset it does not own can change
without it knowing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from followup.github.protection_mapping import satisfies


@dataclass(frozen=True, slots=True)
class BranchRule:
    """One rule in effect on a branch and the ruleset that sets it."""

    type: str
    source_type: str  # Repository or Organization
    source: str  # owner/name, or the organisation's login
    ruleset_id: int | None
    parameters: Mapping[str, Any]

    @property
    def where(self) -> str:
        """Return where the rule is set, as a plan shows it."""
        kind = "organisation" if self.source_type == "Organization" else "repository"
        ruleset = f"ruleset {self.ruleset_id}" if self.ruleset_id is not None else "a ruleset"
        return f"{ruleset} of {kind} {self.source}"


def parse_branch_rules(data: Any) -> list[BranchRule]:
    """Read GitHub's answer; entries that are not rules are skipped."""
    rules: list[BranchRule] = []
    for entry in data if isinstance(data, list) else ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("type"), str):
            continue
        ruleset_id = entry.get("ruleset_id")
        rules.append(
            BranchRule(
                type=entry["type"],
                source_type=str(entry.get("ruleset_source_type") or "Repository"),
                source=str(entry.get("ruleset_source") or "?"),
                ruleset_id=ruleset_id if isinstance(ruleset_id, int) else None,
                parameters=dict(entry.get("parameters") or {}),
            )
        )
    return rules


def _value(rule: BranchRule, setting: str) -> Any:
    """Return the value a rule gives a setting, or None when it says nothing about it."""
    params = rule.parameters
    simple = {
        "deletion": ("allow_deletions", False),
        "non_fast_forward": ("allow_force_pushes", False),
        "required_linear_history": ("required_linear_history", True),
        "required_signatures": ("required_signatures", True),
        "update": ("lock_branch", True),
    }
    if rule.type in simple and simple[rule.type][0] == setting:
        return simple[rule.type][1]
    if rule.type == "pull_request":
        if setting == "required_approving_review_count":
            return int(params.get("required_approving_review_count") or 0)
        if setting == "required_conversation_resolution":
            return bool(params.get("required_review_thread_resolution")) or None
    if rule.type == "required_status_checks" and setting == "contexts":
        return tuple(
            str(c["context"])
            for c in params.get("required_status_checks") or ()
            if isinstance(c, Mapping) and "context" in c
        )
    return None


def enforced_by(
    rules: Sequence[BranchRule], requested: Mapping[str, Any], *, skip_ruleset: int | None = None
) -> dict[str, list[BranchRule]]:
    """Return, per requested setting, the rules that already enforce it (skip followup's own)."""
    out: dict[str, list[BranchRule]] = {}
    for setting, wanted in requested.items():
        for rule in rules:
            if skip_ruleset is not None and rule.ruleset_id == skip_ruleset:
                continue
            value = _value(rule, setting)
            if value is not None and satisfies(setting, value, wanted):
                out.setdefault(setting, []).append(rule)
    return out


__all__ = ["BranchRule", "enforced_by", "parse_branch_rules"]
