"""Plain objects the CLI and the TUI read: ORM rows never leave the store."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from followup.postmortem.model import Reference
from followup.statuses import CLOSED_STATUSES, UNACCEPTED_STATUSES, Status
from followup.store.display_paths import display_path
from followup.store.protection import AppliedProtection, BranchProtection, protection_of

if TYPE_CHECKING:
    from followup.store.models import IssueRow, ItemRow, PostMortemRow


# Read-only by convention but not frozen: a frozen dataclass sets each field through
# object.__setattr__, which made building the views of 100,000 items ten times slower.
# unsafe_hash keeps them hashable as they were.
@dataclass(slots=True, unsafe_hash=True)
class IssueLink:
    """The GitHub issue an item is linked to, as last seen."""

    repo: str
    number: int
    url: str | None
    state: str | None
    state_reason: str | None = None
    title: str | None = None
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    pull_request_state: str | None = None
    gone: str | None = None
    updated_at: datetime | None = None
    synced_at: datetime | None = None

    @property
    def ref(self) -> str:
        """Return the short form, owner/name#12."""
        return f"{self.repo}#{self.number}"

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON form."""
        return {"repo": self.repo, "number": self.number, "url": self.url, "state": self.state}


def github_issue_url(repo: str, number: int) -> str:
    """Return where an issue lives on github.com."""
    # An f-string: str.format took five times as long, 90,000 times a load.
    return f"https://github.com/{repo}/issues/{number}"


_LINK_FIELDS = attrgetter(*(f.name for f in fields(IssueLink)))


class GitHubIssueLink(IssueLink):
    """An IssueLink whose URL is github.com's for its repository and number, not held.

    The TUI holds 100,000 items: their URLs, worked out when asked for, are 9 MB less.
    It equals, hashes and behaves as an IssueLink with the same values; given another
    URL, it becomes a plain IssueLink holding that one.
    """

    __slots__ = ()

    @property
    def url(self) -> str | None:
        """Return github.com's address of the issue."""
        return github_issue_url(self.repo, self.number)

    @url.setter
    def url(self, value: str | None) -> None:
        link: IssueLink = self
        link.__class__ = IssueLink
        link.url = value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IssueLink):
            return bool(_LINK_FIELDS(self) == _LINK_FIELDS(other))
        return NotImplemented

    __hash__ = IssueLink.__hash__


def lean_issue(link: IssueLink) -> IssueLink:
    """Return the link as a GitHubIssueLink when its URL is github.com's (the same object)."""
    if type(link) is IssueLink and link.url == github_issue_url(link.repo, link.number):
        link.url = None
        link.__class__ = GitHubIssueLink
    return link


@dataclass(slots=True, unsafe_hash=True)  # read-only: see IssueLink
class ItemView:
    """An action item with what the UI needs to show it."""

    id: str
    postmortem: str
    postmortem_title: str
    title: str
    text: str
    owner: str | None
    priority: str | None
    due: date | None
    due_text: str | None
    type: str | None
    kind: str
    status: str
    status_reason: str | None
    repo: str | None
    links: tuple[Reference, ...]
    protection: BranchProtection | None
    source_path: str
    line: int
    section: str | None
    parent: str | None
    doc_done: bool
    issue: IssueLink | None
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None
    # Where `due` comes from (document, edited, policy), and what the policy gives.
    due_source: str | None = None
    policy_due: date | None = None
    postmortem_date: date | None = None

    def is_overdue(self, today: date) -> bool:
        """Tell whether the item is past its due date and still outstanding."""
        return (
            self.due is not None
            and self.due < today
            and self.status not in CLOSED_STATUSES
            and self.status not in UNACCEPTED_STATUSES
        )

    def is_past_policy(self, today: date) -> bool:
        """Tell whether the item is still outstanding after the policy's deadline for it."""
        return (
            self.policy_due is not None
            and self.policy_due < today
            and self.status not in CLOSED_STATUSES
            and self.status not in UNACCEPTED_STATUSES
        )

    @property
    def target(self) -> str | None:
        """Return what the item points at: its issue, or its protection's branch."""
        if self.issue is not None:
            return self.issue.ref
        if self.protection is not None:
            return self.protection.where
        return None

    @property
    def protection_applied(self) -> AppliedProtection | None:
        """Return what followup last applied to the item's branch, if anything."""
        return self.protection.applied if self.protection is not None else None

    def to_json(self, today: date) -> dict[str, Any]:
        """Return the stable JSON form that scripts rely on."""
        return {
            "id": self.id,
            "postmortem": self.postmortem,
            "title": self.title,
            "owner": self.owner,
            "priority": self.priority,
            "due": self.due.isoformat() if self.due else None,
            "due_text": self.due_text,
            "due_source": self.due_source,
            "overdue": self.is_overdue(today),
            "policy_due": self.policy_due.isoformat() if self.policy_due else None,
            "past_policy": self.is_past_policy(today),
            "type": self.type,
            "kind": self.kind,
            "status": self.status,
            "status_reason": self.status_reason,
            "repo": self.repo,
            "links": [ref.to_dict() for ref in self.links],
            "protection": self.protection.to_json() if self.protection is not None else None,
            "issue": self.issue.to_json() if self.issue else None,
            "source": {"file": self.source_path, "line": self.line},
        }


@dataclass(frozen=True, slots=True)
class EventView:
    """One entry of an item's history."""

    at: datetime
    field: str
    old: str | None
    new: str | None
    source: str
    detail: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class PostMortemView:
    """A post-mortem with counts of its items."""

    slug: str
    title: str
    path: str
    incident_date: date | None
    status: str | None
    repo: str | None
    total: int
    done: int
    overdue: int
    imported_at: datetime
    updated_at: datetime
    suggested: int = 0  # suggestions waiting to be accepted or dismissed, not in total

    @property
    def completion(self) -> float:
        """Return the share of items done or won't do, from 0 to 1."""
        return self.done / self.total if self.total else 0.0


def issue_view(row: IssueRow) -> IssueLink:
    """Convert an issue row."""
    return IssueLink(
        repo=row.repo,
        number=row.number,
        url=row.url,
        state=row.state,
        state_reason=row.state_reason,
        title=row.title,
        assignees=tuple(row.assignees or ()),
        labels=tuple(row.labels or ()),
        pull_request_state=row.pull_request_state,
        gone=row.gone,
        updated_at=row.updated_at,
        synced_at=row.synced_at,
    )


def item_view(item: ItemRow, pm: PostMortemRow, issue: IssueRow | None) -> ItemView:
    """Convert an item row with its post-mortem and issue."""
    return ItemView(
        id=item.id,
        postmortem=pm.slug,
        postmortem_title=pm.title,
        title=item.title,
        text=item.text,
        owner=item.owner,
        priority=item.priority,
        due=item.due,
        due_text=item.due_text,
        type=item.type,
        kind=item.kind,
        status=item.status,
        status_reason=item.status_reason,
        repo=item.repo,
        links=tuple(Reference.from_dict(ref) for ref in item.references or ()),
        protection=protection_of(item),
        source_path=display_path(pm.path),
        line=item.line,
        section=item.section,
        parent=item.parent,
        doc_done=item.doc_done,
        issue=issue_view(issue) if issue is not None else None,
        created_at=item.created_at,
        updated_at=item.updated_at,
        verified_at=item.verified_at,
        due_source=item.due_source,
        policy_due=item.policy_due,
        postmortem_date=pm.incident_date,
    )


def is_closed(status: str) -> bool:
    """Tell whether a status no longer counts as outstanding."""
    return Status(status) in CLOSED_STATUSES
