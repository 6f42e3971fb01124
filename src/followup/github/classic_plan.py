"""Plan a classic protection change, and the smallest requests that carry it out.

Pure functions only. A plan starts from the live protection and a floor (what the
branch must keep: the live settings, and what interrupted runs found there before them),
tightens it by the request, and never loosens anything. `writes_toward` turns the gap
between a fresh read and the target into requests: a setting with an endpoint of its own
is changed there, and the full-replacement PUT is sent only when a setting has no other
way in (or the branch has no protection yet). Each request is built from the read made
just before it, and keeps whatever that read shows stricter than the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from followup.github.protection_classic import (
    NEWLY_PROTECTED,
    Actors,
    LiveProtection,
    Reviews,
    StatusCheck,
    StatusChecks,
    effective_classic,
)
from followup.github.protection_compare import Weakening, strictest, weakenings
from followup.github.protection_mapping import (
    NOTE_DEFAULT,
    NOTE_RESTORE,
    DiffRow,
    Effective,
    Shortfall,
    setting_rows,
    shortfalls,
    tighten,
)

# Settings that only PUT .../protection can change.
_PUT_ONLY = (
    "allow_deletions",
    "allow_force_pushes",
    "required_linear_history",
    "required_conversation_resolution",
    "lock_branch",
    "block_creations",
    "allow_fork_syncing",
    "restrictions",
)


def with_settings(base: LiveProtection, target: Effective) -> LiveProtection:
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
        # Kept unknown (None) unless asked for: a PUT never carries it anyway.
        required_signatures=True if target.required_signatures else base.required_signatures,
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
    restore: tuple[Weakening, ...] = ()  # what interrupted runs left weaker than they found

    @property
    def satisfied(self) -> bool:
        """Tell whether every requested setting is in effect and nothing is to be restored."""
        return not self.missing and not self.restore


def plan_classic(
    live: LiveProtection, requested: Mapping[str, Any], floor: LiveProtection | None = None
) -> ClassicPlan:
    """Return the live protection tightened by the request (and restored to floor)."""
    restore = tuple(weakenings(floor, live)) if floor is not None else ()
    missing = tuple(shortfalls(effective_classic(live), requested))
    if not missing and not restore:
        rows = setting_rows(effective_classic(live), effective_classic(live), requested)
        return ClassicPlan(live, live, tuple(rows), ())
    base = strictest(floor, live) if floor is not None else live
    if not base.protected:
        base = NEWLY_PROTECTED
    desired = with_settings(base, tighten(effective_classic(base), requested))
    rows = setting_rows(
        effective_classic(live),
        effective_classic(desired),
        requested,
        default_note="" if live.protected else NOTE_DEFAULT,
    )
    shown = {row.setting for row in rows}
    for weak in restore:
        if weak.setting not in shown:
            rows.append(DiffRow(weak.setting, weak.now, weak.was, NOTE_RESTORE))
        else:
            rows = [
                replace(r, note=NOTE_RESTORE) if r.setting == weak.setting and not r.note else r
                for r in rows
            ]
    if not live.protected:
        rows.insert(0, DiffRow("protection", "none", "classic", "the branch is not protected yet"))
    return ClassicPlan(live, desired, tuple(rows), missing, restore)


# -- requests -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Write:
    """One request to .../branches/{branch}/protection[/endpoint] and its body."""

    method: str
    endpoint: tuple[str, ...] = ()
    body: Any = None

    @property
    def name(self) -> str:
        """Return the request as 'PUT …/protection/…', for messages and events."""
        return " ".join((self.method, "/".join(("…/protection", *self.endpoint))))


def _actors_payload(actors: Actors | None) -> dict[str, list[str]] | None:
    return actors.payload() if actors is not None else None


def _review_body(reviews: Reviews) -> dict[str, Any]:
    body: dict[str, Any] = {
        "dismiss_stale_reviews": reviews.dismiss_stale_reviews,
        "require_code_owner_reviews": reviews.require_code_owner_reviews,
        "required_approving_review_count": reviews.required_approving_review_count,
        "require_last_push_approval": reviews.require_last_push_approval,
    }
    # Omitted rather than empty: an empty object would switch the restriction off.
    if reviews.dismissal_restrictions is not None:
        body["dismissal_restrictions"] = reviews.dismissal_restrictions.payload()
    if reviews.bypass_pull_request_allowances is not None:
        body["bypass_pull_request_allowances"] = reviews.bypass_pull_request_allowances.payload()
    return body


def put_payload(desired: LiveProtection) -> dict[str, Any]:
    """Return the full PUT .../protection body: every setting, taken from desired.

    The four nullable fields GitHub requires are always present; flags the server did
    not report are left out. Status checks go as `contexts`, as GitHub's description
    requires; their app bindings follow in a PATCH (see writes_toward).
    """
    checks = desired.required_status_checks
    reviews = desired.required_pull_request_reviews
    body: dict[str, Any] = {
        "required_status_checks": (
            {"strict": checks.strict, "contexts": list(checks.contexts)}
            if checks is not None
            else None
        ),
        "enforce_admins": desired.enforce_admins,
        "required_pull_request_reviews": _review_body(reviews) if reviews is not None else None,
        "restrictions": _actors_payload(desired.restrictions),
        "required_linear_history": desired.required_linear_history,
        "allow_force_pushes": desired.allow_force_pushes,
        "allow_deletions": desired.allow_deletions,
        "block_creations": desired.block_creations,
        "required_conversation_resolution": desired.required_conversation_resolution,
        "lock_branch": desired.lock_branch,
        "allow_fork_syncing": desired.allow_fork_syncing,
    }
    return {k: v for k, v in body.items() if v is not None or k in _NULLABLE}


_NULLABLE = frozenset(
    {"required_status_checks", "required_pull_request_reviews", "restrictions", "enforce_admins"}
)


def _checks_body(checks: StatusChecks) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for check in checks.checks:
        entry: dict[str, Any] = {"context": check.context}
        if check.app_id is not None:
            entry["app_id"] = check.app_id
        entries.append(entry)
    return {"strict": checks.strict, "checks": entries}


def _needs_put(live: LiveProtection, goal: LiveProtection) -> bool:
    if not live.protected:
        return True
    if any(getattr(live, name) != getattr(goal, name) for name in _PUT_ONLY):
        return True
    # The sub-endpoints answer 404 while their part of the protection is off.
    checks_on = live.required_status_checks is None and goal.required_status_checks is not None
    reviews_on = (
        live.required_pull_request_reviews is None
        and goal.required_pull_request_reviews is not None
    )
    return checks_on or reviews_on


def _check_writes(live: StatusChecks, goal: StatusChecks) -> list[Write]:
    if live == goal:
        return []
    added = [c for c in goal.checks if c.context not in live.contexts]
    rebound = [
        c for c in goal.checks if c.context in live.contexts and live.app_of(c.context) != c.app_id
    ]
    if live.strict == goal.strict and not rebound and all(c.app_id is None for c in added):
        return [
            Write(
                "POST",
                ("required_status_checks", "contexts"),
                {"contexts": [c.context for c in added]},
            )
        ]
    return [Write("PATCH", ("required_status_checks",), _checks_body(goal))]


def _review_writes(live: Reviews, goal: Reviews) -> list[Write]:
    if live == goal:
        return []
    wanted, now = _review_body(goal), _review_body(live)
    changed = {k: v for k, v in wanted.items() if now.get(k) != v}
    if (
        goal.bypass_pull_request_allowances is None
        and live.bypass_pull_request_allowances is not None
    ):
        # Nobody may bypass: said with empty lists, as leaving the field out keeps them.
        changed["bypass_pull_request_allowances"] = Actors().payload()
    return [Write("PATCH", ("required_pull_request_reviews",), changed)]


def writes_toward(live: LiveProtection, target: LiveProtection) -> list[Write]:
    """Return the requests that bring a fresh read up to target; nothing live is loosened.

    Empty when live is already at least as strict as target everywhere.
    """
    goal = strictest(target, live)
    if goal == live:
        return []
    writes: list[Write] = []
    if _needs_put(live, goal):
        writes.append(Write("PUT", (), put_payload(goal)))
        checks = goal.required_status_checks
        if checks is not None and any(c.app_id is not None for c in checks.checks):
            # The PUT takes check names only; this binds them to their apps again.
            writes.append(Write("PATCH", ("required_status_checks",), _checks_body(checks)))
        if goal.required_signatures:
            writes.append(Write("POST", ("required_signatures",)))
        return writes
    if goal.enforce_admins and not live.enforce_admins:
        writes.append(Write("POST", ("enforce_admins",)))
    if live.required_status_checks is not None and goal.required_status_checks is not None:
        writes += _check_writes(live.required_status_checks, goal.required_status_checks)
    live_reviews, goal_reviews = (
        live.required_pull_request_reviews,
        goal.required_pull_request_reviews,
    )
    if live_reviews is not None and goal_reviews is not None:
        writes += _review_writes(live_reviews, goal_reviews)
    if goal.required_signatures and not live.required_signatures:
        writes.append(Write("POST", ("required_signatures",)))
    return writes


__all__ = [
    "NOTE_RESTORE",
    "ClassicPlan",
    "Write",
    "plan_classic",
    "put_payload",
    "with_settings",
    "writes_toward",
]
