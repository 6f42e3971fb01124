"""Recognise a stored post-mortem in a document whose file was moved or renamed.

A post-mortem's slug comes from its file name (unless its front matter sets `slug:`),
and its items' ids from the slug: a `git mv` would give every item another id, so the
store would hold the post-mortem twice and filing would file every item again. An
import therefore looks, for a document whose slug the store does not know, for the
post-mortem it may be already:

- the same file, stored under the slug it had before it moved (an earlier move kept
  it), when the document's slug is its file name's;
- a post-mortem whose file is gone and which is clearly the same document: the same
  text (whatever its title: one named after its file changes title with it), or the same
  title, the same incident date and at least half of the items worded alike
  (same_postmortem). It must be the only such post-mortem, and the
  document the only one to claim it: two live files are never merged, so a copy whose
  original is still there stays a post-mortem of its own.

Either way the stored post-mortem takes the document's path and keeps its slug, its
items and their ids, so the issues' markers and the store's links stay valid. A file
moved to another folder under the same name keeps its slug anyway; it is only reported
as moved too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from followup.postmortem.model import PostMortem
from followup.postmortem.slug import slugify
from followup.store import identity
from followup.store.models import ItemRow, PostMortemRow, Status

# Bound parameters per statement (SQLite caps them).
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Outline:
    """What tells whether two versions of a post-mortem are the same document."""

    title: str
    date: date | None
    source: str
    items: tuple[str, ...]  # the fingerprints of its items' titles


def same_title(a: str, b: str) -> bool:
    """Tell whether two post-mortem titles are the same, spacing and case aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def mostly_alike(a: Sequence[str], b: Sequence[str]) -> bool:
    """Tell whether at least half of the longer list of item wordings is in the other."""
    common = sum((Counter(a) & Counter(b)).values())
    return common > 0 and 2 * common >= max(len(a), len(b))


def same_postmortem(stored: Outline, document: Outline) -> bool:
    """Tell whether a document is a stored post-mortem: the same text, or the same title,
    incident date and mostly the same items."""
    # The same text is the same document even under another title: a document without a
    # title of its own is named after its file, which is what a rename changes.
    if stored.source == document.source:
        return True
    if not same_title(stored.title, document.title):
        return False
    return stored.date == document.date and mostly_alike(stored.items, document.items)


def outline(doc: PostMortem) -> Outline:
    """Return a parsed document's outline."""
    items = tuple(identity.fingerprint(item.title) for item in doc.items)
    return Outline(doc.title, doc.date, doc.source, items)


def slug_of_file(path: str | Path) -> str:
    """Return the slug a file's name gives a document without a `slug:` of its own."""
    return slugify(Path(path).stem)


@dataclass(slots=True)
class Recognised:
    """The documents of an import, those already stored under another slug renamed to it."""

    docs: list[PostMortem]
    rows: dict[str, PostMortemRow] = field(default_factory=dict)  # by the stored slug
    paths: dict[str, str] = field(default_factory=dict)  # by the stored slug
    # By the stored slug: the path the post-mortem had before this import moved it.
    moved_from: dict[str, str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)  # the document's slug -> the stored

    def keyed(self, by_slug: Mapping[str, str]) -> dict[str, str]:
        """Return a mapping by the documents' slugs keyed by the stored slugs instead."""
        out = dict(by_slug)
        for mine, stored in self.renamed.items():
            if mine in out:
                out[stored] = out.pop(mine)
        return out


def recognise(
    session: Session,
    docs: Sequence[PostMortem],
    existing: Mapping[str, PostMortemRow],
    paths: Mapping[str, str],
    hashes: Mapping[str, str] | None = None,
) -> Recognised:
    """Find the stored post-mortems that documents with slugs new to the store already are,
    and note which post-mortems this import moves.

    existing holds the rows found by slug; paths, by slug, the resolved path of each
    document read from a file; hashes, by slug, its file's hash (the stored post-mortems
    with the same one are candidates whatever their title). Reads the store, changes nothing.
    """
    hashes = hashes or {}
    found = Recognised(list(docs))
    for doc in docs:
        row = existing.get(doc.slug)
        where = paths.get(doc.slug) or (str(Path(doc.path).resolve()) if doc.path else None)
        # The same slug from another file: moved to another folder (the importer refuses
        # it while the old file is still there).
        if row is not None and where is not None and row.path != where and _gone(row.path):
            found.moved_from[row.slug] = row.path
    located = {
        i: paths.get(doc.slug) or str(Path(doc.path).resolve())
        for i, doc in enumerate(docs)
        if doc.slug not in existing and doc.path is not None
    }
    if not located:
        return found
    slugs = {doc.slug for doc in docs}
    batch_paths = set(located.values()) | {row.path for row in existing.values()}
    claimed: set[int] = {row.id for row in existing.values() if row.id is not None}

    at_path = _rows_at(session, sorted(set(located.values())))
    for i, path in list(located.items()):
        here = [r for r in at_path.get(path, ()) if r.slug not in slugs and r.id not in claimed]
        if len(here) == 1 and docs[i].slug == slug_of_file(path):
            _take(found, i, here[0], path, moved_from=None)
            claimed.add(here[0].id)  # type: ignore[arg-type]
            del located[i]

    if not located:
        return found
    titled = _rows_titled(session, sorted({docs[i].title for i in located}))
    hashed = _rows_hashed(
        session, sorted({hashes[s] for i in located if (s := docs[i].slug) in hashes})
    )
    candidates = [
        row
        for row in {row.id: row for row in (*titled, *hashed)}.values()
        if row.id not in claimed
        and row.slug not in slugs
        and row.path not in batch_paths
        and _gone(row.path)
    ]
    if not candidates:
        return found
    items = _item_fingerprints(session, [row.id for row in candidates if row.id is not None])
    stored = {
        row.id: Outline(row.title, row.incident_date, row.source, tuple(items.get(row.id or 0, ())))
        for row in candidates
    }
    pairs: dict[int, list[PostMortemRow]] = {}
    claims: Counter[int | None] = Counter()
    for i in located:
        mine = outline(docs[i])
        pairs[i] = [row for row in candidates if same_postmortem(stored[row.id], mine)]
        claims.update(row.id for row in pairs[i])
    for i, rows in pairs.items():
        # Only a match both ways is a move: two candidates, or two documents claiming one
        # post-mortem (copies of a deleted file), leave the documents as they are.
        if len(rows) == 1 and claims[rows[0].id] == 1:
            _take(found, i, rows[0], located[i], moved_from=rows[0].path)
    return found


def _take(found: Recognised, i: int, row: PostMortemRow, path: str, moved_from: str | None) -> None:
    doc = found.docs[i]
    found.renamed[doc.slug] = row.slug
    found.docs[i] = replace(doc, slug=row.slug)
    found.rows[row.slug] = row
    found.paths[row.slug] = path
    if moved_from is not None:
        found.moved_from[row.slug] = moved_from


def _gone(path: str) -> bool:
    """Tell whether a stored post-mortem's file was removed from where it was.

    Its folder, or the git checkout it was in, must still be here: a store shared by a
    team (PostgreSQL) holds paths of other machines, whose files are not gone but
    elsewhere, and a copy of one of them is a post-mortem of its own.
    """
    file = Path(path)
    # A document stored without a file (its path is its slug) was never anywhere.
    if not file.is_absolute():
        return False
    try:
        if file.exists():
            return False
        if file.parent.is_dir():
            return True
        return any((parent / ".git").exists() for parent in file.parents)
    except OSError:
        return False


def _rows_at(session: Session, paths: list[str]) -> dict[str, list[PostMortemRow]]:
    out: dict[str, list[PostMortemRow]] = {}
    for start in range(0, len(paths), _CHUNK):
        chunk = paths[start : start + _CHUNK]
        for row in session.exec(select(PostMortemRow).where(col(PostMortemRow.path).in_(chunk))):
            out.setdefault(row.path, []).append(row)
    return out


def _rows_titled(session: Session, titles: list[str]) -> list[PostMortemRow]:
    rows: list[PostMortemRow] = []
    for start in range(0, len(titles), _CHUNK):
        chunk = titles[start : start + _CHUNK]
        rows.extend(session.exec(select(PostMortemRow).where(col(PostMortemRow.title).in_(chunk))))
    return rows


def _rows_hashed(session: Session, hashes: list[str]) -> list[PostMortemRow]:
    rows: list[PostMortemRow] = []
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        query = select(PostMortemRow).where(col(PostMortemRow.file_hash).in_(chunk))
        rows.extend(session.exec(query))
    return rows


def _item_fingerprints(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Return, by post-mortem, the fingerprints of its items still in the document."""
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(col(ItemRow.postmortem_id), col(ItemRow.fingerprint))
            .where(
                col(ItemRow.postmortem_id).in_(ids[start : start + _CHUNK]),
                col(ItemRow.status) != Status.REMOVED.value,
            )
            .order_by(col(ItemRow.position))
        )
        for pm_id, print_ in session.connection().execute(query):
            out.setdefault(pm_id, []).append(print_)
    return out
