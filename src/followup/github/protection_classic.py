"""Classic branch protection as data: the model, and GitHub's JSON read and checked.

Pure functions only. `parse_classic` refuses an answer that is not a whole branch
protection (an empty or partial object is an error, never "unprotected"), because a
full-replacement PUT built from it would wipe what it does not show. Comparing and
merging two protections is in github/protection_compare.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from followup.github.protection_mapping import Effective

# Flags every GET .../protection answer carries, whatever is switched on (GitHub's
# description and its example agree on these). An answer without one of them is not a
# whole protection: building a full PUT from it would reset the setting it does not show.
_REQUIRED_FLAGS = (
    "enforce_admins",
    "required_linear_history",
    "allow_force_pushes",
    "allow_deletions",
    "required_conversation_resolution",
    "lock_branch",
    "allow_fork_syncing",
)
# Flags GitHub's own example of the answer leaves out: when absent they are unknown
# (None), never sent back in a PUT, and never compared. Signed commits have their own
# endpoint, which the writer asks before a PUT when the answer did not say.
_OPTIONAL_FLAGS = ("required_signatures", "block_creations")


class NotProtection(ValueError):
    """GitHub's answer is not a whole branch protection; problems says what is wrong."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


# -- the model ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actors:
    """Users (logins), teams (slugs) and apps (slugs) named by a protection setting."""

    users: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()

    def payload(self) -> dict[str, list[str]]:
        """Return the form PUT .../protection takes."""
        return {"users": list(self.users), "teams": list(self.teams), "apps": list(self.apps)}

    def within(self, other: Actors) -> bool:
        """Tell whether every actor named here is also named by other."""
        return (
            set(self.users) <= set(other.users)
            and set(self.teams) <= set(other.teams)
            and set(self.apps) <= set(other.apps)
        )


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

    def app_of(self, context: str) -> int | None:
        """Return the app a check is bound to, if any."""
        return next((c.app_id for c in self.checks if c.context == context), None)


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
    """A branch's classic protection as GitHub reports it; the default is an unprotected branch.

    required_signatures and block_creations are None when the answer did not report them.
    """

    protected: bool = False
    required_status_checks: StatusChecks | None = None
    enforce_admins: bool = False
    required_pull_request_reviews: Reviews | None = None
    restrictions: Actors | None = None
    required_signatures: bool | None = False
    required_linear_history: bool = False
    allow_force_pushes: bool = True
    allow_deletions: bool = True
    block_creations: bool | None = False
    required_conversation_resolution: bool = False
    lock_branch: bool = False
    allow_fork_syncing: bool = False


UNPROTECTED = LiveProtection()
# What PUT .../protection gives a branch that had none, for the settings it must be sent.
NEWLY_PROTECTED = LiveProtection(protected=True, allow_force_pushes=False, allow_deletions=False)


# -- reading GitHub's JSON ------------------------------------------------------------------


def _flag(data: Mapping[str, Any], name: str, problems: list[str]) -> bool | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("enabled"), bool):
        problems.append(f"{name} is not an object with a boolean 'enabled'")
        return None
    return bool(value["enabled"])


def _names(items: Any, key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        problems.append(f"{where} is not a list")
        return ()
    out: list[str] = []
    for entry in items:
        if isinstance(entry, Mapping) and isinstance(entry.get(key), str):
            out.append(entry[key])
        elif isinstance(entry, str):
            out.append(entry)
        else:
            problems.append(f"{where} holds an entry without a {key}")
    return tuple(out)


def _actors(data: Any, where: str, problems: list[str]) -> Actors | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        problems.append(f"{where} is not an object")
        return None
    return Actors(
        users=_names(data.get("users"), "login", f"{where}.users", problems),
        teams=_names(data.get("teams"), "slug", f"{where}.teams", problems),
        apps=_names(data.get("apps"), "slug", f"{where}.apps", problems),
    )


def _status_checks(data: Any, problems: list[str]) -> StatusChecks | None:
    if data is None:
        return None
    if not isinstance(data, Mapping) or (
        not isinstance(data.get("contexts"), list) and not isinstance(data.get("checks"), list)
    ):
        problems.append("required_status_checks has neither contexts nor checks")
        return None
    checks: list[StatusCheck] = []
    for entry in data.get("checks") or ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("context"), str):
            problems.append("required_status_checks.checks holds an entry without a context")
            continue
        app_id = entry.get("app_id")
        checks.append(StatusCheck(entry["context"], app_id if isinstance(app_id, int) else None))
    known = {c.context for c in checks}
    # Old answers list only `contexts`; either list may name a check the other lacks.
    checks += [StatusCheck(str(c)) for c in data.get("contexts") or () if c not in known]
    return StatusChecks(strict=bool(data.get("strict", False)), checks=tuple(checks))


def _reviews(data: Any, problems: list[str]) -> Reviews | None:
    if data is None:
        return None
    count = data.get("required_approving_review_count") if isinstance(data, Mapping) else None
    if not isinstance(data, Mapping) or (count is not None and not isinstance(count, int)):
        problems.append("required_pull_request_reviews is not a review protection")
        return None
    # Nobody may bypass whether the lists are empty or absent: one value for both.
    bypass = _actors(
        data.get("bypass_pull_request_allowances"), "bypass_pull_request_allowances", problems
    )
    return Reviews(
        required_approving_review_count=int(count or 0),
        dismiss_stale_reviews=bool(data.get("dismiss_stale_reviews", False)),
        require_code_owner_reviews=bool(data.get("require_code_owner_reviews", False)),
        require_last_push_approval=bool(data.get("require_last_push_approval", False)),
        dismissal_restrictions=_actors(
            data.get("dismissal_restrictions"), "dismissal_restrictions", problems
        ),
        bypass_pull_request_allowances=bypass if bypass != Actors() else None,
    )


def parse_classic(data: Any) -> LiveProtection:
    """Read GitHub's GET .../protection answer; raise NotProtection unless it is a whole one."""
    if not isinstance(data, Mapping):
        raise NotProtection(["the answer is not a JSON object"])
    problems: list[str] = []
    if not isinstance(data.get("url"), str):
        problems.append("no url")
    missing = [name for name in _REQUIRED_FLAGS if name not in data]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    flags = {name: _flag(data, name, problems) for name in (*_REQUIRED_FLAGS, *_OPTIONAL_FLAGS)}
    live = LiveProtection(
        protected=True,
        required_status_checks=_status_checks(data.get("required_status_checks"), problems),
        enforce_admins=bool(flags["enforce_admins"]),
        required_pull_request_reviews=_reviews(data.get("required_pull_request_reviews"), problems),
        restrictions=_actors(data.get("restrictions"), "restrictions", problems),
        required_signatures=flags["required_signatures"],
        required_linear_history=bool(flags["required_linear_history"]),
        allow_force_pushes=bool(flags["allow_force_pushes"]),
        allow_deletions=bool(flags["allow_deletions"]),
        block_creations=flags["block_creations"],
        required_conversation_resolution=bool(flags["required_conversation_resolution"]),
        lock_branch=bool(flags["lock_branch"]),
        allow_fork_syncing=bool(flags["allow_fork_syncing"]),
    )
    if problems:
        raise NotProtection(problems)
    return live


def classic_json(live: LiveProtection) -> dict[str, Any] | None:
    """Return live as GitHub's GET answer would give it (None when unprotected).

    parse_classic reads it back to the same LiveProtection; intents store it.
    """
    if not live.protected:
        return None

    def actors(value: Actors | None) -> dict[str, Any] | None:
        if value is None:
            return None
        return {
            "users": [{"login": u} for u in value.users],
            "teams": [{"slug": t} for t in value.teams],
            "apps": [{"slug": a} for a in value.apps],
        }

    out: dict[str, Any] = {"url": "followup:snapshot"}
    for name in (*_REQUIRED_FLAGS, *_OPTIONAL_FLAGS):
        value = getattr(live, name)
        if value is not None:
            out[name] = {"enabled": value}
    checks = live.required_status_checks
    if checks is not None:
        out["required_status_checks"] = {
            "strict": checks.strict,
            "contexts": list(checks.contexts),
            "checks": [{"context": c.context, "app_id": c.app_id} for c in checks.checks],
        }
    reviews = live.required_pull_request_reviews
    if reviews is not None:
        out["required_pull_request_reviews"] = {
            "required_approving_review_count": reviews.required_approving_review_count,
            "dismiss_stale_reviews": reviews.dismiss_stale_reviews,
            "require_code_owner_reviews": reviews.require_code_owner_reviews,
            "require_last_push_approval": reviews.require_last_push_approval,
            "dismissal_restrictions": actors(reviews.dismissal_restrictions),
            "bypass_pull_request_allowances": actors(reviews.bypass_pull_request_allowances),
        }
    if live.restrictions is not None:
        out["restrictions"] = actors(live.restrictions)
    return out


def classic_from_json(data: Mapping[str, Any] | None) -> LiveProtection:
    """Read what classic_json wrote."""
    return UNPROTECTED if data is None else parse_classic(data)


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
        required_signatures=bool(live.required_signatures),
        required_conversation_resolution=live.required_conversation_resolution,
        lock_branch=live.lock_branch,
        enforce_admins=live.enforce_admins,
        contexts=checks.contexts if checks is not None else (),
    )


__all__ = [
    "NEWLY_PROTECTED",
    "UNPROTECTED",
    "Actors",
    "LiveProtection",
    "NotProtection",
    "Reviews",
    "StatusCheck",
    "StatusChecks",
    "classic_from_json",
    "classic_json",
    "effective_classic",
    "parse_classic",
]
