"""Say what a filing run would do: read the store and GitHub, write nothing anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import Session

from followup.github.client import GitHub
from followup.github.errors import AuthError, GitHubError, Gone, NotFound, RateLimited
from followup.github.issue_mapping import (
    LabelSpec,
    NewIssue,
    TrackedEntry,
    build_tracking_body,
    is_login,
    label_spec,
    same_label,
    tracking_title,
)
from followup.github.issues import can_be_assigned, get_issue, list_label_names
from followup.store.models import IssueRow
from followup.sync.candidates import (
    NO_REPO,
    Action,
    Candidate,
    by_repo,
    candidates,
    document_path,
    explain,
    labels_for,
    missing_reference,
    new_issue,
    postmortems_of,
    tracked_entries,
    tracking_repo,
    unique_labels,
)
from followup.sync.links import issue_ref
from followup.sync.reconcile import Reconciliation, fetch_followup_issues, match_issues

TrackingAction = Literal["create", "update", "unchanged", "skip"]


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """What filing would do with one item, and why."""

    item_id: str
    title: str
    postmortem: str
    repo: str | None
    action: Action
    reason: str
    issue: NewIssue | None = None  # the exact issue a create would send
    target: str | None = None  # owner/name#12 for a link
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedTracking:
    """What filing would do with a post-mortem's tracking issue."""

    postmortem: str
    repo: str | None
    action: TrackingAction
    title: str
    body: str
    target: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class FilingPlan:
    """What a filing run would create, link and skip; nothing was written anywhere."""

    items: tuple[PlannedItem, ...]
    checked_github: bool
    labels_to_create: tuple[tuple[str, tuple[LabelSpec, ...]], ...] = ()
    tracking: tuple[PlannedTracking, ...] = ()
    notes: tuple[str, ...] = ()

    def having(self, action: Action) -> list[PlannedItem]:
        """Return the items with one action."""
        return [item for item in self.items if item.action == action]

    @property
    def failed(self) -> bool:
        """Tell whether some item could not be filed as things stand."""
        return any(item.action == "fail" for item in self.items)


# -- planning (reads only) ------------------------------------------------------------


def plan_filing(
    engine: Engine,
    client: GitHub | None,
    *,
    item_ids: Sequence[str] | None = None,
    postmortems: Sequence[str] | None = None,
    include_drafts: bool = False,
    tracking_issue: bool = False,
    default_repo: str | None = None,
) -> FilingPlan:
    """Say what file_items would do, sending only reads to GitHub and writing nothing.

    Without a client (no token) GitHub is not checked: items that already have issues
    there show as creates, and the plan says so.
    """
    notes: list[str] = []
    planned: dict[str, PlannedItem] = {}
    labels: list[tuple[str, tuple[LabelSpec, ...]]] = []
    tracking: list[PlannedTracking] = []
    checked = client is not None
    with Session(engine) as session:
        cands = candidates(session, item_ids, postmortems, include_drafts, default_repo)
        for c in cands:
            if c.action in ("skip", "fail"):
                planned[c.item.id] = _planned(c, c.action, c.reason)
        if client is None:
            notes.append(
                "GitHub was not checked (no token): items that already have an issue there "
                "would be linked to it, not created again"
            )
        checker = _PlanChecker(session, client, notes)
        for c in cands:
            if c.action == "link":
                planned[c.item.id] = checker.link(c)
        for repo, group in by_repo(c for c in cands if c.action == "create"):
            labels_needed = checker.creates(repo, group, planned)
            if labels_needed:
                labels.append((repo, labels_needed))
        if tracking_issue:
            tracking = _plan_tracking(session, cands, planned, checker)
        checked = checker.client is not None
    order = [c.item.id for c in cands]
    return FilingPlan(
        items=tuple(planned[i] for i in order if i in planned),
        checked_github=checked,
        labels_to_create=tuple(labels),
        tracking=tuple(tracking),
        notes=tuple(notes),
    )


def _planned(
    c: Candidate,
    action: Action,
    reason: str,
    *,
    issue: NewIssue | None = None,
    target: str | None = None,
    url: str | None = None,
) -> PlannedItem:
    if c.issue is not None and target is None:
        target, url = issue_ref(c.issue), c.issue.url
    return PlannedItem(
        item_id=c.item.id,
        title=c.item.title,
        postmortem=c.pm.slug,
        repo=c.repo or c.item.repo,
        action=action,
        reason=reason,
        issue=issue,
        target=target,
        url=url,
    )


class _PlanChecker:
    """The reads a plan sends; a failure that ends checking turns into a note."""

    def __init__(self, session: Session, client: GitHub | None, notes: list[str]) -> None:
        self.session = session
        self.client = client
        self.notes = notes
        self.recs: dict[str, Reconciliation] = {}

    def _give_up(self, exc: GitHubError) -> None:
        self.notes.append(f"stopped checking GitHub: {exc}")
        self.client = None

    def link(self, c: Candidate) -> PlannedItem:
        assert c.ref is not None
        repo, number = c.ref
        target = f"{repo}#{number}"
        if self.client is None:
            return _planned(c, "link", f"would link to {target} (not checked)", target=target)
        try:
            remote = get_issue(self.client, repo, number)
        except (NotFound, Gone) as exc:
            return _planned(c, "skip", missing_reference(target, exc))
        except (AuthError, RateLimited) as exc:
            self._give_up(exc)
            return _planned(c, "link", f"would link to {target} (not checked)", target=target)
        except GitHubError as exc:
            return _planned(c, "fail", explain(exc, repo))
        return _planned(
            c,
            "link",
            f"would link to {remote.ref} ({remote.state})",
            target=remote.ref,
            url=remote.url,
        )

    def reconciliation(self, repo: str) -> Reconciliation | None:
        if self.client is None:
            return None
        if repo not in self.recs:
            issues = fetch_followup_issues(self.client, repo)
            self.recs[repo] = match_issues(self.session, repo, issues)
        return self.recs[repo]

    def creates(
        self, repo: str, group: list[Candidate], planned: dict[str, PlannedItem]
    ) -> tuple[LabelSpec, ...]:
        try:
            rec = self.reconciliation(repo)
        except (AuthError, RateLimited) as exc:
            self._give_up(exc)
            rec = None
        except GitHubError as exc:
            for c in group:
                planned[c.item.id] = _planned(c, "fail", explain(exc, repo))
            return ()
        remaining: list[Candidate] = []
        for c in group:
            found = rec.issue_for(c.item.id) if rec else None
            if found is not None:
                planned[c.item.id] = _planned(
                    c, "link", f"already on GitHub as {found.ref}", target=found.ref, url=found.url
                )
            else:
                remaining.append(c)
        if not remaining:
            return ()
        missing: tuple[LabelSpec, ...] = ()
        try:
            missing = self._missing_labels(repo, [labels_for(c) for c in remaining])
            for c in remaining:
                assign = self._assignable(repo, c.item.owner)
                reason = "would be created"
                if c.item.owner and not assign and is_login(c.item.owner):
                    reason += f" (@{c.item.owner} cannot be assigned there: mentioned instead)"
                planned[c.item.id] = _planned(
                    c, "create", reason, issue=new_issue(c, assign=assign)
                )
        except GitHubError as exc:
            if isinstance(exc, AuthError | RateLimited):
                self._give_up(exc)
            else:
                self.notes.append(f"{repo}: {explain(exc, repo)}")
            for c in remaining:
                if c.item.id not in planned:
                    planned[c.item.id] = _planned(
                        c, "create", "would be created", issue=new_issue(c, assign=True)
                    )
        return missing

    def _missing_labels(self, repo: str, wanted: list[tuple[str, ...]]) -> tuple[LabelSpec, ...]:
        names = unique_labels(name for labels in wanted for name in labels)
        if self.client is None:
            return ()
        have = list_label_names(self.client, repo)
        return tuple(label_spec(n) for n in names if not any(same_label(n, h) for h in have))

    def _assignable(self, repo: str, owner: str | None) -> bool:
        if not owner or not is_login(owner):
            return False
        if self.client is None:
            return True
        return can_be_assigned(self.client, repo, owner)


def _plan_tracking(
    session: Session,
    cands: list[Candidate],
    planned: dict[str, PlannedItem],
    checker: _PlanChecker,
) -> list[PlannedTracking]:
    out: list[PlannedTracking] = []
    for pm in postmortems_of(cands):
        entries = tracked_entries(session, pm)
        known = {e.ref.lower() for e in entries}
        for c in cands:
            p = planned.get(c.item.id)
            if c.pm.id != pm.id or p is None:
                continue
            if p.action == "link" and p.target and p.target.lower() not in known:
                known.add(p.target.lower())
                entries.append(TrackedEntry(p.target, False))
            elif p.action == "create":
                entries.append(TrackedEntry(f"(new issue) {p.title}", False))
        title = tracking_title(pm.title)
        repo = tracking_repo(session, pm)
        body = build_tracking_body(pm.slug, pm.title, document_path(pm.path), entries)
        if not entries:
            out.append(
                PlannedTracking(
                    pm.slug, repo, "skip", title, body, reason="no item of it has an issue"
                )
            )
            continue
        existing = session.get(IssueRow, pm.tracking_issue_id) if pm.tracking_issue_id else None
        target = issue_ref(existing) if existing else None
        if existing is None and repo is not None:
            try:
                rec = checker.reconciliation(repo)
            except GitHubError:
                rec = None
            found = rec.tracking.get(pm.slug) if rec else None
            target = found.ref if found else None
        action: TrackingAction = "update" if target else "create"
        reason = "would be brought up to date" if target else "would be created"
        if repo is None:
            action, reason = "skip", NO_REPO
        out.append(PlannedTracking(pm.slug, repo, action, title, body, target, reason))
    return out
