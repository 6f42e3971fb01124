"""The reader's output: plain, immutable dataclasses with no parsing logic."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What followup does with an item."""

    ISSUE = "issue"
    BRANCH_PROTECTION = "branch_protection"


class RefKind(StrEnum):
    """What a reference found in an item's text points at."""

    ISSUE = "issue"  # a GitHub issue: owner/repo#12 or an /issues/ URL
    PULL = "pull"  # a GitHub pull request URL
    NUMBER = "number"  # a bare #12, resolved against the post-mortem's repo later
    URL = "url"  # anything else: Jira, Linear, a doc


@dataclass(frozen=True, slots=True)
class Reference:
    """A link from an item to an existing tracker entry."""

    kind: RefKind
    text: str
    url: str | None = None
    repo: str | None = None
    number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by the CLI and the store."""
        return {
            "kind": self.kind.value,
            "text": self.text,
            "url": self.url,
            "repo": self.repo,
            "number": self.number,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reference:
        """Build a reference from its JSON form."""
        return cls(
            kind=RefKind(data["kind"]),
            text=data["text"],
            url=data.get("url"),
            repo=data.get("repo"),
            number=data.get("number"),
        )


# The settings a recommendation can ask for, named as GitHub's REST API names them.
PROTECTION_SETTINGS: tuple[str, ...] = (
    "allow_deletions",
    "allow_force_pushes",
    "required_approving_review_count",
    "required_linear_history",
    "required_signatures",
    "required_conversation_resolution",
    "lock_branch",
    "enforce_admins",
    "contexts",
)


@dataclass(frozen=True, slots=True)
class ProtectionSpec:
    """A branch-protection recommendation: a branch (or pattern) and the settings asked for.

    A setting left at None was not asked for; `contexts` empty means no status check was.
    """

    branch: str
    repo: str | None = None
    allow_deletions: bool | None = None
    allow_force_pushes: bool | None = None
    required_approving_review_count: int | None = None
    required_linear_history: bool | None = None
    required_signatures: bool | None = None
    required_conversation_resolution: bool | None = None
    lock_branch: bool | None = None
    enforce_admins: bool | None = None
    contexts: tuple[str, ...] = ()

    @property
    def is_pattern(self) -> bool:
        """Tell whether the branch is a glob such as ``release/*``."""
        return any(ch in self.branch for ch in "*?[")

    def requested(self) -> dict[str, Any]:
        """Return only the settings the recommendation asks for."""
        out: dict[str, Any] = {}
        for name in PROTECTION_SETTINGS:
            value = getattr(self, name)
            if name == "contexts":
                if value:
                    out[name] = list(value)
            elif value is not None:
                out[name] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the flat JSON form: repo, branch and every setting."""
        out: dict[str, Any] = {"repo": self.repo, "branch": self.branch}
        for f in fields(self):
            if f.name in ("repo", "branch"):
                continue
            value = getattr(self, f.name)
            out[f.name] = list(value) if f.name == "contexts" else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProtectionSpec:
        """Build a spec from its JSON form."""
        kwargs = {k: data.get(k) for k in PROTECTION_SETTINGS if k != "contexts"}
        return cls(
            branch=data["branch"],
            repo=data.get("repo"),
            contexts=tuple(data.get("contexts") or ()),
            **kwargs,
        )


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One action item as the document states it."""

    title: str
    line: int
    text: str = ""
    owner: str | None = None
    due: date | None = None
    due_text: str | None = None
    priority: str | None = None
    type: str | None = None
    done: bool = False
    references: tuple[Reference, ...] = ()
    protection: ProtectionSpec | None = None
    section: str | None = None
    parent: str | None = None
    # A commitment written only in prose: kept apart until a person accepts it.
    suggested: bool = False
    # The due date stands for a window or was counted from the post-mortem's date.
    due_approximate: bool = False

    @property
    def kind(self) -> Kind:
        """Return what followup does with the item."""
        return Kind.BRANCH_PROTECTION if self.protection is not None else Kind.ISSUE


DRAFT_STATUSES = frozenset({"draft", "in progress", "in-progress", "wip", "work in progress"})


def is_draft(status: str | None) -> bool:
    """Tell whether a front matter status marks a document as unfinished."""
    return (status or "").strip().lower() in DRAFT_STATUSES


@dataclass(frozen=True, slots=True)
class PostMortem:
    """A post-mortem document and the action items found in it."""

    title: str
    slug: str
    source: str
    items: tuple[ActionItem, ...] = ()
    path: str | None = None
    date: date | None = None
    status: str | None = None
    repo: str | None = None
    owners: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    has_action_section: bool = False
    warnings: tuple[str, ...] = ()
    # Headings a post-mortem has (Timeline, Impact, Root cause...) or front matter saying so.
    incident_shape: bool = False

    @property
    def explicit_items(self) -> tuple[ActionItem, ...]:
        """Return the items the document lists as such, without the suggested ones."""
        return tuple(item for item in self.items if not item.suggested)

    @property
    def suggested_items(self) -> tuple[ActionItem, ...]:
        """Return the commitments found only in prose."""
        return tuple(item for item in self.items if item.suggested)

    @property
    def is_draft(self) -> bool:
        """Tell whether the front matter marks the document as unfinished."""
        return is_draft(self.status)
