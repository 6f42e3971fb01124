"""Pure mappings between action items and GitHub issues: bodies, labels, markers, statuses.

Nothing here touches the network or the store, so all of it is unit-tested directly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from followup.errors import InputError
from followup.github.repos import normalise_repo
from followup.policy import DUE_POLICY
from followup.store.models import Status
from followup.store.views import ItemView
from followup.text import clean

FOLLOWUP_LABEL = "followup"
# GitHub refuses label names longer than this.
MAX_LABEL = 50
MAX_LABEL_DESCRIPTION = 100
# GitHub's limits on an issue; a title past 256 characters is refused.
MAX_TITLE = 256
MAX_BODY = 65_536
MAX_CONTEXT = 4_000

_MARKER = re.compile(
    r"<!--\s*followup:(?:item=(?P<item>[0-9A-Za-z]+)\s+)?(?P<tracking>tracking\s+)?"
    r"postmortem=(?P<slug>[^\s>]+)\s*-->"
)
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_TEAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[\w.-]+$")
_HTML_ISSUE = re.compile(r"^/([^/]+)/([^/]+)/(?:issues|pull)/(\d+)")

PRIORITY_COLOURS = {"P0": "b60205", "P1": "d93f0b", "P2": "fbca04", "P3": "0e8a16"}
FOLLOWUP_COLOUR = "5319e7"
POSTMORTEM_COLOUR = "c5def5"
TYPE_COLOUR = "1d76db"
OTHER_COLOUR = "ededed"


@dataclass(frozen=True, slots=True)
class Marker:
    """What the hidden marker in an issue body says: an item's issue, or a tracking issue."""

    postmortem: str
    item_id: str | None = None

    @property
    def tracking(self) -> bool:
        """Tell whether the marker names a post-mortem's tracking issue."""
        return self.item_id is None


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """A label as followup creates it."""

    name: str
    color: str
    description: str

    def to_json(self) -> dict[str, str]:
        """Return the body of POST /repos/{owner}/{repo}/labels."""
        return {"name": self.name, "color": self.color, "description": self.description}


@dataclass(frozen=True, slots=True)
class NewIssue:
    """An issue about to be created: exactly what is sent."""

    title: str
    body: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the body of POST /repos/{owner}/{repo}/issues."""
        data: dict[str, Any] = {"title": self.title, "body": self.body, "labels": list(self.labels)}
        if self.assignees:
            data["assignees"] = list(self.assignees)
        return data


@dataclass(frozen=True, slots=True)
class RemoteIssue:
    """A GitHub issue as followup needs it, whichever API it came from."""

    repo: str  # owner/name, lowercased
    number: int
    node_id: str | None
    url: str | None  # the issue's page (html_url)
    title: str
    state: str
    state_reason: str | None = None
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    item_id: str | None = None  # from the marker
    postmortem: str | None = None  # from the marker
    tracking: bool = False  # the marker names a tracking issue
    is_pull_request: bool = False
    merged: bool = False
    body: str | None = None

    @property
    def ref(self) -> str:
        """Return the short form owner/name#12, in GitHub's spelling of the name."""
        return f"{display_repo(self.url, self.repo)}#{self.number}"

    @property
    def pull_request_state(self) -> str | None:
        """Return open, closed or merged for a pull request; None for an issue."""
        if not self.is_pull_request:
            return None
        return "merged" if self.merged else self.state


# -- markers --------------------------------------------------------------------------


def item_marker(item_id: str, postmortem: str) -> str:
    """Return the hidden marker that ties an issue to one action item."""
    return f"<!-- followup:item={item_id} postmortem={postmortem} -->"


def tracking_marker(postmortem: str) -> str:
    """Return the hidden marker of a post-mortem's tracking issue."""
    return f"<!-- followup:tracking postmortem={postmortem} -->"


def parse_marker(body: str | None) -> Marker | None:
    """Return the last followup marker in an issue body, or None."""
    if not body or "followup:" not in body:
        return None
    # The last marker is followup's own: a body may quote another issue's above it.
    matches = list(_MARKER.finditer(body))
    if not matches:
        return None
    found = matches[-1]
    if found["tracking"]:
        return Marker(postmortem=found["slug"])
    if found["item"] is None:
        return None
    return Marker(postmortem=found["slug"], item_id=found["item"].lower())


# -- labels ---------------------------------------------------------------------------


def fit_label(prefix: str, value: str) -> str:
    """Return prefix + value, shortened with a stable hash when GitHub would refuse it."""
    name = f"{prefix}{value}"
    if len(name) <= MAX_LABEL:
        return name
    digest = hashlib.sha256(value.encode()).hexdigest()[:6]
    keep = MAX_LABEL - len(prefix) - len(digest) - 1
    return f"{prefix}{value[:keep].rstrip('-')}-{digest}"


def postmortem_label(slug: str) -> str:
    """Return the label that groups one post-mortem's issues."""
    return fit_label("postmortem:", slug)


def issue_labels(slug: str, priority: str | None, type_: str | None) -> tuple[str, ...]:
    """Return the labels of an item's issue: followup, its post-mortem, priority and type."""
    labels = [FOLLOWUP_LABEL, postmortem_label(slug)]
    if priority:
        labels.append(fit_label("priority:", priority.strip()))
    if type_ and type_.strip():
        labels.append(fit_label("type:", " ".join(type_.split()).lower()))
    return tuple(labels)


def label_spec(name: str) -> LabelSpec:
    """Return the colour and description followup gives a label it creates."""
    if name == FOLLOWUP_LABEL:
        return LabelSpec(name, FOLLOWUP_COLOUR, "Action item from a post-mortem, filed by followup")
    prefix, _, value = name.partition(":")
    if prefix == "postmortem":
        text = f"Action items of the post-mortem {value}"
        return LabelSpec(name, POSTMORTEM_COLOUR, text[:MAX_LABEL_DESCRIPTION])
    if prefix == "priority":
        return LabelSpec(name, PRIORITY_COLOURS.get(value, OTHER_COLOUR), f"Priority {value}")
    if prefix == "type":
        return LabelSpec(
            name, TYPE_COLOUR, f"Post-mortem action item: {value}"[:MAX_LABEL_DESCRIPTION]
        )
    return LabelSpec(name, OTHER_COLOUR, "")


def same_label(a: str, b: str) -> bool:
    """Tell whether two label names are the same to GitHub (it ignores case)."""
    return a.casefold() == b.casefold()


# -- owners ---------------------------------------------------------------------------


def is_login(owner: str | None) -> bool:
    """Tell whether an owner is written as a GitHub user login (and could be assigned)."""
    return bool(owner) and _LOGIN.match(owner or "") is not None


def mention(owner: str) -> str:
    """Return how the owner is named in a body: @login or @org/team, else as written."""
    if is_login(owner) or _TEAM.match(owner):
        return f"@{owner}"
    return owner


# -- issues ---------------------------------------------------------------------------


def _fence(text: str) -> str:
    """Return a backtick fence longer than any backtick run inside text."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def issue_title(title: str) -> str:
    """Return a title GitHub accepts: one line, at most 256 characters."""
    return _clip(" ".join(title.split()), MAX_TITLE) or "Post-mortem action item"


def policy_note(priority: str | None) -> str:
    """Return what follows a due date the policy set on its issue's Due line."""
    return f" (the due-date policy's deadline for {priority})"


def build_issue(
    item: ItemView,
    *,
    document: str,
    context: str = "",
    assign: bool = True,
    links: Sequence[str] = (),
) -> NewIssue:
    """Return the issue to file for an item.

    document is the post-mortem's path as readers of the issue know it (relative to its
    repository); context is the source around the item's line. With assign false the
    owner is only mentioned, because GitHub would drop (or refuse) the assignment.
    """
    fields: list[tuple[str, str]] = []
    assignees: tuple[str, ...] = ()
    if item.owner:
        if assign and is_login(item.owner):
            assignees = (item.owner,)
            fields.append(("Owner", mention(item.owner)))
        else:
            note = " (cannot be assigned in this repository)" if is_login(item.owner) else ""
            fields.append(("Owner", mention(item.owner) + note))
    if item.due or item.due_text:
        due = item.due.isoformat() if item.due else str(item.due_text)
        if item.due is not None and item.due_source == DUE_POLICY:
            due += policy_note(item.priority)
        fields.append(("Due", due))
    if item.priority:
        fields.append(("Priority", item.priority))
    if item.type:
        fields.append(("Type", item.type))
    if item.section:
        fields.append(("Section", item.section))
    if item.parent:
        fields.append(("Part of", item.parent))
    fields.append(("Post-mortem", f"{item.postmortem_title} (`{document}`, line {item.line})"))
    for link in links:
        fields.append(("Link", link))

    parts = [f"Action item from a post-mortem: **{' '.join(item.title.split())}**", ""]
    parts.extend(f"- **{name}:** {value}" for name, value in fields)
    if context.strip():
        # The quote comes from the document's raw text: shown on GitHub, it must be inert.
        snippet = clean(_clip(context, MAX_CONTEXT))
        fence = _fence(snippet)
        parts += [
            "",
            "<details><summary>Where it is written</summary>",
            "",
            f"{fence}markdown",
            snippet,
            fence,
            "",
            "</details>",
        ]
    parts += [
        "",
        "<sub>Filed by followup. Keep the hidden marker below: it ties this issue to the "
        "action item.</sub>",
        "",
        item_marker(item.id, item.postmortem),
    ]
    body = "\n".join(parts)
    if len(body) > MAX_BODY:
        # Only the context can be long enough to matter; drop it rather than the marker.
        return build_issue(item, document=document, context="", assign=assign, links=links)
    labels = issue_labels(item.postmortem, item.priority, item.type)
    return NewIssue(issue_title(item.title), body, labels, assignees)


@dataclass(frozen=True, slots=True)
class TrackedEntry:
    """One line of a tracking issue's task list."""

    ref: str
    done: bool


def tracking_title(postmortem_title: str) -> str:
    """Return the title of a post-mortem's tracking issue."""
    return issue_title(f"Post-mortem follow-ups: {postmortem_title}")


def build_tracking_body(
    postmortem: str, postmortem_title: str, document: str, entries: Sequence[TrackedEntry]
) -> str:
    """Return the body of a post-mortem's tracking issue: a task list of its items' issues."""
    lines = [
        f"Action items of the post-mortem **{' '.join(postmortem_title.split())}** (`{document}`).",
        "",
    ]
    lines += [f"- [{'x' if e.done else ' '}] {e.ref}" for e in entries]
    lines += [
        "",
        "<sub>Kept up to date by followup: edits to this list are replaced on its next run.</sub>",
        "",
        tracking_marker(postmortem),
    ]
    return "\n".join(lines)


# -- GitHub's answers -----------------------------------------------------------------


def display_repo(url: str | None, repo: str) -> str:
    """Return owner/name as GitHub spells it (from the issue's page URL), else as stored."""
    if url:
        m = _HTML_ISSUE.match(urlsplit(url).path)
        if m is not None and f"{m[1]}/{m[2]}".lower() == repo.lower():
            return f"{m[1]}/{m[2]}"
    return repo


def _time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _repo_from_api_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url).path.rstrip("/").split("/")
    if len(parts) >= 3 and parts[-3] == "repos":
        return f"{parts[-2]}/{parts[-1]}"
    return None


class ShapeError(ValueError):
    """An answer does not have the shape of what it should be (an issue, a label)."""


def remote_issue_from_rest(data: Any, repo: str | None = None) -> RemoteIssue:
    """Convert an issue from the REST API.

    Its repository is the one its URLs name, which is where GitHub has it now (after a
    rename or a transfer, not the name that was asked for); repo is the fallback.
    """
    if not isinstance(data, Mapping):
        raise ShapeError("not an object")
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ShapeError("no issue number")
    name = _repo_from_api_url(_text(data.get("repository_url"))) or repo
    if not name:
        raise ShapeError("the issue names no repository")
    try:
        repo_name = normalise_repo(name)
    except InputError:
        raise ShapeError(f"the issue names no valid repository ({name!r})") from None
    body = data.get("body")
    marker = parse_marker(body if isinstance(body, str) else None)
    labels = tuple(
        label if isinstance(label, str) else str(label.get("name", ""))
        for label in _list(data.get("labels"))
        if isinstance(label, str) or (isinstance(label, Mapping) and label.get("name"))
    )
    assignees = tuple(
        str(user["login"])
        for user in _list(data.get("assignees"))
        if isinstance(user, Mapping) and user.get("login")
    )
    pull = data.get("pull_request")
    return RemoteIssue(
        repo=repo_name,
        number=number,
        node_id=_text(data.get("node_id")),
        url=_text(data.get("html_url")),
        title=str(data.get("title") or ""),
        state=str(data.get("state") or "open"),
        state_reason=_text(data.get("state_reason")),
        assignees=assignees,
        labels=labels,
        created_at=_time(data.get("created_at")),
        updated_at=_time(data.get("updated_at")),
        closed_at=_time(data.get("closed_at")),
        item_id=marker.item_id if marker else None,
        postmortem=marker.postmortem if marker else None,
        tracking=bool(marker and marker.tracking),
        is_pull_request=isinstance(pull, Mapping),
        merged=isinstance(pull, Mapping) and bool(pull.get("merged_at")),
        body=body if isinstance(body, str) else None,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def status_for_issue(state: str | None, state_reason: str | None) -> Status:
    """Return the status an item gets from its issue's state.

    Open is filed; closed as completed (or with no reason, as older issues and pull
    requests are) is done; closed as not planned is won't do, and so is a duplicate,
    which GitHub files under "not planned".
    """
    if (state or "").lower() != "closed":
        return Status.FILED
    if (state_reason or "").lower() in ("not_planned", "duplicate"):
        return Status.WONT_DO
    return Status.DONE
