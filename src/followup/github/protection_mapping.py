"""Branch protection as data: read GitHub's JSON, tighten it by a spec, write GitHub's JSON.

Pure functions only. Two shapes of protection are handled: classic branch protection
(GET/PUT .../branches/{b}/protection) and repository rulesets. Both are reduced to
`Effective`, the settings a recommendation can ask for, so that tightening, the plan's
diff, verification and drift detection are computed once for either.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from followup.postmortem.model import PROTECTION_SETTINGS

# What each setting is called in a plan, in GitHub's own words where it has some.
LABELS: dict[str, str] = {
    "protection": "branch protection",
    "ruleset": "ruleset",
    "allow_deletions": "allow deletions",
    "allow_force_pushes": "allow force pushes",
    "required_approving_review_count": "required approving reviews",
    "required_linear_history": "require linear history",
    "required_signatures": "require signed commits",
    "required_conversation_resolution": "require conversation resolution",
    "lock_branch": "lock branch (read-only)",
    "enforce_admins": "apply to administrators",
    "contexts": "required status checks",
}

# Settings that are looser when true; every other boolean is looser when false.
_ALLOWANCES = frozenset({"allow_deletions", "allow_force_pushes"})

# GitHub's limits on required approving reviews.
MAX_CLASSIC_REVIEWS = 6
MAX_RULESET_REVIEWS = 10

RULESET_PREFIX = "followup: "
# The built-in admin role's id among repository roles, as rulesets' bypass actors name it.
ADMIN_ROLE_ID = 5

NOTE_REQUESTED = "requested"
NOTE_IN_EFFECT = "already in effect"
NOTE_DEFAULT = "GitHub's default for a newly protected branch"
NOTE_WITH_RULESET = "comes with the ruleset"


# -- the settings a recommendation can ask for ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Effective:
    """The settings a recommendation can ask for, as they stand; the default is no protection.

    `required_approving_review_count` is None when no pull request is required at all.
    """

    allow_deletions: bool = True
    allow_force_pushes: bool = True
    required_approving_review_count: int | None = None
    required_linear_history: bool = False
    required_signatures: bool = False
    required_conversation_resolution: bool = False
    lock_branch: bool = False
    enforce_admins: bool = False
    contexts: tuple[str, ...] = ()

    def value(self, name: str) -> Any:
        """Return one setting by its REST name."""
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A requested setting that is not in effect."""

    setting: str
    wanted: Any
    live: Any

    def describe(self) -> str:
        """Return the shortfall as a short phrase."""
        if self.setting == "contexts":
            missing = [c for c in self.wanted if c not in (self.live or ())]
            return f"{LABELS['contexts']} lack {', '.join(missing)}"
        return (
            f"{LABELS.get(self.setting, self.setting)} is {format_value(self.setting, self.live)}"
            f" (wanted {format_value(self.setting, self.wanted)})"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form kept in events."""
        return {
            "setting": self.setting,
            "wanted": _jsonable(self.wanted),
            "live": _jsonable(self.live),
        }


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One line of a plan: a setting, its live value, the value it will have, and why."""

    setting: str
    live: Any
    new: Any
    note: str = ""

    @property
    def changed(self) -> bool:
        """Tell whether applying the plan changes this setting."""
        return bool(self.live != self.new)

    @property
    def label(self) -> str:
        """Return the setting's name as a plan shows it."""
        return LABELS.get(self.setting, self.setting)

    def cells(self) -> tuple[str, str, str, str]:
        """Return the row as the four texts a table shows."""
        return (
            self.label,
            format_value(self.setting, self.live),
            format_value(self.setting, self.new),
            self.note,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form kept in events and protection_applied."""
        return {
            "setting": self.setting,
            "live": _jsonable(self.live),
            "new": _jsonable(self.new),
            "note": self.note,
        }


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def format_value(setting: str, value: Any) -> str:
    """Return a setting's value as a plan shows it."""
    if setting == "required_approving_review_count":
        return "no pull request required" if value is None else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    if value is None:
        return "none"
    return str(value)


def satisfies(setting: str, live: Any, wanted: Any) -> bool:
    """Tell whether a live value is at least as strict as the wanted one."""
    if setting in _ALLOWANCES:
        return bool(wanted) or not live
    if setting == "required_approving_review_count":
        return wanted is None or (live is not None and bool(live >= wanted))
    if setting == "contexts":
        return set(wanted or ()) <= set(live or ())
    return bool(live) or not wanted


def _strictest(setting: str, live: Any, wanted: Any) -> Any:
    if satisfies(setting, live, wanted):
        return live
    if setting in _ALLOWANCES:
        return False
    if setting == "required_approving_review_count":
        return wanted
    if setting == "contexts":
        return tuple(live) + tuple(c for c in wanted if c not in live)
    return True


def tighten(live: Effective, requested: Mapping[str, Any]) -> Effective:
    """Return the live settings made at least as strict as every requested one."""
    changes = {
        name: _strictest(name, live.value(name), wanted)
        for name, wanted in requested.items()
        if name in PROTECTION_SETTINGS
    }
    return replace(live, **changes)


def shortfalls(live: Effective, requested: Mapping[str, Any]) -> list[Shortfall]:
    """Return the requested settings that are not in effect."""
    return [
        Shortfall(name, tuple(wanted) if name == "contexts" else wanted, live.value(name))
        for name, wanted in requested.items()
        if name in PROTECTION_SETTINGS and not satisfies(name, live.value(name), wanted)
    ]


def setting_rows(
    live: Effective, new: Effective, requested: Mapping[str, Any], *, default_note: str = ""
) -> list[DiffRow]:
    """Return a row for every requested setting and every setting that changes."""
    rows: list[DiffRow] = []
    for name in PROTECTION_SETTINGS:
        before, after = live.value(name), new.value(name)
        if name in requested:
            wanted = tuple(requested[name]) if name == "contexts" else requested[name]
            if before != after:
                note = NOTE_REQUESTED
                if name == "contexts" and before:
                    note = "requested; existing checks kept"
            elif wanted == before or (name == "contexts" and set(wanted) <= set(before)):
                note = NOTE_IN_EFFECT
            else:
                note = f"live is stricter than the requested {format_value(name, wanted)}; kept"
            rows.append(DiffRow(name, before, after, note))
        elif before != after:
            rows.append(DiffRow(name, before, after, default_note))
    return rows


# -- classic branch protection --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actors:
    """Users (logins), teams (slugs) and apps (slugs) named by a protection setting."""

    users: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()

    def payload(self) -> dict[str, list[str]]:
        """Return the form PUT .../protection takes."""
        return {"users": list(self.users), "teams": list(self.teams), "apps": list(self.apps)}


@dataclass(frozen=True, slots=True)
class StatusCheck:
    """A required check; app_id binds it to the GitHub App that must report it."""

    context: str
    app_id: int | None = None


@dataclass(frozen=True, slots=True)
class StatusChecks:
    """Required status checks: `strict` means branches must be up to date before merging."""

    strict: bool = False
    checks: tuple[StatusCheck, ...] = ()

    @property
    def contexts(self) -> tuple[str, ...]:
        """Return the names of the required checks."""
        return tuple(check.context for check in self.checks)


@dataclass(frozen=True, slots=True)
class Reviews:
    """Required pull request reviews and their other settings."""

    required_approving_review_count: int = 0
    dismiss_stale_reviews: bool = False
    require_code_owner_reviews: bool = False
    require_last_push_approval: bool = False
    dismissal_restrictions: Actors | None = None
    bypass_pull_request_allowances: Actors | None = None


@dataclass(frozen=True, slots=True)
class LiveProtection:
    """A branch's classic protection as GitHub reports it; the default is an unprotected branch."""

    protected: bool = False
    required_status_checks: StatusChecks | None = None
    enforce_admins: bool = False
    required_pull_request_reviews: Reviews | None = None
    restrictions: Actors | None = None
    required_signatures: bool = False
    required_linear_history: bool = False
    allow_force_pushes: bool = True
    allow_deletions: bool = True
    block_creations: bool = False
    required_conversation_resolution: bool = False
    lock_branch: bool = False
    allow_fork_syncing: bool = False


UNPROTECTED = LiveProtection()
# What PUT .../protection gives a branch that had none, for the settings it must be sent.
NEWLY_PROTECTED = LiveProtection(protected=True, allow_force_pushes=False, allow_deletions=False)


def _enabled(data: Mapping[str, Any], name: str, default: bool) -> bool:
    value = data.get(name)
    if isinstance(value, Mapping):
        return bool(value.get("enabled", default))
    return default


def _names(items: Any, key: str) -> tuple[str, ...]:
    out: list[str] = []
    for entry in items or ():
        if isinstance(entry, Mapping) and entry.get(key):
            out.append(str(entry[key]))
        elif isinstance(entry, str):
            out.append(entry)
    return tuple(out)


def _actors(data: Any) -> Actors | None:
    if not isinstance(data, Mapping):
        return None
    return Actors(
        users=_names(data.get("users"), "login"),
        teams=_names(data.get("teams"), "slug"),
        apps=_names(data.get("apps"), "slug"),
    )


def _status_checks(data: Any) -> StatusChecks | None:
    if not isinstance(data, Mapping):
        return None
    checks = [
        StatusCheck(str(c["context"]), c.get("app_id"))
        for c in data.get("checks") or ()
        if isinstance(c, Mapping) and c.get("context")
    ]
    known = {c.context for c in checks}
    # Old answers list only `contexts`; either list may name a check the other lacks.
    checks += [StatusCheck(str(c)) for c in data.get("contexts") or () if c not in known]
    return StatusChecks(strict=bool(data.get("strict", False)), checks=tuple(checks))


def _reviews(data: Any) -> Reviews | None:
    if not isinstance(data, Mapping):
        return None
    return Reviews(
        required_approving_review_count=int(data.get("required_approving_review_count") or 0),
        dismiss_stale_reviews=bool(data.get("dismiss_stale_reviews", False)),
        require_code_owner_reviews=bool(data.get("require_code_owner_reviews", False)),
        require_last_push_approval=bool(data.get("require_last_push_approval", False)),
        dismissal_restrictions=_actors(data.get("dismissal_restrictions")),
        bypass_pull_request_allowances=_actors(data.get("bypass_pull_request_allowances")),
    )


def parse_classic(data: Mapping[str, Any]) -> LiveProtection:
    """Read GitHub's branch-protection JSON (the GET or PUT answer) into a LiveProtection."""
    return LiveProtection(
        protected=True,
        required_status_checks=_status_checks(data.get("required_status_checks")),
        enforce_admins=_enabled(data, "enforce_admins", False),
        required_pull_request_reviews=_reviews(data.get("required_pull_request_reviews")),
        restrictions=_actors(data.get("restrictions")),
        required_signatures=_enabled(data, "required_signatures", False),
        required_linear_history=_enabled(data, "required_linear_history", False),
        # A protected branch blocks both unless told otherwise.
        allow_force_pushes=_enabled(data, "allow_force_pushes", False),
        allow_deletions=_enabled(data, "allow_deletions", False),
        block_creations=_enabled(data, "block_creations", False),
        required_conversation_resolution=_enabled(data, "required_conversation_resolution", False),
        lock_branch=_enabled(data, "lock_branch", False),
        allow_fork_syncing=_enabled(data, "allow_fork_syncing", False),
    )


def effective_classic(live: LiveProtection) -> Effective:
    """Return the requestable settings of a classic protection."""
    reviews = live.required_pull_request_reviews
    checks = live.required_status_checks
    return Effective(
        allow_deletions=live.allow_deletions,
        allow_force_pushes=live.allow_force_pushes,
        required_approving_review_count=(
            reviews.required_approving_review_count if reviews is not None else None
        ),
        required_linear_history=live.required_linear_history,
        required_signatures=live.required_signatures,
        required_conversation_resolution=live.required_conversation_resolution,
        lock_branch=live.lock_branch,
        enforce_admins=live.enforce_admins,
        contexts=checks.contexts if checks is not None else (),
    )


def _with_settings(base: LiveProtection, target: Effective) -> LiveProtection:
    """Return base with the requestable settings of target and everything else untouched."""
    reviews = base.required_pull_request_reviews
    if target.required_approving_review_count is not None:
        reviews = replace(
            reviews or Reviews(),
            required_approving_review_count=target.required_approving_review_count,
        )
    checks = base.required_status_checks
    if target.contexts:
        current = checks or StatusChecks()
        added = tuple(StatusCheck(c) for c in target.contexts if c not in current.contexts)
        checks = replace(current, checks=current.checks + added)
    return replace(
        base,
        protected=True,
        required_status_checks=checks,
        required_pull_request_reviews=reviews,
        allow_deletions=target.allow_deletions,
        allow_force_pushes=target.allow_force_pushes,
        required_linear_history=target.required_linear_history,
        required_signatures=target.required_signatures,
        required_conversation_resolution=target.required_conversation_resolution,
        lock_branch=target.lock_branch,
        enforce_admins=target.enforce_admins,
    )


@dataclass(frozen=True, slots=True)
class ClassicPlan:
    """What classic protection a branch has, what it will have, and the diff between them."""

    live: LiveProtection
    desired: LiveProtection
    rows: tuple[DiffRow, ...]
    missing: tuple[Shortfall, ...]

    @property
    def satisfied(self) -> bool:
        """Tell whether every requested setting is already in effect."""
        return not self.missing

    @property
    def needs_put(self) -> bool:
        """Tell whether PUT .../protection must be sent (signatures have their own endpoint)."""
        if self.satisfied:
            return False
        return replace(self.desired, required_signatures=False) != replace(
            self.live, required_signatures=False
        )

    @property
    def needs_signatures(self) -> bool:
        """Tell whether signed commits must be switched on."""
        return (
            not self.satisfied
            and self.desired.required_signatures
            and not self.live.required_signatures
        )


def plan_classic(live: LiveProtection, requested: Mapping[str, Any]) -> ClassicPlan:
    """Return the live protection tightened by the requested settings, never loosened."""
    missing = tuple(shortfalls(effective_classic(live), requested))
    if not missing:
        rows = setting_rows(effective_classic(live), effective_classic(live), requested)
        return ClassicPlan(live, live, tuple(rows), ())
    base = live if live.protected else NEWLY_PROTECTED
    desired = _with_settings(base, tighten(effective_classic(base), requested))
    rows = setting_rows(
        effective_classic(live),
        effective_classic(desired),
        requested,
        default_note="" if live.protected else NOTE_DEFAULT,
    )
    if not live.protected:
        rows.insert(0, DiffRow("protection", "none", "classic", "the branch is not protected yet"))
    return ClassicPlan(live, desired, tuple(rows), missing)


def put_payload(desired: LiveProtection) -> dict[str, Any]:
    """Return the full PUT .../protection body: every setting, taken from desired.

    The four nullable fields GitHub requires are always present. Status checks go as
    `contexts` (GitHub takes exactly one of contexts and checks); app bindings that the
    PUT loses are put back by `status_checks_fix`.
    """
    checks = desired.required_status_checks
    reviews = desired.required_pull_request_reviews
    review_body: dict[str, Any] | None = None
    if reviews is not None:
        review_body = {
            "dismiss_stale_reviews": reviews.dismiss_stale_reviews,
            "require_code_owner_reviews": reviews.require_code_owner_reviews,
            "required_approving_review_count": reviews.required_approving_review_count,
            "require_last_push_approval": reviews.require_last_push_approval,
        }
        # Omitted rather than empty: an empty object would switch the restriction off.
        if reviews.dismissal_restrictions is not None:
            review_body["dismissal_restrictions"] = reviews.dismissal_restrictions.payload()
        if reviews.bypass_pull_request_allowances is not None:
            review_body["bypass_pull_request_allowances"] = (
                reviews.bypass_pull_request_allowances.payload()
            )
    return {
        "required_status_checks": (
            {"strict": checks.strict, "contexts": list(checks.contexts)}
            if checks is not None
            else None
        ),
        "enforce_admins": desired.enforce_admins,
        "required_pull_request_reviews": review_body,
        "restrictions": desired.restrictions.payload() if desired.restrictions else None,
        "required_linear_history": desired.required_linear_history,
        "allow_force_pushes": desired.allow_force_pushes,
        "allow_deletions": desired.allow_deletions,
        "block_creations": desired.block_creations,
        "required_conversation_resolution": desired.required_conversation_resolution,
        "lock_branch": desired.lock_branch,
        "allow_fork_syncing": desired.allow_fork_syncing,
    }


def status_checks_fix(desired: LiveProtection, after: LiveProtection) -> dict[str, Any] | None:
    """Return the PATCH .../required_status_checks body that restores lost app bindings, or None."""
    wanted = desired.required_status_checks
    if wanted is None:
        return None
    now = {c.context: c.app_id for c in (after.required_status_checks or StatusChecks()).checks}
    if all(c.app_id is None or now.get(c.context) == c.app_id for c in wanted.checks):
        return None
    checks: list[dict[str, Any]] = []
    for check in wanted.checks:
        entry: dict[str, Any] = {"context": check.context}
        if check.app_id is not None:
            entry["app_id"] = check.app_id
        checks.append(entry)
    return {"strict": wanted.strict, "checks": checks}


# -- repository rulesets --------------------------------------------------------------------


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


def parse_ruleset(data: Mapping[str, Any]) -> Ruleset:
    """Read GitHub's repository-ruleset JSON."""
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

    @property
    def satisfied(self) -> bool:
        """Tell whether every requested setting is already in effect."""
        return not self.missing


def _describe_ruleset(ruleset: Ruleset | None) -> str:
    return "none" if ruleset is None else f"{ruleset.name} ({ruleset.enforcement})"


def plan_ruleset(
    existing: Ruleset | None, branch: str, requested: Mapping[str, Any]
) -> RulesetPlan:
    """Return followup's ruleset for the branch tightened by the requested settings."""
    live = effective_ruleset(existing, branch)
    missing = tuple(shortfalls(live, requested))
    base = existing or Ruleset(name=ruleset_name(branch))
    if not missing:
        rows = setting_rows(live, live, requested)
        return RulesetPlan(branch, existing, base, tuple(rows), ())
    ref = branch_ref(branch)
    # The ruleset is switched on below, so its own rules count even if it is off today.
    target = tighten(_rules_effective(base), requested)
    bypass = base.bypass_actors
    if target.enforce_admins:
        bypass = tuple(a for a in bypass if not _is_admin_bypass(a))
    desired = replace(
        base,
        target="branch",
        enforcement="active",
        include=base.include if ref in base.include else (*base.include, ref),
        exclude=tuple(x for x in base.exclude if x != ref),
        rules=_merge_rules(base.rules, target),
        bypass_actors=bypass,
    )
    rows = setting_rows(
        live, effective_ruleset(desired, branch), requested, default_note=NOTE_WITH_RULESET
    )
    if existing is None:
        note = "created"
    elif covers(existing, branch):
        note = "updated"
    else:
        note = "updated and switched on for this branch"
    rows.insert(
        0, DiffRow("ruleset", _describe_ruleset(existing), _describe_ruleset(desired), note)
    )
    return RulesetPlan(branch, existing, desired, tuple(rows), missing)


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


# -- summaries --------------------------------------------------------------------------------


def summary(requested: Mapping[str, Any]) -> str:
    """Return the requested settings in one line, e.g. 'allow_deletions=false'."""
    return ", ".join(f"{k}={json.dumps(_jsonable(v))}" for k, v in requested.items())
