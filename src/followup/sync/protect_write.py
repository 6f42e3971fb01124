"""Write one branch's protection so that nothing live before is weaker after, whatever fails.

The loop, for classic protection and followup's ruleset alike:

1. start from a read made right before writing (apply re-reads every branch first);
2. send the requests that bring that read up to the target (the floor: what the branch
   had before, and what interrupted runs found; tightened by the request);
3. after an uncertain request (a 502, a timeout, a dropped connection: GitHub may or may
   not have applied it) stop and read the branch again; after a refused one, read and stop;
   after the last one, read again too;
4. compare the whole read with the target, every setting and not only the requested ones;
   after an uncertain request, or when anything is weaker than before the run, what is
   still below the target is sent again from the new read (a restore), up to MAX_ROUNDS.
   A request GitHub answered but did not carry out is not repeated: that is reported.

What happened is returned step by step, for the store's events; the caller decides the
outcome from `weakened` (below what was live before) and `missing` (requested, not in
effect).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

from followup.errors import FollowupError
from followup.github import protection as rest
from followup.github.classic_plan import ClassicPlan, Write, writes_toward
from followup.github.errors import TransientError
from followup.github.protection_classic import LiveProtection, effective_classic
from followup.github.protection_compare import Weakening, weakenings
from followup.github.protection_mapping import Shortfall, shortfalls
from followup.github.protection_rulesets import (
    Ruleset,
    RulesetPlan,
    effective_ruleset,
    merge_ruleset,
    ruleset_payload,
    ruleset_weakenings,
)
from followup.sync.protect_reads import ProtectionReads, read_whole
from followup.sync.run_control import ends_run

MAX_ROUNDS = 3

T = TypeVar("T")

StepOutcome = Literal["sent", "uncertain", "refused"]


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a protection write and what came of it."""

    request: str  # e.g. "PUT …/protection"
    outcome: StepOutcome
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        """Return the JSON form kept in events."""
        return {"request": self.request, "outcome": self.outcome, "detail": self.detail}


@dataclass(slots=True)
class Written:
    """What writing one branch did, and what the last read found."""

    after: LiveProtection | Ruleset | None = None  # the last read
    steps: list[Step] = field(default_factory=list)
    # What a read after writing found weaker than before the run, round by round (then sent
    # again, and `restored` if the end is verified).
    found: list[tuple[str, ...]] = field(default_factory=list)
    weakened: list[Weakening] = field(default_factory=list)
    missing: list[Shortfall] = field(default_factory=list)
    unreadable: str | None = None  # the read after writing failed: the state is unknown
    refused: str | None = None  # GitHub refused a request (403, 404, 422)
    ruleset_id: int | None = None
    ruleset_name: str | None = None

    @property
    def wrote(self) -> bool:
        """Tell whether any request was sent."""
        return bool(self.steps)

    @property
    def verified(self) -> bool:
        """Tell whether the last read shows the target: nothing weaker, nothing missing."""
        return self.unreadable is None and not self.weakened and not self.missing

    @property
    def restored(self) -> tuple[str, ...]:
        """Return what a read after writing found weaker and a later round put back."""
        if not self.verified:
            return ()
        return tuple(dict.fromkeys(d for found in self.found for d in found))

    @property
    def partial(self) -> tuple[Step, ...]:
        """Return the requests whose outcome was not a plain answer."""
        return tuple(s for s in self.steps if s.outcome != "sent")


def _send(written: Written, name: str, request: Callable[[], T]) -> tuple[StepOutcome, T | None]:
    """Send one request; record and return what came of it, with GitHub's answer if sent."""
    try:
        answer = request()
    except TransientError as exc:
        written.steps.append(Step(name, "uncertain", str(exc)))
        return "uncertain", None
    except rest.MalformedAnswer as exc:
        # An answer that is not what was written: it may or may not have been applied.
        written.steps.append(Step(name, "uncertain", str(exc)))
        return "uncertain", None
    except FollowupError as exc:
        if ends_run(exc):
            raise
        written.steps.append(Step(name, "refused", str(exc)))
        written.refused = str(exc)
        return "refused", None
    written.steps.append(Step(name, "sent"))
    return "sent", answer


def _gaps(live: Ruleset | None, goal: Ruleset, requested: Mapping[str, Any], branch: str) -> bool:
    """Tell whether followup's ruleset as read falls short of the goal or the request."""
    if live is None:
        return True
    return bool(
        ruleset_weakenings(goal, live, branch)
        or shortfalls(effective_ruleset(live, branch), requested)
    )


def _found(written: Written, weaker: list[Weakening]) -> None:
    """Keep what a read after writing found weaker than before the run (sent again next)."""
    if weaker:
        written.found.append(tuple(w.describe() for w in weaker))


# -- classic protection ---------------------------------------------------------------------


def _failing_last(writes: list[Write], written: Written) -> list[Write]:
    """Put requests that failed before after the others, so that one cannot block them all.

    A PUT stays first: it resets what the others set.
    """
    if any(w.method == "PUT" for w in writes):
        return writes
    failed = {s.request for s in written.steps if s.outcome != "sent"}
    return sorted(writes, key=lambda w: w.name in failed)


def write_classic(
    reads: ProtectionReads,
    repo: str,
    branch: str,
    plan: ClassicPlan,
    requested: Mapping[str, Any],
    before: LiveProtection,
) -> Written:
    """Bring the branch's classic protection up to the plan's target; see the module doc.

    before is what the branch must keep (the read the plan was made from, merged with
    what interrupted runs found).
    """
    client = reads.client
    reads.forget(repo, branch)
    live = plan.live
    target = plan.desired
    written = Written()
    for round_ in range(MAX_ROUNDS):
        writes = writes_toward(live, target)
        if not writes:
            break
        if round_ > 0:
            _found(written, weakenings(before, live))
            writes = _failing_last(writes, written)
        outcome: StepOutcome = "sent"
        for write in writes:
            outcome, _ = _send(
                written, write.name, partial(rest.send_write, client, repo, branch, write)
            )
            if outcome != "sent":
                break
        try:
            live = read_whole(client, repo, branch, rest.get_protection(client, repo, branch))
        except FollowupError as exc:
            if ends_run(exc):
                raise
            written.unreadable = f"could not read the protection back after writing: {exc}"
            return written
        # Sent again only what an uncertain request may have missed, or what the writes
        # left weaker than before: a request GitHub answered and ignored is not repeated.
        if outcome == "refused" or (outcome == "sent" and not weakenings(before, live)):
            break
    reads.saw(repo, branch, live)
    written.after = live
    written.weakened = weakenings(before, live)
    written.missing = shortfalls(effective_classic(live), requested)
    return written


# -- followup's ruleset ---------------------------------------------------------------------


def _reread_ruleset(
    reads: ProtectionReads, repo: str, branch: str, ruleset_id: int | None
) -> Ruleset | None:
    if ruleset_id is not None:
        return rest.get_ruleset(reads.client, repo, ruleset_id)
    # A create may have gone through unseen: the name finds it without a duplicate.
    return rest.find_ruleset(reads.client, repo, branch)


def write_ruleset(
    reads: ProtectionReads,
    repo: str,
    branch: str,
    plan: RulesetPlan,
    requested: Mapping[str, Any],
    before: Ruleset | None,
) -> Written:
    """Bring followup's ruleset for the branch up to the plan's target; see the module doc.

    before is what the ruleset must keep, as for write_classic.
    """
    client = reads.client
    reads.forget(repo, branch)
    live = plan.existing
    target = plan.desired
    written = Written(ruleset_name=target.name)
    ruleset_id = live.id if live is not None else None
    for round_ in range(MAX_ROUNDS):
        goal = merge_ruleset(target, live, branch)
        if not _gaps(live, goal, requested, branch):
            break
        if round_ > 0:
            _found(written, ruleset_weakenings(before, live, branch))
        payload = ruleset_payload(goal)
        if ruleset_id is not None:
            outcome, answer = _send(
                written,
                f"PUT …/rulesets/{ruleset_id}",
                partial(rest.update_ruleset, client, repo, ruleset_id, payload),
            )
        else:
            outcome, answer = _send(
                written, "POST …/rulesets", partial(rest.create_ruleset, client, repo, payload)
            )
        if answer is not None and answer.id is not None:
            ruleset_id = answer.id
        try:
            live = _reread_ruleset(reads, repo, branch, ruleset_id)
        except FollowupError as exc:
            if ends_run(exc):
                raise
            written.unreadable = f"could not read the ruleset back after writing: {exc}"
            written.ruleset_id = ruleset_id
            return written
        if live is not None:
            ruleset_id = live.id
        if outcome == "refused" or (
            outcome == "sent" and not ruleset_weakenings(before, live, branch)
        ):
            break
    reads.saw(repo, branch, live)
    written.after = live
    written.ruleset_id = ruleset_id
    written.weakened = ruleset_weakenings(before, live, branch)
    written.missing = shortfalls(effective_ruleset(live, branch), requested)
    return written


__all__ = ["MAX_ROUNDS", "Step", "Written", "write_classic", "write_ruleset"]
