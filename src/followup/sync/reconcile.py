"""Find the GitHub issues that already exist for items, so none is ever filed twice.

The store may know nothing (a CI job starts empty) or be behind (a run crashed after
GitHub created an issue). GitHub is the truth: every issue followup files carries a
hidden marker naming the item and its post-mortem, and the `followup` label, so
listing that label's issues (all states) finds them all. The search API is never
used: it lags behind by minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlmodel import Session, col, select

from followup.github.client import GitHub
from followup.github.issue_mapping import RemoteIssue
from followup.github.issues import list_labelled_issues
from followup.github.repos import normalise_repo
from followup.store import identity
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow, PostMortemRow
from followup.store.queries import unfiled_in
from followup.sync.converge import (
    Convergence,
    close_duplicates,
    find_duplicates,
    groups_of,
    winner_of,
)
from followup.sync.links import (
    apply_issue,
    find_issue,
    issue_ref,
    set_tracking_issue,
    upsert_issue,
)
from followup.sync.moved_issues import adoptions
from followup.sync.run_control import RunControl

How = Literal["marker", "title", "moved"]
# How filing says an item's issue was found.
FOUND_BY: Mapping[How, str] = {
    "marker": "by its marker",
    "title": "by title",
    "moved": "under the post-mortem's earlier file name",
}


@dataclass(frozen=True, slots=True)
class Match:
    """An existing issue found for an item: by its marker, by its title, or filed under the
    post-mortem's earlier name (sync/moved_issues.py)."""

    item_id: str
    issue: RemoteIssue
    how: How


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What a repository's followup issues say about the store's items."""

    repo: str
    issues: tuple[RemoteIssue, ...]
    matches: tuple[Match, ...]
    tracking: Mapping[str, RemoteIssue] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def issue_for(self, item_id: str) -> RemoteIssue | None:
        """Return the issue found for an item, if any."""
        return next((m.issue for m in self.matches if m.item_id == item_id), None)


def fetch_followup_issues(client: GitHub, repo: str) -> list[RemoteIssue]:
    """Return the repository's followup-labelled issues, oldest first, without pull requests."""
    found = [i for i in list_labelled_issues(client, repo) if not i.is_pull_request]
    return sorted(found, key=lambda issue: issue.number)


def match_issues(session: Session, repo: str, issues: Iterable[RemoteIssue]) -> Reconciliation:
    """Pair issues with stored items; reads the store, changes nothing.

    A marker naming a stored item matches it. A marker naming an item the store does
    not know (its wording changed, so a fresh store derived another id) matches the
    unlinked item of the same post-mortem with the closest title. When several issues
    carry one item's marker (runs that raced), the item gets the group's winner
    (sync/converge.py: the lowest number not closed as a duplicate), in every store;
    an item linked to another issue of the group moves to the winner. Issues whose
    marker names a post-mortem the store does not know are adopted by the items of the
    post-mortem they were filed from under its file's earlier name, when that is clear
    (sync/moved_issues.py); its tracking issue follows them.
    """
    repo = normalise_repo(repo)
    ordered = sorted(issues, key=lambda issue: issue.number)
    matches: list[Match] = []
    warnings: list[str] = []
    tracking: dict[str, RemoteIssue] = {}
    claimed: dict[str, RemoteIssue] = {}
    unknown: dict[str, list[RemoteIssue]] = defaultdict(list)
    orphans: dict[str, list[RemoteIssue]] = {}

    for (slug, item_id), group in groups_of(ordered).items():
        winner = winner_of(group)
        if item_id is None:
            tracking[slug] = winner
            continue
        item = session.get(ItemRow, item_id)
        if item is None:
            unknown[slug].append(winner)
            continue
        if item.kind != "issue":
            continue
        linked = session.get(IssueRow, item.issue_id) if item.issue_id is not None else None
        if linked is not None and all(
            (linked.repo, linked.number) != (issue.repo, issue.number) for issue in group
        ):
            warnings.append(
                f"{winner.ref} carries the marker of item {item.id}, "
                f"which is linked to {issue_ref(linked)}; it stays so"
            )
            continue
        claimed[item.id] = winner
        matches.append(Match(item.id, winner, "marker"))

    for slug, found in unknown.items():
        pm = session.exec(select(PostMortemRow).where(PostMortemRow.slug == slug)).first()
        if pm is None:
            orphans[slug] = found
            continue
        items = [
            item
            for item in session.exec(
                select(ItemRow).where(*unfiled_in(pm.id, repo)).order_by(col(ItemRow.position))
            )
            if item.id not in claimed
        ]
        pairs = identity.match(
            found, items, lambda i: identity.fingerprint(i.title), lambda it: it.fingerprint
        )
        for j, i in sorted(pairs.items()):
            claimed[items[j].id] = found[i]
            matches.append(Match(items[j].id, found[i], "title"))

    for adoption in adoptions(session, repo, orphans, claimed) if orphans else ():
        for item_id, issue in adoption.items.items():
            claimed[item_id] = issue
            matches.append(Match(item_id, issue, "moved"))
        if adoption.old_slug in tracking and adoption.postmortem.slug not in tracking:
            tracking[adoption.postmortem.slug] = tracking.pop(adoption.old_slug)

    return Reconciliation(repo, tuple(ordered), tuple(matches), tracking, tuple(warnings))


def apply_reconciliation(session: Session, rec: Reconciliation, changes: Changes) -> list[Match]:
    """Link the matched items and tracking issues; return the matches that changed a link.

    Every matched item also takes its issue's status (closed as completed -> done...).
    Nothing is committed.
    """
    changed: list[Match] = []
    for match in rec.matches:
        item = session.get(ItemRow, match.item_id)
        if item is None:
            continue
        before = item.issue_id
        row = apply_issue(
            session, item, match.issue, changes, how="reconciled", at=match.issue.created_at
        )
        if before != row.id:
            changed.append(match)
    for slug, issue in rec.tracking.items():
        pm = session.exec(select(PostMortemRow).where(PostMortemRow.slug == slug)).first()
        if pm is None:
            continue
        current = session.get(IssueRow, pm.tracking_issue_id) if pm.tracking_issue_id else None
        # A second tracking issue of a race gives way to the kept one, in every store.
        if current is None or any(
            (current.repo, current.number) == (other.repo, other.number)
            for other in rec.issues
            if other.tracking and other.postmortem == slug
        ):
            set_tracking_issue(pm, upsert_issue(session, issue))
    return changed


def converge_repo(
    session: Session,
    client: GitHub,
    control: RunControl,
    repo: str,
    changes: Changes,
) -> tuple[Reconciliation, Convergence, list[Match]]:
    """List repo's followup issues afresh, close duplicates, link every item to the kept one.

    This is the converge step of sync/converge.py, under the repository's run lock:
    one fresh list (never conditional: a cached answer could miss an issue created a
    moment ago), the duplicates closed (re-read first), then match_issues and
    apply_reconciliation on the list as it stands after closing. Returns the
    reconciliation, what converging did, and the matches that changed a link. Nothing
    is committed.
    """
    repo = normalise_repo(repo)
    with control.locked(repo):
        issues, converged = converge_on_github(client, control, repo)
        rec, changed = store_convergence(session, repo, issues, converged, changes)
    return rec, converged, changed


def converge_on_github(
    client: GitHub, control: RunControl, repo: str
) -> tuple[list[RemoteIssue], Convergence]:
    """List repo's followup issues afresh and close the duplicates: converge_repo's GitHub half.

    Returns the list as it stands after closing. The caller holds the repository's lock.
    """
    issues = fetch_followup_issues(client, repo)
    duplicates, notes = find_duplicates(issues)
    converged = close_duplicates(client, repo, duplicates, control)
    converged.notes[:0] = notes
    now = {(c.issue.repo, c.issue.number): c.issue for c in converged.closed}
    return [now.get((i.repo, i.number), i) for i in issues], converged


def store_convergence(
    session: Session,
    repo: str,
    issues: Sequence[RemoteIssue],
    converged: Convergence,
    changes: Changes,
) -> tuple[Reconciliation, list[Match]]:
    """Link every item to its kept issue: converge_repo's store half, which sends nothing.

    It may run again on a fresh read (store/retry.write) when a person edits an item meanwhile.
    """
    rec = match_issues(session, repo, issues)
    changed = apply_reconciliation(session, rec, changes)
    for closed in converged.closed:
        # A store that followed the duplicate keeps its row up to date.
        if find_issue(session, closed.issue.repo, closed.issue.number) is not None:
            upsert_issue(session, closed.issue)
    return rec, changed


def reconcile_repo(
    session: Session, client: GitHub, repo: str, *, changes: Changes | None = None
) -> Reconciliation:
    """List a repository's followup issues and link every store item they belong to.

    This is what `followup sync --rebuild --repo R` runs on an empty or damaged store,
    and what filing runs before it creates anything in R. It sends only GETs (one per
    100 issues), links items by marker (or, for reworded items, by title within the
    marker's post-mortem), records the tracking issues, and gives linked items their
    issue's status. Events are written through `changes` (source "github" if none is
    given) and flushed; the caller commits.
    """
    rec = match_issues(session, repo, fetch_followup_issues(client, repo))
    own = changes or Changes(source="github")
    apply_reconciliation(session, rec, own)
    if changes is None:
        own.flush(session)
    return rec
