"""SQLModel tables: post-mortems, action items, GitHub issues and the event history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel, col

# Re-exported: the statuses live apart so lean readers import no SQLModel.
from followup.statuses import CLOSED_STATUSES as CLOSED_STATUSES  # noqa: PLC0414
from followup.statuses import UNACCEPTED_STATUSES as UNACCEPTED_STATUSES  # noqa: PLC0414
from followup.statuses import Status as Status  # noqa: PLC0414


class PostMortemRow(SQLModel, table=True):
    """A post-mortem as last imported."""

    __tablename__ = "postmortem"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    path: str
    title: str
    incident_date: date | None = None
    status: str | None = None
    repo: str | None = None
    source: str
    content_hash: str
    # The file's bytes as last imported (with the reader's version and the default repo):
    # a re-import skips a file whose hash is the same without parsing it.
    file_hash: str | None = None
    tracking_issue_id: int | None = Field(default=None, foreign_key="github_issue.id")
    # The due-date policy its items' deadlines were last worked out with (DuePolicy.key);
    # None when they must be worked out again (new, re-imported, a priority edited).
    policy_key: str | None = None
    imported_at: datetime
    updated_at: datetime


# The order every item list is in (newest incident first, undated last): with it, the
# first page of 100,000 items is read without sorting them all.
LISTING_ORDER = (
    col(PostMortemRow.incident_date).is_(None),
    col(PostMortemRow.incident_date).desc(),
    col(PostMortemRow.slug),
)
Index("ix_postmortem_listing", *LISTING_ORDER)


class IssueRow(SQLModel, table=True):
    """A GitHub issue that one or more items are linked to, as last seen."""

    __tablename__ = "github_issue"
    __table_args__ = (UniqueConstraint("repo", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    repo: str = Field(index=True)  # owner/name, lowercased: GitHub compares them so
    number: int
    node_id: str | None = Field(default=None, index=True)
    url: str | None = None
    title: str | None = None
    state: str | None = None
    state_reason: str | None = None
    assignees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    labels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pull_request_state: str | None = None
    gone: str | None = None  # deleted / transferred / inaccessible
    updated_at: datetime | None = None  # GitHub's time of the last change
    closed_at: datetime | None = None
    synced_at: datetime | None = None
    # The Due line of followup's block in the body as last read: "" when the block has
    # none, None when no body was read yet or it has no block of followup's.
    body_due: str | None = None


# Bumped by every ORM update of an item, which only succeeds if nobody else bumped it since
# the row was read: two writers (TUIs, a sync, a CLI) can never silently overwrite each
# other. The loser's transaction fails with StaleDataError; store.retry runs it again.
_item_version = Column("version", Integer, nullable=False, default=1, server_default="1")


class ItemRow(SQLModel, table=True):
    """An action item; the id is short, stable and never reused."""

    __tablename__ = "action_item"
    __mapper_args__ = {"version_id_col": _item_version}

    id: str = Field(primary_key=True)
    postmortem_id: int = Field(foreign_key="postmortem.id", index=True)
    position: int
    title: str
    text: str
    fingerprint: str
    line: int
    owner: str | None = Field(default=None, index=True)
    due: date | None = None
    due_text: str | None = None
    # Where `due` comes from: document, edited, policy; None when there is no due date.
    due_source: str | None = None
    # What the team's policy gives the item (priority and post-mortem date), whatever its
    # due date says: an item still open after it is past its policy deadline.
    policy_due: date | None = None
    priority: str | None = None
    type: str | None = None
    kind: str
    section: str | None = None
    parent: str | None = None
    repo: str | None = None
    doc_done: bool = False
    status: str = Field(index=True)
    status_reason: str | None = None
    references: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    protection: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    protection_applied: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    # Fields set from followup or GitHub rather than the document; re-imports leave them be.
    overrides: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    issue_id: int | None = Field(default=None, foreign_key="github_issue.id", index=True)
    filing_intent_at: datetime | None = None
    verified_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = Field(default=1, sa_column=_item_version)


class EventRow(SQLModel, table=True):
    """One change to an item; rows are only ever appended."""

    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="action_item.id", index=True)
    at: datetime = Field(index=True)
    field: str  # status, owner, link, title, due, priority, protection...
    old: str | None = None
    new: str | None = None
    source: str  # document, github, followup, user
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))


class RepoSyncRow(SQLModel, table=True):
    """What the last poll of one repository saw, so the next one can be conditional."""

    __tablename__ = "repo_sync"

    repo: str = Field(primary_key=True)
    etag: str | None = None
    since: datetime | None = None
    polled_at: datetime | None = None
    error: str | None = None


class PendingEditRow(SQLModel, table=True):
    """A local change to a linked item that has not reached GitHub yet."""

    __tablename__ = "pending_edit"

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="action_item.id", index=True)
    field: str  # state, assignee, due, priority
    value: str | None = None
    base: str | None = None  # the GitHub value the edit was made against
    created_at: datetime


class SyncRunRow(SQLModel, table=True):
    """One sync with GitHub: when it ran, what it changed, whether it failed."""

    __tablename__ = "sync_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(index=True)
    finished_at: datetime | None = None
    changed: int = 0
    requests: int = 0
    error: str | None = None


class CommentClaimRow(SQLModel, table=True):
    """A comment followup posts once (a reminder, a digest): claimed first, then recorded.

    The claim is what keeps two runs on one store from both posting: only one insert of a
    (repo, number, key) succeeds. A claim never recorded as posted was left by a run that
    stopped; the next run looks on GitHub before it writes anything.
    """

    __tablename__ = "comment_claim"
    __table_args__ = (UniqueConstraint("repo", "number", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    repo: str
    number: int
    key: str
    item_id: str | None = Field(default=None, index=True)
    run: str
    claimed_at: datetime
    comment_id: int | None = None
    url: str | None = None
    posted_at: datetime | None = None


class RepoIdentityRow(SQLModel, table=True):
    """A repository name followup uses, and what GitHub calls that repository now.

    GitHub keeps a renamed or transferred repository's id and redirects its old name;
    followup learns the id from the redirect and records the current owner/name here,
    so that the CLI and the TUI can show it.
    """

    __tablename__ = "repo_identity"

    name: str = Field(primary_key=True)  # owner/name as the store uses it, lowercase
    # GitHub's repository id; ids are heading past 2**31, so 64 bits.
    repo_id: int | None = Field(default=None, index=True, sa_type=BigInteger)
    current: str | None = None  # owner/name as GitHub spells it now
    checked_at: datetime | None = None


class ProjectRow(SQLModel, table=True):
    """A GitHub Project (v2) that issues are added to, and the fields followup sets in it."""

    __tablename__ = "github_project"

    id: str = Field(primary_key=True)  # the project's node id
    ref: str = Field(index=True)  # owner/NUMBER, the owner lowercased
    title: str | None = None
    url: str | None = None
    # {"id", "name", "options": {option name: option id}} of the single-select Priority field.
    priority_field: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    # {"id", "name"} of the date field Due.
    due_field: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True))
    )
    checked_at: datetime | None = None


class ProjectItemRow(SQLModel, table=True):
    """An issue's item in a Project (v2), with its Priority and Due as last seen there."""

    __tablename__ = "project_item"
    __table_args__ = (UniqueConstraint("project_id", "issue_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: str = Field(foreign_key="github_project.id", index=True)
    issue_id: int = Field(foreign_key="github_issue.id", index=True)
    node_id: str = Field(unique=True)  # the ProjectV2Item's id
    priority: str | None = None
    due: str | None = None  # ISO date
    updated_at: datetime | None = None  # GitHub's time of the item's last change
