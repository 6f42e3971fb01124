"""What a protection run reads from GitHub, once per branch, and the floor it must keep.

Reads are shared by the items on the same branch within one run. A write forgets what was
read of its branch, and apply reads every branch afresh right before writing to it, so
no write is built from a read older than the run's own writes.

The floor is what an interrupted run found on a branch before it wrote: each item keeps
it as its intent (store/protection.py) until a run verifies the branch, and every later
run restores it before anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import String, cast, func
from sqlmodel import Session, select

from followup.errors import FollowupError
from followup.github import protection as rest
from followup.github.branch_rules import BranchRule
from followup.github.client import GitHub
from followup.github.protection_classic import LiveProtection, NotProtection, classic_from_json
from followup.github.protection_compare import strictest
from followup.github.protection_rulesets import (
    NotRuleset,
    Ruleset,
    merge_ruleset,
    ruleset_from_json,
)
from followup.store.models import ItemRow
from followup.store.protection import ProtectionIntent, protection_of
from followup.sync.run_control import ends_run

T = TypeVar("T")

Key = tuple[str, str, str]


class ProtectionReads:
    """The live protection read during one run, shared by the items on the same branch."""

    def __init__(self, client: GitHub) -> None:
        self.client = client
        self._seen: dict[Key, object] = {}

    def _read(self, key: Key, read: Callable[[], T]) -> T:
        if key not in self._seen:
            try:
                self._seen[key] = read()
            except FollowupError as exc:
                if ends_run(exc):
                    raise
                # The same refusal would come back for every item on this branch.
                self._seen[key] = exc
        value = self._seen[key]
        if isinstance(value, FollowupError):
            raise value
        return value  # type: ignore[return-value]

    @staticmethod
    def _key(kind: str, repo: str, branch: str) -> Key:
        return kind, repo.lower(), branch

    def classic(self, repo: str, branch: str) -> LiveProtection:
        """Return the branch's classic protection, read once per run."""
        return self._read(
            self._key("classic", repo, branch),
            lambda: rest.get_protection(self.client, repo, branch),
        )

    def ruleset(self, repo: str, branch: str) -> Ruleset | None:
        """Return followup's ruleset for the branch, read once per run."""
        return self._read(
            self._key("ruleset", repo, branch),
            lambda: rest.find_ruleset(self.client, repo, branch),
        )

    def rules(self, repo: str, branch: str) -> list[BranchRule] | None:
        """Return the rules in effect on the branch (None if the token may not read them)."""
        return self._read(
            self._key("rules", repo, branch),
            lambda: rest.branch_rules(self.client, repo, branch),
        )

    def reported(self, repo: str, branch: str) -> set[str] | None:
        """Return the checks reported on the branch's latest commit (None if unknown)."""
        return self._read(
            self._key("checks", repo, branch),
            lambda: rest.reported_checks(self.client, repo, branch),
        )

    def knows(self, repo: str, branch: str) -> bool:
        """Tell whether the branch's protection was read already in this run."""
        return any(self._key(kind, repo, branch) in self._seen for kind in ("classic", "ruleset"))

    def forget(self, repo: str, branch: str) -> None:
        """Drop what was read of the branch's protection, before reading it for a write."""
        for kind in ("classic", "ruleset"):
            self._seen.pop(self._key(kind, repo, branch), None)

    def saw(self, repo: str, branch: str, value: LiveProtection | Ruleset | None) -> None:
        """Keep the read that verified a write, for the next item's plan on the branch."""
        kind = "classic" if isinstance(value, LiveProtection) else "ruleset"
        self._seen[self._key(kind, repo, branch)] = value


def read_whole(client: GitHub, repo: str, branch: str, live: LiveProtection) -> LiveProtection:
    """Fill in signed commits when the read did not say (a PUT resets them: they must be known)."""
    if not live.protected or live.required_signatures is not None:
        return live
    return replace(live, required_signatures=rest.signatures_required(client, repo, branch))


# -- the floor left by interrupted runs --------------------------------------------------------


def intents_on(session: Session, repo: str, branch: str) -> list[tuple[str, ProtectionIntent]]:
    """Return (item id, intent) of every item whose write to the branch is unfinished."""
    found: list[tuple[str, ProtectionIntent]] = []
    # Matched on the JSON text first: intents are rare, protection items may be many.
    pending = func.lower(cast(ItemRow.protection_applied, String)).like('%"pending"%')
    rows = session.exec(select(ItemRow).where(ItemRow.kind == "branch_protection", pending))
    for row in rows:
        protection = protection_of(row)
        if (
            protection is not None
            and protection.intent is not None
            and (protection.repo or "").lower() == repo.lower()
            and protection.branch == branch
        ):
            found.append((row.id, protection.intent))
    return found


def classic_floor(intents: Sequence[ProtectionIntent]) -> LiveProtection | None:
    """Return the strictest classic protection the interrupted runs found, if any."""
    floor: LiveProtection | None = None
    for intent in intents:
        if intent.method != "classic":
            continue
        try:
            before = classic_from_json(intent.before)
        except NotProtection:
            continue  # written by followup itself: cannot happen short of a hand edit
        floor = before if floor is None else strictest(floor, before)
    return floor


def ruleset_floor(intents: Sequence[ProtectionIntent], branch: str) -> Ruleset | None:
    """Return followup's ruleset as the interrupted runs found it, merged, if any."""
    floor: Ruleset | None = None
    for intent in intents:
        if intent.method != "ruleset":
            continue
        try:
            before = ruleset_from_json(intent.before)
        except NotRuleset:
            continue
        if before is not None:
            floor = before if floor is None else merge_ruleset(floor, before, branch)
    return floor


__all__ = ["ProtectionReads", "classic_floor", "intents_on", "read_whole", "ruleset_floor"]
