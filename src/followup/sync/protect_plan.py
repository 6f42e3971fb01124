"""Plan branch protection for one item: which method, what changes, what to warn about.

A plan reads the branch's live protection (classic, or followup's ruleset), the floor
left by interrupted runs, and, for the user's information, the rules already in effect
on the branch and the checks that have reported on its latest commit. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from followup.config import ProtectionMethod
from followup.errors import FollowupError
from followup.github import protection as rest
from followup.github.branch_rules import enforced_by
from followup.github.classic_plan import ClassicPlan, plan_classic, writes_toward
from followup.github.protection_classic import LiveProtection, effective_classic
from followup.github.protection_compare import strictest
from followup.github.protection_mapping import (
    MAX_CLASSIC_REVIEWS,
    MAX_RULESET_REVIEWS,
    DiffRow,
)
from followup.github.protection_rulesets import (
    Ruleset,
    RulesetPlan,
    effective_ruleset,
    merge_ruleset,
    plan_ruleset,
)
from followup.store.protection import Method, ProtectionIntent
from followup.sync.protect_reads import (
    ProtectionReads,
    classic_floor,
    read_whole,
    ruleset_floor,
)
from followup.sync.protection_targets import Target
from followup.sync.run_control import ends_run

NO_REPO = (
    "no repository for this item: pass --repo on import or set repo: in the front matter, "
    "then import again"
)


@dataclass(frozen=True, slots=True)
class ProtectionPlan:
    """What protecting one item's branch would change, or why it cannot be done."""

    item_id: str
    title: str
    status: str
    repo: str | None
    branch: str
    requested: dict[str, Any]
    method: Method | None = None
    rows: tuple[DiffRow, ...] = ()
    satisfied: bool = False
    error: str | None = None
    note: str | None = None
    ruleset_id: int | None = None
    # Requested checks that have not reported on the branch's latest commit: requiring
    # one would block every pull request until it does.
    unseen_checks: tuple[str, ...] = ()
    checks_note: str | None = None
    # (setting, where) for requested settings a ruleset already enforces on the branch.
    enforced: tuple[tuple[str, str], ...] = ()
    # What an interrupted run left weaker than it found, which applying puts back.
    restore: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """Return owner/name:branch."""
        return f"{self.repo or '?'}:{self.branch}"

    @property
    def changes(self) -> tuple[DiffRow, ...]:
        """Return the rows that applying the plan changes."""
        return tuple(row for row in self.rows if row.changed)

    @property
    def writes(self) -> bool:
        """Tell whether applying the plan sends anything to GitHub."""
        return self.error is None and not self.satisfied

    @property
    def warnings(self) -> tuple[str, ...]:
        """Return what the user should know before applying, one line each."""
        out: list[str] = []
        if self.unseen_checks and not self.satisfied:
            names = ", ".join(self.unseen_checks)
            why = self.checks_note or f"never reported on the latest commit of {self.branch}"
            out.append(
                f"status check {names} {why}: requiring it blocks every pull request until it "
                "reports"
            )
        if self.restore:
            out.append(
                "an interrupted run left this branch weaker than it found it; applying "
                f"restores: {'; '.join(self.restore)}"
            )
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A plan and what applying it needs: the method's own plan and the floor."""

    plan: ProtectionPlan
    classic: ClassicPlan | None = None
    ruleset: RulesetPlan | None = None
    classic_floor: LiveProtection | None = None
    ruleset_floor: Ruleset | None = None

    @property
    def before(self) -> LiveProtection | Ruleset | None:
        """Return what the branch must keep: the live read merged with the floor."""
        if self.classic is not None:
            live = self.classic.live
            return strictest(self.classic_floor, live) if self.classic_floor else live
        assert self.ruleset is not None
        existing = self.ruleset.existing
        if self.ruleset_floor is None:
            return existing
        return merge_ruleset(self.ruleset_floor, existing, self.ruleset.branch)


def _choose(target: Target, method: ProtectionMethod) -> ProtectionMethod:
    if method != "auto":
        return method
    if target.spec.is_pattern:
        return "ruleset"
    # An item once protected by a ruleset keeps it, even after its branch was created.
    return "ruleset" if target.protection.method == "ruleset" else "auto"


def _check_counts(method: Method, requested: Mapping[str, Any]) -> str | None:
    count = requested.get("required_approving_review_count")
    limit = MAX_CLASSIC_REVIEWS if method == "classic" else MAX_RULESET_REVIEWS
    if count is not None and count > limit:
        kind = "classic branch protection" if method == "classic" else "a ruleset"
        return f"{kind} allows at most {limit} required approving reviews, not {count}"
    return None


def _unseen(
    reads: ProtectionReads, target: Target, required: Sequence[str]
) -> tuple[tuple[str, ...], str | None]:
    """Return the requested checks not yet required that have not reported, and why."""
    new = [c for c in target.requested_contexts if c not in required]
    if not new or target.repo is None:
        return (), None
    if target.spec.is_pattern:
        return tuple(new), "cannot be confirmed for a pattern of branches"
    seen = reads.reported(target.repo, target.branch)
    if seen is None:
        return tuple(new), f"could not be confirmed on {target.branch} (no commit, or no access)"
    return tuple(c for c in new if c not in seen), None


def _enforced(
    reads: ProtectionReads, target: Target, requested: Mapping[str, Any], own: int | None
) -> tuple[tuple[str, str], ...]:
    if target.repo is None or target.spec.is_pattern:
        return ()
    rules = reads.rules(target.repo, target.branch)
    if not rules:
        return ()
    found = enforced_by(rules, requested, skip_ruleset=own)
    return tuple((setting, rule.where) for setting, hits in found.items() for rule in hits)


def _noted(rows: tuple[DiffRow, ...], enforced: Sequence[tuple[str, str]]) -> tuple[DiffRow, ...]:
    """Add to each row where its setting is already enforced by a ruleset."""
    where: dict[str, list[str]] = {}
    for setting, place in enforced:
        where.setdefault(setting, []).append(place)
    out = []
    for row in rows:
        noted = row
        if row.setting in where:
            extra = f"also enforced by {', '.join(where[row.setting])}"
            noted = replace(row, note=f"{row.note}; {extra}" if row.note else extra)
        out.append(noted)
    return tuple(out)


def prepare(
    reads: ProtectionReads,
    target: Target,
    method: ProtectionMethod,
    intents: Sequence[ProtectionIntent] = (),
    *,
    informative: bool = True,
) -> Prepared:
    """Read the live protection of one item's branch and plan the change.

    informative also reads what a plan shows but applying does not need: the rules in
    effect on the branch and the checks reported on it.
    """
    requested = target.spec.requested()
    base = ProtectionPlan(
        item_id=target.item_id,
        title=target.title,
        status=target.status,
        repo=target.repo,
        branch=target.branch,
        requested=requested,
    )

    def failed(message: str, chosen: Method | None = None) -> Prepared:
        return Prepared(replace(base, error=message, method=chosen))

    if not target.repo:
        return failed(NO_REPO)
    if not target.branch:
        return failed("the recommendation names no branch; edit the post-mortem and import again")
    if not requested:
        return failed("the recommendation asks for no protection setting")
    chosen = _choose(target, method)
    if target.spec.is_pattern and chosen == "classic":
        return failed(
            f"{target.branch} is a pattern, which needs a ruleset: set protection_method "
            "to ruleset or auto",
            "classic",
        )
    try:
        if chosen != "ruleset":
            try:
                live = reads.classic(target.repo, target.branch)
            except rest.BranchNotFound:
                if chosen == "classic":
                    raise
                missing = (
                    f"{target.branch} does not exist yet: a ruleset protects it from its creation"
                )
                return _prepare_ruleset(reads, target, base, intents, missing, informative)
            problem = _check_counts("classic", requested)
            if problem:
                return failed(problem, "classic")
            prepared = _prepare_classic(reads, target, base, live, intents, informative)
            if chosen == "auto" and _layer_instead(target, prepared):
                layered = _layered(reads, target, base, intents, informative)
                if layered is not None:
                    return layered
            return prepared
        pattern = f"{target.branch} is a pattern: a ruleset protects every matching branch"
        note = pattern if target.spec.is_pattern else None
        return _prepare_ruleset(reads, target, base, intents, note, informative)
    except FollowupError as exc:
        if ends_run(exc):
            raise
        return failed(str(exc), chosen if chosen != "auto" else None)


def _prepare_classic(
    reads: ProtectionReads,
    target: Target,
    base: ProtectionPlan,
    live: LiveProtection,
    intents: Sequence[ProtectionIntent],
    informative: bool,
) -> Prepared:
    floor = classic_floor(intents)
    classic = plan_classic(live, base.requested, floor)
    if not informative and live.required_signatures is None and _puts(classic):
        # A PUT switches signed commits off: what the branch has must be known before it,
        # for the intent and the comparison afterwards.
        assert target.repo is not None
        live = read_whole(reads.client, target.repo, target.branch, live)
        classic = plan_classic(live, base.requested, floor)
    plan = replace(
        base,
        method="classic",
        rows=classic.rows,
        satisfied=classic.satisfied,
        restore=tuple(w.describe() for w in classic.restore),
    )
    if informative:
        plan = _informed(reads, target, plan, effective_classic(live).contexts, None)
    return Prepared(plan, classic=classic, classic_floor=floor)


def _prepare_ruleset(
    reads: ProtectionReads,
    target: Target,
    base: ProtectionPlan,
    intents: Sequence[ProtectionIntent],
    note: str | None,
    informative: bool,
) -> Prepared:
    assert target.repo is not None
    problem = _check_counts("ruleset", base.requested)
    if problem:
        return Prepared(replace(base, error=problem, method="ruleset"))
    existing = reads.ruleset(target.repo, target.branch)
    floor = ruleset_floor(intents, target.branch)
    ruleset = plan_ruleset(existing, target.branch, base.requested, floor)
    plan = replace(
        base,
        method="ruleset",
        rows=ruleset.rows,
        satisfied=ruleset.satisfied,
        note=note,
        ruleset_id=existing.id if existing else None,
        restore=tuple(w.describe() for w in ruleset.restore),
    )
    if informative:
        required = effective_ruleset(existing, target.branch).contexts
        plan = _informed(reads, target, plan, required, existing.id if existing else None)
    return Prepared(plan, ruleset=ruleset, ruleset_floor=floor)


def _layer_instead(target: Target, prepared: Prepared) -> bool:
    """Tell whether auto should add a ruleset rather than rewrite the classic protection.

    Only a branch someone else protected, whose plan needs the full-replacement PUT: the
    PUT would rewrite every setting they made, including one they change meanwhile.
    """
    classic = prepared.classic
    if classic is None or prepared.plan.satisfied or not classic.live.protected:
        return False
    if target.protection.method is not None or prepared.classic_floor is not None:
        return False  # followup's own classic protection stays classic
    return _puts(classic)


def _puts(classic: ClassicPlan) -> bool:
    """Tell whether carrying out the plan takes the full-replacement PUT."""
    return any(w.method == "PUT" for w in writes_toward(classic.live, classic.desired))


def _layered(
    reads: ProtectionReads,
    target: Target,
    base: ProtectionPlan,
    intents: Sequence[ProtectionIntent],
    informative: bool,
) -> Prepared | None:
    """Return a ruleset plan layered over the classic protection; None without rulesets."""
    note = (
        f"{target.branch} already has classic protection: followup adds these settings as a "
        "ruleset of its own, so that nothing set there is rewritten"
    )
    try:
        prepared = _prepare_ruleset(reads, target, base, intents, note, informative)
    except rest.ProtectionError:
        return None  # no rulesets here (plan, server version, token): classic it is
    return prepared if prepared.plan.error is None else None


def _informed(
    reads: ProtectionReads,
    target: Target,
    plan: ProtectionPlan,
    required: Sequence[str],
    own_ruleset: int | None,
) -> ProtectionPlan:
    """Add to a plan what rulesets enforce already and which new checks never reported."""
    unseen, why = _unseen(reads, target, required)
    enforced = _enforced(reads, target, plan.requested, own_ruleset)
    return replace(
        plan,
        rows=_noted(plan.rows, enforced),
        unseen_checks=unseen,
        checks_note=why,
        enforced=enforced,
    )


__all__ = ["NO_REPO", "Prepared", "ProtectionPlan", "prepare"]
