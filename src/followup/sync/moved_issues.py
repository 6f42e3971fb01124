"""Find the issues filed for a post-mortem's items under the name its file had before.

A renamed file gives a fresh store (a CI job) another slug for the post-mortem, so
other item ids, and the issues' markers name none of them: filing would file every
item again. Reconciling (sync/reconcile.py) hands the issues whose marker names a
post-mortem the store does not know here, grouped by that old slug, and they are
adopted by the items of a stored post-mortem only when it is clearly the one they were
filed from (adopt):

- every issue of the group that still has followup's lines names the same post-mortem
  title, and exactly one stored post-mortem has that title;
- none of the files the issues name is still there beside it (a copy whose original
  is still in the repository is another post-mortem, whose issues are its own);
- nothing dates them to another incident: no issue was filed before the post-mortem's
  incident date (with a day's slack for time zones), and a file name that starts with
  a date names the same date (a recurring incident often gets the same title);
- each issue names an item worded exactly as an unlinked item of the post-mortem, and
  at least half of the group's issues do.

A false adoption would leave an item without an issue of its own, which is worse than
a duplicate: anything less clear adopts nothing. The markers are not rewritten; the
rule gives the same answer on every run, so every fresh store links the same issues.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path, PurePosixPath

from sqlmodel import Session, col, select

from followup.github.filed_from import FiledFrom, filed_from
from followup.github.issue_mapping import RemoteIssue
from followup.store import identity
from followup.store.models import ItemRow, PostMortemRow
from followup.store.moves import same_title
from followup.store.queries import unfiled_in


@dataclass(frozen=True, slots=True)
class Unfiled:
    """An item with no issue yet: its id and its wording's fingerprint."""

    id: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class StoredPostMortem:
    """A stored post-mortem, as adopting issues needs it."""

    slug: str
    title: str
    path: str
    items: tuple[Unfiled, ...]  # its live, unlinked issue items in the repository, in order
    incident_date: date | None = None


Elsewhere = Callable[[StoredPostMortem, str], bool]

# An issue filed the day before the incident's date, in another time zone, is still one.
SLACK = timedelta(days=1)
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})(?!\d)")


@dataclass(frozen=True, slots=True)
class Adoption:
    """The issues filed under an old slug that a stored post-mortem's items take over."""

    old_slug: str
    postmortem: StoredPostMortem
    items: Mapping[str, RemoteIssue]  # by item id


def adopt(
    old_slug: str,
    issues: Sequence[RemoteIssue],
    stored: Sequence[StoredPostMortem],
    elsewhere: Elsewhere,
) -> Adoption | None:
    """Return which items take over the issues filed under old_slug, or None if unclear.

    stored holds the post-mortems titled as the issues say (with their unlinked
    items); elsewhere tells whether a file an issue names (relative to the repository)
    is still there, apart from the stored post-mortem's own file.
    """
    said = [(issue, filed_from(issue.body)) for issue in issues]
    named: list[tuple[RemoteIssue, FiledFrom]] = [(i, f) for i, f in said if f is not None]
    if not named:
        return None
    title = named[0][1].postmortem_title
    if any(not same_title(f.postmortem_title, title) for _, f in named):
        return None
    found = [pm for pm in stored if same_title(pm.title, title) and pm.slug != old_slug]
    if len(found) != 1:
        return None
    pm = found[0]
    documents = sorted({f.document for _, f in named})
    if _other_incident(pm, [issue for issue, _ in named], documents):
        return None
    if any(elsewhere(pm, document) for document in documents):
        return None
    free: dict[str, list[str]] = {}
    for item in pm.items:
        free.setdefault(item.fingerprint, []).append(item.id)
    taken: dict[str, RemoteIssue] = {}
    for issue, said_of in sorted(named, key=lambda pair: pair[0].number):
        bucket = free.get(identity.fingerprint(said_of.item_title))
        if bucket:
            taken[bucket.pop(0)] = issue
    if not taken or 2 * len(taken) < len(issues):
        return None
    return Adoption(old_slug, pm, taken)


def _other_incident(
    pm: StoredPostMortem, issues: Sequence[RemoteIssue], documents: Sequence[str]
) -> bool:
    """Tell whether the issues are dated to an incident other than the post-mortem's."""
    when = pm.incident_date
    if when is None:
        return False
    earliest = when - SLACK
    if any(i.created_at is not None and i.created_at.date() < earliest for i in issues):
        return True
    named = {_file_date(document) for document in documents} - {None}
    return bool(named - {when})


def _file_date(document: str) -> date | None:
    """Return the date a file's name starts with (2026-05-01-queue.md), if it does."""
    found = _DATED.match(PurePosixPath(document).name)
    if found is None:
        return None
    try:
        return date.fromisoformat(found[1])
    except ValueError:
        return None


def still_there(pm: StoredPostMortem, document: str) -> bool:
    """Tell whether a file an issue names is there, other than the post-mortem's own file.

    The name is relative to the repository the post-mortem's file is in (or to its
    folder, outside any), as filing wrote it. Anything that cannot be told counts as
    there: the issue is then not adopted.
    """
    file = Path(pm.path)
    if not file.is_absolute():
        return True  # stored without a file: nothing says where it was
    try:
        root = next((p for p in file.parents if (p / ".git").exists()), file.parent)
        other = root / document
        return other.exists() and other.resolve() != file.resolve()
    except (OSError, ValueError):
        return True


def adoptions(
    session: Session,
    repo: str,
    orphans: Mapping[str, Sequence[RemoteIssue]],
    claimed: Mapping[str, RemoteIssue],
    elsewhere: Elsewhere = still_there,
) -> list[Adoption]:
    """Return the adoptions of issues whose marker names a post-mortem the store lacks.

    orphans holds, by the slug their marker names, the issues of items the store does
    not know; claimed, the items already matched. Reads the store, changes nothing.
    """
    said = {
        slug: {found.postmortem_title for found in _said(group)} for slug, group in orphans.items()
    }
    titles = sorted(set().union(*said.values()))
    if not titles:
        return []
    rows = list(session.exec(select(PostMortemRow).where(col(PostMortemRow.title).in_(titles))))
    taken = set(claimed)
    out: list[Adoption] = []
    for old_slug in sorted(orphans):
        near = [pm for pm in rows if any(same_title(pm.title, t) for t in said[old_slug])]
        if not near:
            continue
        stored = [_stored(session, repo, pm, taken) for pm in near]
        adoption = adopt(old_slug, orphans[old_slug], stored, elsewhere)
        if adoption is not None:
            taken.update(adoption.items)
            out.append(adoption)
    return out


def _said(issues: Sequence[RemoteIssue]) -> list[FiledFrom]:
    return [found for found in map(filed_from, (i.body for i in issues)) if found is not None]


def _stored(session: Session, repo: str, pm: PostMortemRow, taken: set[str]) -> StoredPostMortem:
    rows = session.exec(
        select(col(ItemRow.id), col(ItemRow.fingerprint))
        .where(*unfiled_in(pm.id, repo))
        .order_by(col(ItemRow.position))
    )
    items = tuple(Unfiled(item_id, print_) for item_id, print_ in rows if item_id not in taken)
    return StoredPostMortem(pm.slug, pm.title, pm.path, items, pm.incident_date)
