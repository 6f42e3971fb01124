"""An item's branch protection, typed: read from the stored JSON here and written back here.

Two JSON columns hold it: `action_item.protection` (the recommendation: repository,
branch or pattern, and the settings asked for under GitHub's REST names) and
`action_item.protection_applied` (what followup last applied and verified, and the
intent of a write still under way). Nothing else reads or writes their keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from followup.postmortem.model import ProtectionSpec

if TYPE_CHECKING:
    from followup.store.models import ItemRow

Method = Literal["classic", "ruleset"]
METHODS: tuple[Method, ...] = ("classic", "ruleset")


def _method(value: Any) -> Method | None:
    return cast(Method, value) if value in METHODS else None


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class ProtectionIntent:
    """A protection write under way, kept until a run verifies the branch afterwards.

    `before` is what the branch had right before the first write, as GitHub's JSON
    (classic protection, or followup's ruleset; None for none): the floor that no run
    may leave the branch below, even one that was killed half-way.
    """

    method: Method
    started_at: datetime
    before: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "method": self.method,
            "started_at": self.started_at.isoformat(),
            "before": dict(self.before) if self.before is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProtectionIntent | None:
        """Read the stored form; None when it is not one."""
        method, started = _method(data.get("method")), _time(data.get("started_at"))
        if method is None or started is None:
            return None
        before = data.get("before")
        return cls(method, started, dict(before) if isinstance(before, Mapping) else None)


@dataclass(frozen=True, slots=True)
class AppliedProtection:
    """What followup last applied to an item's branch, and whether it read back in effect."""

    method: Method
    repo: str
    branch: str
    settings: Mapping[str, Any] = field(default_factory=dict)  # as requested then
    ruleset_id: int | None = None
    ruleset_name: str | None = None
    changes: tuple[Mapping[str, Any], ...] = ()  # the plan's rows that changed, as JSON
    applied_at: datetime | None = None
    verified: bool = False
    etag: str | None = None  # of the last drift read, which is then free while unchanged

    def to_json(self) -> dict[str, Any]:
        """Return the stored form."""
        return {
            "method": self.method,
            "repo": self.repo,
            "branch": self.branch,
            "ruleset_id": self.ruleset_id,
            "ruleset_name": self.ruleset_name,
            "settings": dict(self.settings),
            "changes": [dict(c) for c in self.changes],
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
            "verified": self.verified,
            "etag": self.etag,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], repo: str, branch: str) -> AppliedProtection | None:
        """Read the stored form (repo and branch fill in for old records); None if none."""
        method = _method(data.get("method"))
        if method is None:
            return None
        ruleset_id = data.get("ruleset_id")
        return cls(
            method=method,
            repo=str(data.get("repo") or repo),
            branch=str(data.get("branch") or branch),
            settings=dict(data.get("settings") or {}),
            ruleset_id=int(ruleset_id) if isinstance(ruleset_id, int) else None,
            ruleset_name=data.get("ruleset_name"),
            changes=tuple(dict(c) for c in data.get("changes") or () if isinstance(c, Mapping)),
            applied_at=_time(data.get("applied_at")),
            verified=bool(data.get("verified")),
            etag=data.get("etag"),
        )


@dataclass(frozen=True, slots=True)
class BranchProtection:
    """An item's branch protection: where, what was asked, and what followup did about it."""

    repo: str | None  # the recommendation's repository, else the item's
    spec: ProtectionSpec  # the branch (or pattern) and the settings asked for
    applied: AppliedProtection | None = None
    intent: ProtectionIntent | None = None

    @property
    def branch(self) -> str:
        """Return the branch or pattern asked for."""
        return self.spec.branch

    @property
    def is_pattern(self) -> bool:
        """Tell whether the branch is a glob such as ``release/*``."""
        return self.spec.is_pattern

    @property
    def method(self) -> Method | None:
        """Return how followup protects the branch: the method it applied last, if any."""
        if self.applied is not None:
            return self.applied.method
        return self.intent.method if self.intent is not None else None

    @property
    def where(self) -> str:
        """Return owner/name:branch, for messages."""
        return f"{self.repo or '?'}:{self.branch}"

    def requested(self) -> dict[str, Any]:
        """Return the settings asked for, by GitHub's REST names."""
        return self.spec.requested()

    def to_json(self) -> dict[str, Any]:
        """Return the recommendation in its stored (and public JSON) form."""
        return {**self.spec.to_dict(), "repo": self.repo}

    def applied_json(self) -> dict[str, Any] | None:
        """Return what goes into protection_applied: the applied record and any intent."""
        out: dict[str, Any] = self.applied.to_json() if self.applied is not None else {}
        if self.intent is not None:
            out["pending"] = self.intent.to_json()
        return out or None

    @classmethod
    def from_stored(
        cls,
        protection: Mapping[str, Any] | None,
        applied: Mapping[str, Any] | None = None,
        *,
        item_repo: str | None = None,
    ) -> BranchProtection | None:
        """Read the two stored columns; None for an item that asks for no protection."""
        if not protection:
            return None
        spec = ProtectionSpec.from_dict({**protection, "branch": protection.get("branch") or ""})
        repo = spec.repo or item_repo
        record: AppliedProtection | None = None
        intent: ProtectionIntent | None = None
        if applied:
            record = AppliedProtection.from_json(applied, repo or "", spec.branch)
            pending = applied.get("pending")
            if isinstance(pending, Mapping):
                intent = ProtectionIntent.from_json(pending)
        return cls(repo, spec, record, intent)


def protection_of(item: ItemRow) -> BranchProtection | None:
    """Return the item's branch protection, or None when it asks for none."""
    return BranchProtection.from_stored(
        item.protection, item.protection_applied, item_repo=item.repo
    )


def store_applied(
    item: ItemRow,
    protection: BranchProtection,
    *,
    applied: AppliedProtection | Literal["keep"] | None = "keep",
    intent: ProtectionIntent | Literal["keep"] | None = "keep",
) -> BranchProtection:
    """Write the applied record and the intent to the item; return the protection as stored."""
    updated = protection
    if applied != "keep":
        updated = replace(updated, applied=applied)
    if intent != "keep":
        updated = replace(updated, intent=intent)
    item.protection_applied = updated.applied_json()
    return updated


__all__ = [
    "METHODS",
    "AppliedProtection",
    "BranchProtection",
    "Method",
    "ProtectionIntent",
    "protection_of",
    "store_applied",
]
