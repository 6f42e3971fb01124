"""Compare two classic protections setting by setting, and merge them into the strictest.

Pure functions only. Every setting GitHub has counts here, not only the ones a
recommendation can ask for: `weakenings(before, after)` is how a write is checked
against what the branch had before it, and `strictest` is how a write keeps what
someone else tightened meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from followup.github.protection_classic import (
    Actors,
    LiveProtection,
    Reviews,
    StatusCheck,
    StatusChecks,
)
from followup.github.protection_mapping import LABELS

_LOOSE_WHEN_TRUE = frozenset({"allow_deletions", "allow_force_pushes", "allow_fork_syncing"})
_FLAGS = (
    "enforce_admins",
    "required_signatures",
    "required_linear_history",
    "allow_force_pushes",
    "allow_deletions",
    "block_creations",
    "required_conversation_resolution",
    "lock_branch",
    "allow_fork_syncing",
)


def _flag_strictest(name: str, a: bool | None, b: bool | None) -> bool | None:
    loose = name in _LOOSE_WHEN_TRUE
    if a is None or b is None:
        # Unknown (not reported) beside a value: only a strict value demands anything.
        known = b if a is None else a
        return known if known is not None and known != loose else None
    return (a and b) if loose else (a or b)


def _who_strictest(a: Actors | None, b: Actors | None, *, none_is_open: bool) -> Actors | None:
    """Return the stricter list of who may do something; a when neither contains the other.

    For push and dismissal restrictions None means anyone (the loosest); for bypass
    allowances None means nobody (the strictest).
    """
    if a is None or b is None:
        if none_is_open:
            return b if a is None else a
        return None
    if b.within(a):
        return b
    return a


def _checks_strictest(a: StatusChecks | None, b: StatusChecks | None) -> StatusChecks | None:
    if a is None or b is None:
        return b if a is None else a
    merged: list[StatusCheck] = []
    for check in (*a.checks, *b.checks):
        if any(m.context == check.context for m in merged):
            continue
        app = a.app_of(check.context)
        merged.append(
            StatusCheck(check.context, app if app is not None else b.app_of(check.context))
        )
    return StatusChecks(strict=a.strict or b.strict, checks=tuple(merged))


def _reviews_strictest(a: Reviews | None, b: Reviews | None) -> Reviews | None:
    if a is None or b is None:
        return b if a is None else a
    return Reviews(
        required_approving_review_count=max(
            a.required_approving_review_count, b.required_approving_review_count
        ),
        dismiss_stale_reviews=a.dismiss_stale_reviews or b.dismiss_stale_reviews,
        require_code_owner_reviews=a.require_code_owner_reviews or b.require_code_owner_reviews,
        require_last_push_approval=a.require_last_push_approval or b.require_last_push_approval,
        dismissal_restrictions=_who_strictest(
            a.dismissal_restrictions, b.dismissal_restrictions, none_is_open=True
        ),
        bypass_pull_request_allowances=_who_strictest(
            a.bypass_pull_request_allowances, b.bypass_pull_request_allowances, none_is_open=False
        ),
    )


def strictest(a: LiveProtection, b: LiveProtection) -> LiveProtection:
    """Return a protection at least as strict as both, setting by setting.

    Where neither of two lists of actors contains the other, a's is kept: pass the
    protection whose lists must win first.
    """
    if not a.protected or not b.protected:
        return b if not a.protected else a
    flags: dict[str, Any] = {
        name: _flag_strictest(name, getattr(a, name), getattr(b, name)) for name in _FLAGS
    }
    return replace(
        a,
        required_status_checks=_checks_strictest(
            a.required_status_checks, b.required_status_checks
        ),
        required_pull_request_reviews=_reviews_strictest(
            a.required_pull_request_reviews, b.required_pull_request_reviews
        ),
        restrictions=_who_strictest(a.restrictions, b.restrictions, none_is_open=True),
        **flags,
    )


@dataclass(frozen=True, slots=True)
class Weakening:
    """A setting that is looser than it should be: its name, what it was, what it is."""

    setting: str
    was: str
    now: str

    def describe(self) -> str:
        """Return the weakening as a short phrase."""
        return f"{LABELS.get(self.setting, self.setting)} went from {self.was} to {self.now}"

    def to_json(self) -> dict[str, str]:
        """Return the JSON form kept in events."""
        return {"setting": self.setting, "was": self.was, "now": self.now}


def _yes(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _who(value: Actors | None, none: str) -> str:
    if value is None:
        return none
    names = [*value.users, *value.teams, *value.apps]
    return ", ".join(names) or "nobody"


def weakenings(floor: LiveProtection, live: LiveProtection) -> list[Weakening]:
    """Return every way live is looser than floor; empty when live is at least as strict."""
    if not floor.protected:
        return []
    if not live.protected:
        return [Weakening("branch protection", "on", "off")]
    out: list[Weakening] = []
    for name in _FLAGS:
        was, now = getattr(floor, name), getattr(live, name)
        if was is not None and now is not None and _flag_strictest(name, was, now) != now:
            out.append(Weakening(name, _yes(was), _yes(now)))
    out += _check_weakenings(floor.required_status_checks, live.required_status_checks)
    out += _review_weakenings(
        floor.required_pull_request_reviews, live.required_pull_request_reviews
    )
    if _who_strictest(floor.restrictions, live.restrictions, none_is_open=True) != (
        live.restrictions
    ):
        out.append(
            Weakening(
                "push restrictions",
                _who(floor.restrictions, "anyone"),
                _who(live.restrictions, "anyone"),
            )
        )
    return out


def _check_weakenings(floor: StatusChecks | None, live: StatusChecks | None) -> list[Weakening]:
    if floor is None:
        return []
    if live is None:
        return [Weakening("required status checks", ", ".join(floor.contexts) or "on", "none")]
    out: list[Weakening] = []
    if floor.strict and not live.strict:
        out.append(Weakening("require branches to be up to date", "yes", "no"))
    for check in floor.checks:
        if check.context not in live.contexts:
            out.append(Weakening(f"status check {check.context}", "required", "not required"))
        elif check.app_id is not None and live.app_of(check.context) != check.app_id:
            now = live.app_of(check.context)
            out.append(
                Weakening(
                    f"app binding of {check.context}",
                    f"app {check.app_id}",
                    "any app" if now is None else f"app {now}",
                )
            )
    return out


def _review_weakenings(floor: Reviews | None, live: Reviews | None) -> list[Weakening]:
    if floor is None:
        return []
    if live is None:
        return [Weakening("require a pull request", "yes", "no")]
    out: list[Weakening] = []
    if live.required_approving_review_count < floor.required_approving_review_count:
        out.append(
            Weakening(
                "required approving reviews",
                str(floor.required_approving_review_count),
                str(live.required_approving_review_count),
            )
        )
    for name in (
        "dismiss_stale_reviews",
        "require_code_owner_reviews",
        "require_last_push_approval",
    ):
        if getattr(floor, name) and not getattr(live, name):
            out.append(Weakening(name, "yes", "no"))
    if _who_strictest(
        floor.dismissal_restrictions, live.dismissal_restrictions, none_is_open=True
    ) != (live.dismissal_restrictions):
        out.append(
            Weakening(
                "who may dismiss reviews",
                _who(floor.dismissal_restrictions, "anyone"),
                _who(live.dismissal_restrictions, "anyone"),
            )
        )
    if _who_strictest(
        floor.bypass_pull_request_allowances,
        live.bypass_pull_request_allowances,
        none_is_open=False,
    ) != (live.bypass_pull_request_allowances):
        out.append(
            Weakening(
                "who may bypass pull requests",
                _who(floor.bypass_pull_request_allowances, "nobody"),
                _who(live.bypass_pull_request_allowances, "nobody"),
            )
        )
    return out


__all__ = ["Weakening", "strictest", "weakenings"]
