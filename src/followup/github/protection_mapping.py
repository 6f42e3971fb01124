"""The settings a recommendation can ask for: compare, tighten, and show them in a plan.

Pure functions only. Two shapes of protection are handled: classic branch protection
(github/protection_classic.py, planned by github/classic_plan.py) and repository
rulesets (github/protection_rulesets.py). Both are reduced to `Effective`, the settings
a recommendation can ask for, so that tightening, the plan's diff, verification and
drift detection are computed once for either.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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
    "block_creations": "block creations",
    "allow_fork_syncing": "allow fork syncing",
    "dismiss_stale_reviews": "dismiss stale approvals",
    "require_code_owner_reviews": "require review from code owners",
    "require_last_push_approval": "require approval of the last push",
}

# Settings that are looser when true; every other boolean is looser when false.
_ALLOWANCES = frozenset({"allow_deletions", "allow_force_pushes"})

# GitHub's limits on required approving reviews.
MAX_CLASSIC_REVIEWS = 6
MAX_RULESET_REVIEWS = 10

NOTE_REQUESTED = "requested"
NOTE_IN_EFFECT = "already in effect"
NOTE_DEFAULT = "GitHub's default for a newly protected branch"
NOTE_WITH_RULESET = "comes with the ruleset"
NOTE_RESTORE = "restored: it was on before an interrupted run"


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


# -- summaries --------------------------------------------------------------------------------


def summary(requested: Mapping[str, Any]) -> str:
    """Return the requested settings in one line, e.g. 'allow_deletions=false'."""
    return ", ".join(f"{k}={json.dumps(_jsonable(v))}" for k, v in requested.items())
