"""Choose the items a filing run handles, say what to do with each, and build its issue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlmodel import Session, col, select

from followup import postmortem
from followup.display import STATUS_LABEL
from followup.errors import InputError, NotFoundError
from followup.github.errors import Forbidden, GitHubError, Gone, NotFound, Unprocessable
from followup.github.issue_mapping import (
    NewIssue,
    TrackedEntry,
    build_issue,
    display_repo,
    issue_labels,
    same_label,
)
from followup.github.repos import normalise_repo
from followup.postmortem.model import DRAFT_STATUSES, Reference, RefKind
from followup.store.models import UNACCEPTED_STATUSES, IssueRow, ItemRow, PostMortemRow, Status
from followup.store.queries import find_item
from followup.store.views import item_view
from followup.sync.links import issue_ref
from followup.sync.writeback import table_header_index

Action = Literal["create", "link", "skip", "fail"]

CONTEXT_RADIUS = 2
NO_REPO = (
    "no repository to file it in: pass --repo, or set 'repo:' in the post-mortem's front matter"
)
FINISHED = (Status.DONE.value, Status.WONT_DO.value)


# -- choosing and classifying items ---------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """An item, its post-mortem and issue, and what filing does with it."""

    item: ItemRow
    pm: PostMortemRow
    issue: IssueRow | None
    action: Action
    reason: str = ""
    repo: str | None = None  # where a create goes
    ref: tuple[str, int] | None = None  # the existing issue a link goes to
    # The item as chosen, for reports: still known once `followup forget` removed its rows
    # (the ORM cannot load a deleted row's attributes again).
    item_id: str = field(init=False)
    title: str = field(init=False)
    slug: str = field(init=False)
    item_repo: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.item_id = self.item.id
        self.title = self.item.title
        self.slug = self.pm.slug
        self.item_repo = self.item.repo

    @property
    def label(self) -> str:
        """Return how messages name the item: its id and a short title."""
        title = " ".join(self.title.split())
        short = title if len(title) <= 60 else title[:59] + "…"
        return f"{self.item_id} “{short}”"


def select_items(
    session: Session, item_ids: Sequence[str] | None, postmortems: Sequence[str] | None
) -> list[tuple[ItemRow, PostMortemRow, IssueRow | None]]:
    query = (
        select(ItemRow, PostMortemRow, IssueRow)
        .join(PostMortemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .outerjoin(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
    )
    if item_ids:
        ids = sorted({find_item(session, ref).id for ref in item_ids})
        query = query.where(col(ItemRow.id).in_(ids))
    else:
        if postmortems:
            slugs = sorted(set(postmortems))
            known = set(
                session.exec(select(PostMortemRow.slug).where(col(PostMortemRow.slug).in_(slugs)))
            )
            missing = [s for s in slugs if s not in known]
            if missing:
                raise NotFoundError(f"no post-mortem {missing[0]!r} in the store")
            query = query.where(col(PostMortemRow.slug).in_(slugs))
        # Suggestions are filed only once accepted; named by id they are skipped with a reason.
        hidden = [Status.REMOVED.value, *(s.value for s in UNACCEPTED_STATUSES)]
        query = query.where(col(ItemRow.status).not_in(hidden))
    query = query.order_by(col(PostMortemRow.slug), col(ItemRow.position))
    return list(session.exec(query))


def _issue_reference(item: ItemRow, repo: str | None) -> tuple[Reference, str | None] | None:
    """Return the item's first reference to a GitHub issue, with the repo it is in."""
    for raw in item.references or ():
        ref = Reference.from_dict(raw)
        if ref.number is None:
            continue
        if ref.kind is RefKind.ISSUE and ref.repo:
            try:
                return ref, normalise_repo(ref.repo)
            except InputError:
                continue  # not a name GitHub allows, so not a GitHub issue
        if ref.kind is RefKind.NUMBER:
            return ref, repo
    return None


def classify(
    item: ItemRow,
    pm: PostMortemRow,
    issue: IssueRow | None,
    *,
    include_drafts: bool,
    default_repo: str | None,
) -> Candidate:
    def skip(reason: str) -> Candidate:
        return Candidate(item, pm, issue, "skip", reason)

    if item.status == Status.REMOVED.value:
        return skip("removed from its post-mortem")
    if item.status == Status.SUGGESTED.value:
        return skip(f"a suggestion found in prose: accept it first (followup accept {item.id})")
    if item.status == Status.DISMISSED.value:
        return skip("a dismissed suggestion")
    if item.kind != "issue":
        return skip("branch-protection item: applied to the branch, not filed as an issue")
    if issue is not None:
        return skip(f"already filed as {issue_ref(issue)}")
    if item.doc_done:
        return skip("done in the post-mortem")
    if item.status in FINISHED:
        return skip(f"already {STATUS_LABEL.get(item.status, item.status)}")
    if (pm.status or "").strip().lower() in DRAFT_STATUSES and not include_drafts:
        return skip(f"draft post-mortem (status: {pm.status}); pass --include-drafts to file it")
    repo = item.repo or (normalise_repo(default_repo) if default_repo else None)
    found = _issue_reference(item, repo)
    if found is not None:
        ref, ref_repo = found
        if ref_repo is None:
            return Candidate(
                item,
                pm,
                issue,
                "fail",
                f"refers to {ref.text}, but no repository is known for it: pass --repo, "
                "or set 'repo:' in the post-mortem's front matter",
            )
        assert ref.number is not None
        return Candidate(
            item,
            pm,
            issue,
            "link",
            f"refers to {ref_repo}#{ref.number}",
            repo,
            (ref_repo, ref.number),
        )
    if repo is None:
        return Candidate(item, pm, issue, "fail", NO_REPO)
    return Candidate(item, pm, issue, "create", "", repo)


def candidates(
    session: Session,
    item_ids: Sequence[str] | None,
    postmortems: Sequence[str] | None,
    include_drafts: bool,
    default_repo: str | None,
) -> list[Candidate]:
    return [
        classify(item, pm, issue, include_drafts=include_drafts, default_repo=default_repo)
        for item, pm, issue in select_items(session, item_ids, postmortems)
    ]


# -- building issues ------------------------------------------------------------------


def document_path(path: str) -> str:
    """Return a post-mortem's path as its readers know it: relative to its repository.

    An absolute path would show a stranger the filer's home folder, and mean nothing.
    """
    file = Path(path)
    for parent in file.parents:
        if (parent / ".git").exists():
            return file.relative_to(parent).as_posix()
    return file.name


def _other_links(item: ItemRow) -> list[str]:
    links = []
    for raw in item.references or ():
        ref = Reference.from_dict(raw)
        if ref.kind in (RefKind.URL, RefKind.PULL):
            links.append(ref.url or ref.text)
    return links


def item_context(source: str, line: int) -> str:
    """Return the source an issue quotes: a row with its table's header, or a list item's lines."""
    lines = source.split("\n")
    index = line - 1
    if 0 <= index < len(lines):
        head = table_header_index(lines, index)
        if head is not None:
            return "\n".join([lines[head], lines[head + 1], lines[index]])
    return postmortem.context(source, line, CONTEXT_RADIUS).strip("\n")


def new_issue(c: Candidate, *, assign: bool) -> NewIssue:
    view = item_view(c.item, c.pm, None)
    return build_issue(
        view,
        document=document_path(c.pm.path),
        context=item_context(c.pm.source, c.item.line),
        assign=assign,
        links=_other_links(c.item),
    )


def labels_for(c: Candidate) -> tuple[str, ...]:
    return issue_labels(c.pm.slug, c.item.priority, c.item.type)


def linked_items(session: Session, pm: PostMortemRow) -> list[tuple[ItemRow, IssueRow]]:
    """Return the post-mortem's live issue items that have an issue, in document order."""
    rows = session.exec(
        select(ItemRow, IssueRow)
        .join(IssueRow, col(ItemRow.issue_id) == col(IssueRow.id))
        .where(
            ItemRow.postmortem_id == pm.id,
            ItemRow.kind == "issue",
            ItemRow.status != Status.REMOVED.value,
        )
        .order_by(col(ItemRow.position))
    )
    return list(rows)


def issue_reference(issue: IssueRow) -> str:
    """Return how the issue is written in a document or a task list: owner/name#12."""
    return f"{display_repo(issue.url, issue.repo)}#{issue.number}"


def tracked_entries(session: Session, pm: PostMortemRow) -> list[TrackedEntry]:
    entries: list[TrackedEntry] = []
    seen: set[str] = set()
    for item, issue in linked_items(session, pm):
        ref = issue_reference(issue)
        if ref not in seen:
            seen.add(ref)
            entries.append(TrackedEntry(ref, item.status in FINISHED))
    return entries


def tracking_repo(session: Session, pm: PostMortemRow) -> str | None:
    if pm.repo:
        return normalise_repo(pm.repo)
    repos = Counter(
        repo
        for repo in session.exec(
            select(IssueRow.repo)
            .join(ItemRow, col(ItemRow.issue_id) == col(IssueRow.id))
            .where(ItemRow.postmortem_id == pm.id)
        )
    )
    return repos.most_common(1)[0][0] if repos else None


# -- explaining failures --------------------------------------------------------------


def explain(exc: GitHubError, repo: str) -> str:
    """Return one line saying what went wrong in a repository and what to do about it."""
    said = f": {exc.github_message}" if exc.github_message else ""
    if isinstance(exc, NotFound):
        return f"repository {repo} not found, or the token cannot see it (404)"
    if isinstance(exc, Gone):
        return (
            f"issues are turned off in {repo} (410); turn them on in the repository's "
            "settings, or choose another repository with --repo"
        )
    if isinstance(exc, Forbidden):
        return (
            f"the token may not create issues in {repo} (403{said}); "
            "it needs write access to issues"
        )
    if isinstance(exc, Unprocessable):
        details = "; ".join(_describe_error(e) for e in exc.errors) or exc.github_message or ""
        return f"GitHub refused the issue in {repo} (422: {details})"
    return str(exc)


def _describe_error(error: dict[str, object]) -> str:
    if error.get("message"):
        return str(error["message"])
    field_name = error.get("field") or error.get("resource") or "?"
    value = f" {error['value']!r}" if error.get("value") not in (None, "") else ""
    return f"{field_name}{value} {error.get('code') or 'invalid'}"


def about_assignees(exc: Unprocessable) -> bool:
    return any(str(e.get("field", "")).startswith("assignee") for e in exc.errors)


def by_repo(cands: Iterable[Candidate]) -> list[tuple[str, list[Candidate]]]:
    groups: dict[str, list[Candidate]] = {}
    for c in cands:
        assert c.repo is not None
        groups.setdefault(c.repo, []).append(c)
    return sorted(groups.items())


def postmortems_of(cands: Iterable[Candidate]) -> list[PostMortemRow]:
    seen: dict[int, PostMortemRow] = {}
    for c in cands:
        if c.pm.id is not None and c.pm.id not in seen:
            seen[c.pm.id] = c.pm
    return list(seen.values())


def unique_labels(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if not any(same_label(value, v) for v in out):
            out.append(value)
    return out


def missing_reference(target: str, exc: GitHubError) -> str:
    if isinstance(exc, Gone):
        return f"refers to {target}, which GitHub says is gone (410: deleted, or issues are off)"
    return (
        f"refers to {target}, which GitHub does not show (404): fix the reference, "
        "or remove it to file a new issue"
    )
