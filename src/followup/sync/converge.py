"""Converge: after runs raced, leave one open issue per item, the same one in every store.

Two runs that share nothing but GitHub (two CI jobs, a laptop and CI) can both find no
issue for an item and both file one. followup does not try to stop that (see
docs/concurrency.md for why); it repairs it, the same way wherever it is seen:

- the issues carrying one item's marker (or one post-mortem's tracking marker) form a
  group; its **winner** is the lowest-numbered issue not closed as a duplicate (the
  lowest of all, if every one is). The rule needs nothing but the list, so every run
  and every store picks the same winner, whatever it saw first;
- every store links the item to the winner (sync/reconcile.match_issues);
- every other issue of the group that is still open is closed as a duplicate of the
  winner by whichever run sees it: re-read first (closed meanwhile, or reopened by a
  person: left alone), then one comment linking the winner (kept under a key, so two
  runs closing the same issue post it once), then `state: closed` with
  `state_reason: duplicate` (`not_planned` where the server does not know
  `duplicate`: GitHub Enterprise Server before it had it).

The winner is never closed (no issue of its group has a lower number), and an issue a
person reopened after followup closed it is never closed again. Filing converges right
after it creates (listing again, fresh), and before it creates, and `sync` converges a
repository whenever its poll shows a marker on an issue the store does not link: so a
run killed between its create and its converge is healed by the next run or sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from followup.github.client import GitHub
from followup.github.errors import GitHubError, Gone, NotFound, Unprocessable
from followup.github.issue_mapping import RemoteIssue
from followup.github.issues import get_issue, set_issue_state
from followup.sync.comments import keep_comment
from followup.sync.run_control import RunControl

DUPLICATE = "duplicate"
# What older servers take instead: GitHub Enterprise Server answers 422 to `duplicate`
# before it knew it.
FALLBACK = "not_planned"
REOPENED = "reopened"

GroupKey = tuple[str, str | None]  # (post-mortem, item id); None: its tracking issue
Note = Callable[[str], None]


def group_key(issue: RemoteIssue) -> GroupKey | None:
    """Return the group an issue belongs to by its marker, or None (no marker, a PR)."""
    if issue.is_pull_request or issue.postmortem is None:
        return None
    if issue.tracking:
        return issue.postmortem, None
    if issue.item_id is None:
        return None
    return issue.postmortem, issue.item_id


def winner_of(group: Sequence[RemoteIssue]) -> RemoteIssue:
    """Return the issue a group keeps: the lowest number not closed as a duplicate."""
    alive = [i for i in group if not (i.state == "closed" and i.state_reason == DUPLICATE)]
    return min(alive or group, key=lambda issue: issue.number)


def groups_of(issues: Iterable[RemoteIssue]) -> dict[GroupKey, list[RemoteIssue]]:
    """Return the marked issues by group, each group by number."""
    groups: dict[GroupKey, list[RemoteIssue]] = {}
    for issue in sorted(issues, key=lambda i: i.number):
        key = group_key(issue)
        if key is not None:
            groups.setdefault(key, []).append(issue)
    return groups


def describe(key: GroupKey) -> str:
    """Return how messages name a group: 'item abc1234' or 'the tracking issue of slug'."""
    postmortem, item_id = key
    return f"item {item_id}" if item_id else f"the tracking issue of {postmortem}"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An open issue of a group that is not its winner: to be closed in its favour."""

    key: GroupKey
    issue: RemoteIssue
    winner: RemoteIssue

    @property
    def item_id(self) -> str | None:
        """Return the item the issues belong to (None: a tracking issue)."""
        return self.key[1]


def find_duplicates(issues: Iterable[RemoteIssue]) -> tuple[list[Duplicate], list[str]]:
    """Return the open issues to close as duplicates, and notes on those left open.

    An open issue whose state_reason is `reopened` was closed once and opened again,
    by a person: it is left open, and a note says so.
    """
    duplicates: list[Duplicate] = []
    notes: list[str] = []
    for key, group in groups_of(issues).items():
        if len(group) < 2:
            continue
        winner = winner_of(group)
        for issue in group:
            if issue.number == winner.number or issue.state != "open":
                continue
            if issue.state_reason == REOPENED:
                notes.append(
                    f"{issue.ref} and {winner.ref} both carry the marker of {describe(key)}; "
                    f"{issue.ref} was reopened by hand, so followup leaves it open "
                    f"(and follows {winner.ref})"
                )
                continue
            duplicates.append(Duplicate(key, issue, winner))
    return duplicates, notes


@dataclass(frozen=True, slots=True)
class Closed:
    """A duplicate that is closed now: by this run, or found closed by another."""

    duplicate: Duplicate
    issue: RemoteIssue  # as GitHub has it now
    by_this_run: bool

    @property
    def message(self) -> str:
        """Return the per-item warning: which issue was kept and which closed."""
        mine, winner = self.duplicate.issue.ref, self.duplicate.winner.ref
        closed = "closed" if self.by_this_run else "another run closed"
        return f"filed twice at the same time ({winner} and {mine}); {closed} {mine} as a duplicate"


@dataclass(slots=True)
class Convergence:
    """What converging a repository's duplicates did."""

    closed: list[Closed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def closed_for(self, item_id: str) -> list[Closed]:
        """Return the duplicates of an item that are closed now."""
        return [c for c in self.closed if c.duplicate.item_id == item_id]

    def extend(self, other: Convergence) -> None:
        """Add another convergence's results to this one."""
        self.closed.extend(other.closed)
        self.notes.extend(other.notes)


def comment_text(winner: RemoteIssue) -> str:
    """Return the comment a closed duplicate gets: what happened, and the issue kept."""
    return (
        "Two followup runs filed this action item at the same time. "
        f"#{winner.number} is the one kept; this issue is closed as its duplicate.\n\n"
        f"Duplicate of #{winner.number}"
    )


def comment_key(duplicate: Duplicate) -> str:
    """Return the key of the comment a duplicate gets (one per duplicate, whoever closes it)."""
    return f"duplicate:{duplicate.item_id or 'tracking'}"


def _close(client: GitHub, repo: str, duplicate: Duplicate) -> RemoteIssue:
    keep_comment(
        client,
        repo,
        duplicate.issue.number,
        comment_key(duplicate),
        comment_text(duplicate.winner),
    )
    try:
        return set_issue_state(client, repo, duplicate.issue.number, "closed", DUPLICATE)
    except Unprocessable:
        return set_issue_state(client, repo, duplicate.issue.number, "closed", FALLBACK)


def close_duplicates(
    client: GitHub,
    repo: str,
    duplicates: Sequence[Duplicate],
    control: RunControl,
) -> Convergence:
    """Close each duplicate in favour of its winner, re-reading it first (module doc).

    Holds the repository's run lock. A failure leaves that duplicate open, with a note:
    the next run or sync closes it. A refused token or a used-up rate limit stops the
    run (control) and the rest is left for later too.
    """
    done = Convergence()
    if not duplicates:
        return done
    with control.locked(repo):
        for duplicate in duplicates:
            if control.halted():
                break
            assert duplicate.issue.number > duplicate.winner.number  # never the winner
            try:
                now = get_issue(client, repo, duplicate.issue.number)
                if now.state != "open":
                    if now.state_reason in (DUPLICATE, FALLBACK):
                        done.closed.append(Closed(duplicate, now, by_this_run=False))
                    continue
                if now.state_reason == REOPENED:
                    continue  # reopened by a person since it was listed
                done.closed.append(Closed(duplicate, _close(client, repo, duplicate), True))
            except (NotFound, Gone):
                continue  # deleted or transferred meanwhile: nothing left to close
            except GitHubError as exc:
                if control.stops_run(exc):
                    break
                done.notes.append(
                    f"could not close {duplicate.issue.ref} as a duplicate of "
                    f"{duplicate.winner.ref} ({exc}); the next run or sync will"
                )
    return done


__all__ = [
    "Closed",
    "Convergence",
    "Duplicate",
    "close_duplicates",
    "comment_text",
    "describe",
    "find_duplicates",
    "group_key",
    "groups_of",
    "winner_of",
]
