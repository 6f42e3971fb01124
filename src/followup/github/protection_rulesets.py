"""Repository rulesets as data: read GitHub's JSON, tighten followup's ruleset, compare.

Pure functions only. followup keeps one ruleset per branch or pattern, named
"followup: <branch>"; rulesets layer (GitHub applies every active one, the strictest
wins), so writing followup's own ruleset never touches a rule someone else set. Also
reads GET .../rules/branches/{branch}, the rules in effect on a branch and the ruleset
(repository or organisation) each comes from, so a plan can say what is already
enforced and where.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from followup.github.protection_compare import Weakening
from followup.github.protection_mapping import (
    NOTE_RESTORE,
    NOTE_WITH_RULESET,
    DiffRow,
    Effective,
    Shortfall,
    format_value,
    satisfies,
    setting_rows,
    shortfalls,
    tighten,
)
from followup.postmortem.model import PROTECTION_SETTINGS

RULESET_PREFIX = "followup: "
# The built-in admin role's id among repository roles, as rulesets' bypass actors name it.
ADMIN_ROLE_ID = 5


class NotRuleset(ValueError):
    """GitHub's answer is not a whole ruleset; problems says what is wrong."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class Ruleset:
    """A repository ruleset; rules and bypass actors are kept as GitHub sent them."""

    name: str
    id: int | None = None
    target: str = "branch"
    enforcement: str = "active"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rules: tuple[dict[str, Any], ...] = ()
    bypass_actors: tuple[dict[str, Any], ...] = ()


def ruleset_name(branch: str) -> str:
    """Return the name of the ruleset followup keeps for a branch or pattern."""
    return f"{RULESET_PREFIX}{branch}"


def branch_ref(branch: str) -> str:
    """Return the ref pattern a ruleset condition uses for a branch or pattern."""
    return f"refs/heads/{branch}"


def find_ruleset_id(summaries: Iterable[Mapping[str, Any]], branch: str) -> int | None:
    """Return the id of followup's ruleset for the branch among GET .../rulesets items."""
    name = ruleset_name(branch)
    for summary in summaries:
        if summary.get("name") == name and summary.get("source_type", "Repository") == "Repository":
            return int(summary["id"])
    return None


def parse_ruleset(data: Any) -> Ruleset:
    """Read GitHub's repository-ruleset JSON; raise NotRuleset unless it is a whole one."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise NotRuleset(["the answer is not a JSON object"])
    if not isinstance(data.get("name"), str):
        problems.append("no name")
    if not isinstance(data.get("id"), int):
        problems.append("no id")
    if data.get("enforcement") not in ("active", "evaluate", "disabled"):
        problems.append("no enforcement")
    rules = data.get("rules")
    if rules is not None and (
        not isinstance(rules, list)
        or not all(isinstance(r, Mapping) and isinstance(r.get("type"), str) for r in rules)
    ):
        problems.append("rules is not a list of rules")
    if problems:
        raise NotRuleset(problems)
    ref_name = ((data.get("conditions") or {}).get("ref_name")) or {}
    return Ruleset(
        name=str(data.get("name", "")),
        id=int(data["id"]) if data.get("id") is not None else None,
        target=str(data.get("target") or "branch"),
        enforcement=str(data.get("enforcement") or "disabled"),
        include=tuple(ref_name.get("include") or ()),
        exclude=tuple(ref_name.get("exclude") or ()),
        rules=tuple(dict(r) for r in data.get("rules") or () if isinstance(r, Mapping)),
        bypass_actors=tuple(dict(a) for a in data.get("bypass_actors") or ()),
    )


def _is_admin_bypass(actor: Mapping[str, Any]) -> bool:
    kind = actor.get("actor_type")
    return kind == "OrganizationAdmin" or (
        kind == "RepositoryRole" and actor.get("actor_id") == ADMIN_ROLE_ID
    )


def _rule(rules: Iterable[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    return next((r for r in rules if r.get("type") == kind), None)


def _params(rule: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return (rule or {}).get("parameters") or {}


def covers(ruleset: Ruleset, branch: str) -> bool:
    """Tell whether an active branch ruleset applies to the branch or pattern."""
    ref = branch_ref(branch)
    return (
        ruleset.target == "branch"
        and ruleset.enforcement == "active"
        and (ref in ruleset.include or "~ALL" in ruleset.include)
        and ref not in ruleset.exclude
    )


def _rules_effective(ruleset: Ruleset) -> Effective:
    """Return the settings a ruleset's rules give, as if it applied."""
    rules = ruleset.rules
    pull = _rule(rules, "pull_request")
    checks = _params(_rule(rules, "required_status_checks")).get("required_status_checks") or ()
    return Effective(
        allow_deletions=_rule(rules, "deletion") is None,
        allow_force_pushes=_rule(rules, "non_fast_forward") is None,
        required_approving_review_count=(
            int(_params(pull).get("required_approving_review_count") or 0) if pull else None
        ),
        required_linear_history=_rule(rules, "required_linear_history") is not None,
        required_signatures=_rule(rules, "required_signatures") is not None,
        required_conversation_resolution=bool(
            _params(pull).get("required_review_thread_resolution", False)
        ),
        lock_branch=_rule(rules, "update") is not None,
        # Rulesets bind administrators unless they are listed as bypass actors.
        enforce_admins=not any(_is_admin_bypass(a) for a in ruleset.bypass_actors),
        contexts=tuple(str(c["context"]) for c in checks if isinstance(c, Mapping)),
    )


def effective_ruleset(ruleset: Ruleset | None, branch: str) -> Effective:
    """Return the requestable settings a ruleset gives the branch (none if it does not apply)."""
    if ruleset is None or not covers(ruleset, branch):
        return Effective()
    return _rules_effective(ruleset)


PULL_REQUEST_DEFAULTS: dict[str, Any] = {
    "dismiss_stale_reviews_on_push": False,
    "require_code_owner_review": False,
    "require_last_push_approval": False,
    "required_approving_review_count": 0,
    "required_review_thread_resolution": False,
}


def _merge_rules(
    rules: Iterable[Mapping[str, Any]], target: Effective
) -> tuple[dict[str, Any], ...]:
    """Return the rules with what target needs added; no rule or parameter is loosened."""
    out = [copy.deepcopy(dict(r)) for r in rules]

    def ensure(kind: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
        found = next((r for r in out if r.get("type") == kind), None)
        if found is None:
            found = {"type": kind}
            if parameters is not None:
                found["parameters"] = parameters
            out.append(found)
        return found

    if not target.allow_deletions:
        ensure("deletion")
    if not target.allow_force_pushes:
        ensure("non_fast_forward")
    if target.lock_branch:
        ensure("update", {"update_allows_fetch_and_merge": False})
    if target.required_linear_history:
        ensure("required_linear_history")
    if target.required_signatures:
        ensure("required_signatures")
    if (
        target.required_approving_review_count is not None
        or target.required_conversation_resolution
    ):
        params = ensure("pull_request").setdefault("parameters", {})
        for key, value in PULL_REQUEST_DEFAULTS.items():
            params.setdefault(key, value)
        params["required_approving_review_count"] = max(
            int(params["required_approving_review_count"] or 0),
            target.required_approving_review_count or 0,
        )
        params["required_review_thread_resolution"] = bool(
            params["required_review_thread_resolution"] or target.required_conversation_resolution
        )
    if target.contexts:
        params = ensure("required_status_checks").setdefault("parameters", {})
        params.setdefault("strict_required_status_checks_policy", False)
        checks = params.setdefault("required_status_checks", [])
        present = {c.get("context") for c in checks}
        checks.extend({"context": c} for c in target.contexts if c not in present)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class RulesetPlan:
    """followup's ruleset for a branch as it is, as it will be, and the diff between them."""

    branch: str
    existing: Ruleset | None
    desired: Ruleset
    rows: tuple[DiffRow, ...]
    missing: tuple[Shortfall, ...]
    restore: tuple[Weakening, ...] = ()  # what interrupted runs left weaker than they found

    @property
    def satisfied(self) -> bool:
        """Tell whether every requested setting is in effect and nothing is to be restored."""
        return not self.missing and not self.restore


def _describe_ruleset(ruleset: Ruleset | None) -> str:
    return "none" if ruleset is None else f"{ruleset.name} ({ruleset.enforcement})"


def plan_ruleset(
    existing: Ruleset | None,
    branch: str,
    requested: Mapping[str, Any],
    floor: Ruleset | None = None,
) -> RulesetPlan:
    """Return followup's ruleset for the branch tightened by the request (and restored to floor)."""
    live = effective_ruleset(existing, branch)
    missing = tuple(shortfalls(live, requested))
    restore = tuple(ruleset_weakenings(floor, existing, branch)) if floor is not None else ()
    base = existing or Ruleset(name=ruleset_name(branch))
    if not missing and not restore:
        rows = setting_rows(live, live, requested)
        return RulesetPlan(branch, existing, base, tuple(rows), ())
    if floor is not None:
        base = merge_ruleset(floor, existing, branch)
    # The ruleset is switched on below, so its own rules count even if it is off today.
    target = tighten(_rules_effective(base), requested)
    desired = _switched_on(base, branch, target)
    rows = setting_rows(
        live, effective_ruleset(desired, branch), requested, default_note=NOTE_WITH_RULESET
    )
    for weak in restore:
        rows.append(DiffRow(weak.setting, weak.now, weak.was, NOTE_RESTORE))
    if existing is None:
        note = "created"
    elif covers(existing, branch):
        note = "updated"
    else:
        note = "updated and switched on for this branch"
    rows.insert(
        0, DiffRow("ruleset", _describe_ruleset(existing), _describe_ruleset(desired), note)
    )
    return RulesetPlan(branch, existing, desired, tuple(rows), missing, restore)


def _switched_on(base: Ruleset, branch: str, target: Effective) -> Ruleset:
    """Return base active on the branch with target's rules added."""
    ref = branch_ref(branch)
    bypass = base.bypass_actors
    if target.enforce_admins:
        bypass = tuple(a for a in bypass if not _is_admin_bypass(a))
    return replace(
        base,
        target="branch",
        enforcement="active",
        include=base.include if ref in base.include else (*base.include, ref),
        exclude=tuple(x for x in base.exclude if x != ref),
        rules=_merge_rules(base.rules, target),
        bypass_actors=bypass,
    )


# -- comparing, merging, snapshots ----------------------------------------------------------


# Rule types that the settings a recommendation can ask for already compare.
_SETTING_RULES = frozenset(
    {
        "deletion",
        "non_fast_forward",
        "update",
        "required_linear_history",
        "required_signatures",
        "pull_request",
        "required_status_checks",
    }
)


def ruleset_weakenings(floor: Ruleset | None, live: Ruleset | None, branch: str) -> list[Weakening]:
    """Return every way live is looser than floor; empty when it is at least as strict."""
    if floor is None:
        return []
    if live is None:
        return [Weakening("followup's ruleset", floor.name, "deleted")]
    out: list[Weakening] = []
    if covers(floor, branch) and not covers(live, branch):
        out.append(Weakening("ruleset enforcement", "active on the branch", live.enforcement))
    was, now = _rules_effective(floor), _rules_effective(live)
    for name in PROTECTION_SETTINGS:
        if not satisfies(name, now.value(name), was.value(name)):
            out.append(
                Weakening(
                    name, format_value(name, was.value(name)), format_value(name, now.value(name))
                )
            )
    known = {r.get("type") for r in live.rules} | _SETTING_RULES
    out += [
        Weakening(f"rule {r['type']}", "present", "removed")
        for r in floor.rules
        if r.get("type") not in known
    ]
    added = [a for a in live.bypass_actors if a not in floor.bypass_actors]
    if added and not _is_admin_only(added, floor, live):
        out.append(
            Weakening("bypass actors", str(len(floor.bypass_actors)), str(len(live.bypass_actors)))
        )
    return out


def _is_admin_only(added: list[dict[str, Any]], floor: Ruleset, live: Ruleset) -> bool:
    # An added admin bypass is already reported as enforce_admins.
    return all(_is_admin_bypass(a) for a in added) and not _rules_effective(live).enforce_admins


def merge_ruleset(target: Ruleset, live: Ruleset | None, branch: str) -> Ruleset:
    """Return live (or target, if there is none) with every rule of target kept or added.

    Rules someone added to live meanwhile stay; no parameter is loosened; bypass actors
    are only those both allow.
    """
    if live is None:
        return target
    rules = list(_merge_rules(live.rules, _rules_effective(target)))
    known = {r.get("type") for r in rules}
    rules += [copy.deepcopy(dict(r)) for r in target.rules if r.get("type") not in known]
    bypass = tuple(a for a in live.bypass_actors if a in target.bypass_actors)
    merged = replace(live, rules=tuple(rules), bypass_actors=bypass)
    return _switched_on(merged, branch, Effective()) if covers(target, branch) else merged


def ruleset_json(ruleset: Ruleset | None) -> dict[str, Any] | None:
    """Return a ruleset as GitHub's JSON (with its id), for intents; None for none."""
    if ruleset is None:
        return None
    return {**ruleset_payload(ruleset), "id": ruleset.id}


def ruleset_from_json(data: Mapping[str, Any] | None) -> Ruleset | None:
    """Read what ruleset_json wrote."""
    return None if data is None else parse_ruleset(data)


def ruleset_payload(ruleset: Ruleset) -> dict[str, Any]:
    """Return the POST/PUT .../rulesets body for a ruleset."""
    return {
        "name": ruleset.name,
        "target": ruleset.target,
        "enforcement": ruleset.enforcement,
        "bypass_actors": [dict(a) for a in ruleset.bypass_actors],
        "conditions": {
            "ref_name": {"include": list(ruleset.include), "exclude": list(ruleset.exclude)}
        },
        "rules": [copy.deepcopy(r) for r in ruleset.rules],
    }
