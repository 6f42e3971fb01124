"""Bring parsed post-mortems into the store: create, update in place, mark removed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from followup import clock
from followup.errors import InputError
from followup.policy import DUE_DOCUMENT, DUE_POLICY, DuePolicy
from followup.postmortem.model import ActionItem, PostMortem
from followup.store import bulk, identity, moves
from followup.store.history import Changes
from followup.store.locks import exclusive
from followup.store.models import ItemRow, PostMortemRow, Status
from followup.store.policy import apply_policy
from followup.store.protection import BranchProtection

T = TypeVar("T")

IMPORT_LOCK = "import"

# Fields copied from the document on every import; a change to any of them is an event.
TRACKED_FIELDS = ("title", "owner", "due", "priority")
COPIED_FIELDS = (
    "title",
    "text",
    "fingerprint",
    "line",
    "position",
    "owner",
    "due",
    "due_text",
    "priority",
    "type",
    "kind",
    "section",
    "parent",
    "repo",
    "doc_done",
    "references",
    "protection",
)
_copied = itemgetter(*COPIED_FIELDS)
NEW_POSTMORTEM_COLUMNS = (
    "slug",
    "path",
    "title",
    "incident_date",
    "status",
    "repo",
    "source",
    "content_hash",
    "file_hash",
    "imported_at",
    "updated_at",
)
# The columns of a new item's row: the document's values, then the store's own. The
# version starts at 1, as the ORM and the column's default start it.
NEW_ITEM_COLUMNS = (
    *COPIED_FIELDS,
    "id",
    "postmortem_id",
    "status",
    "due_source",
    "policy_due",
    "overrides",
    "created_at",
    "updated_at",
    "version",
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one document's import changed."""

    slug: str
    path: str
    title: str
    items: int
    created: int
    updated: int
    removed: int
    unchanged: bool
    warnings: tuple[str, ...]
    status: str | None = None  # the front matter's: draft, final...
    suggested: int = 0  # of the new items, how many are suggestions waiting for a person
    moved_from: str | None = None  # the path it had, when this import recorded a move


def content_hash(doc: PostMortem, fields: list[dict[str, Any]]) -> str:
    """Return a hash of everything an import writes, to skip documents that did not change.

    It covers the extracted fields, not just the text, so a better reader (or another
    default repo) still updates documents whose text stayed the same.
    """
    digest = hashlib.sha256(doc.source.encode())
    meta = [doc.title, doc.date, doc.status, doc.repo, fields]
    digest.update(json.dumps(meta, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def _item_fields(
    doc: PostMortem, item: ActionItem, position: int, default_repo: str | None
) -> dict[str, Any]:
    repo = (item.protection.repo if item.protection else None) or doc.repo or default_repo
    protection = (
        BranchProtection(repo, item.protection).to_json() if item.protection is not None else None
    )
    return {
        "title": item.title,
        "text": item.text,
        "fingerprint": identity.fingerprint(item.title),
        "line": item.line,
        "position": position,
        "owner": item.owner,
        "due": item.due,
        "due_text": item.due_text,
        "priority": item.priority,
        "type": item.type,
        "kind": item.kind.value,
        "section": item.section,
        "parent": item.parent,
        "repo": repo.lower() if repo else None,
        "doc_done": item.done,
        "references": [ref.to_dict() for ref in item.references],
        "protection": protection,
        # Not a column: it decides the status a new item starts with.
        "suggested": item.suggested,
    }


def _check_slug(existing: PostMortemRow, path: Path) -> None:
    """Refuse two different files that claim the same slug."""
    old = Path(existing.path)
    if old == path or not old.exists() or not path.exists():
        return
    try:
        if old.samefile(path):
            return
    except OSError:
        return
    raise InputError(
        f"{path}: slug {existing.slug!r} is already used by {old}; "
        "give one of them its own 'slug:' in the front matter"
    )


@dataclass(slots=True)
class _Batch:
    """What an import already knows, so each document costs no extra queries."""

    session: Session
    now: datetime
    default_repo: str | None
    taken_ids: set[str]
    changes: Changes
    file_hashes: Mapping[str, str] = field(default_factory=dict)
    paths: Mapping[str, str] = field(default_factory=dict)
    created: list[tuple[Any, ...]] = field(default_factory=list)  # NEW_ITEM_COLUMNS


def import_postmortem(
    session: Session,
    doc: PostMortem,
    *,
    default_repo: str | None = None,
    policy: DuePolicy | None = None,
) -> ImportResult:
    """Store one parsed post-mortem and its items; nothing is committed here."""
    return import_all(session, [doc], default_repo=default_repo, policy=policy)[0]


def import_all(
    session: Session,
    docs: Sequence[PostMortem],
    *,
    default_repo: str | None = None,
    policy: DuePolicy | None = None,
    file_hashes: Mapping[str, str] | None = None,
    paths: Mapping[str, str] | None = None,
) -> list[ImportResult]:
    """Store several post-mortems in one go, one result each in their order; the caller
    commits or rolls back.

    Everything is read in a few queries up front and written in bulk at the end: an
    import of a thousand documents must take seconds, not minutes. With a policy, the
    items of changed documents get their deadlines at once; without, the next open of
    the store works them out. file_hashes gives, by slug, the file_hash to keep for each
    document read from a file; paths, by slug, its path resolved already (else it is
    resolved here). The transaction is the store's only importer until it ends
    (store/locks.exclusive): a second run importing the same new document at the same
    moment waits, then finds it stored.
    """
    slugs: dict[str, str] = {}
    for doc in docs:
        where = doc.path or doc.slug
        if doc.slug in slugs and slugs[doc.slug] != where:
            raise InputError(
                f"{where}: slug {doc.slug!r} is also the slug of {slugs[doc.slug]}; "
                "give one of them its own 'slug:' in the front matter"
            )
        slugs[doc.slug] = where

    exclusive(session, IMPORT_LOCK)
    now = clock.now()
    existing = {
        row.slug: row
        for chunk in _chunks(list(slugs))
        for row in session.exec(select(PostMortemRow).where(col(PostMortemRow.slug).in_(chunk)))
    }
    # A document whose file was moved keeps the stored post-mortem's slug and ids.
    known = moves.recognise(session, docs, existing, paths or {}, file_hashes)
    if known.rows:
        docs, paths = known.docs, known.keyed(paths or {}) | known.paths
        file_hashes = known.keyed(file_hashes or {})
        existing.update(known.rows)
    batch = _Batch(
        session=session,
        now=now,
        default_repo=default_repo,
        taken_ids=_taken_ids(session),
        changes=Changes(source="document", at=now),
        file_hashes=file_hashes or {},
        paths=paths or {},
    )
    # Phase 1: post-mortem rows. New ones go in as one bulk insert (building an ORM object
    # per document cost more than parsing it); the rows of documents imported before are
    # updated through the session.
    staged = [_stage(batch, doc, existing.get(doc.slug)) for doc in docs]
    fresh = [s for s in staged if s.new is not None]
    if fresh:
        table = PostMortemRow.__table__  # type: ignore[attr-defined]
        bulk.insert(session, table, NEW_POSTMORTEM_COLUMNS, [s.new for s in fresh if s.new])
        # Slugs are unique, and this transaction is the only importer: one query finds
        # the ids the rows were given.
        new_ids = {
            slug: pm_id
            for chunk in _chunks([s.doc.slug for s in fresh])
            for slug, pm_id in session.connection().execute(
                select(col(PostMortemRow.slug), col(PostMortemRow.id)).where(
                    col(PostMortemRow.slug).in_(chunk)
                )
            )
        }
        for s in fresh:
            s.id = new_ids[s.doc.slug]
    session.flush()  # the stored rows' changes
    # Phase 2: the items of every changed document, stored ones loaded in one query.
    changed_ids = [s.id for s in staged if not s.unchanged and s.id is not None]
    stored: dict[int, list[ItemRow]] = {}
    for chunk in _chunks(changed_ids):
        query = select(ItemRow).where(col(ItemRow.postmortem_id).in_(chunk))
        for item in session.exec(query.order_by(col(ItemRow.position))):
            stored.setdefault(item.postmortem_id, []).append(item)
    results = [
        _import_items(batch, s, stored.get(s.id or 0, [])) if not s.unchanged else s.result()
        for s in staged
    ]
    if batch.created:
        # Straight to the driver (store/bulk.py), without the ORM's or Core's per-row work.
        table = ItemRow.__table__  # type: ignore[attr-defined]
        bulk.insert(session, table, NEW_ITEM_COLUMNS, batch.created)
    batch.changes.flush(session)
    if policy is not None:
        session.flush()
        apply_policy(session, policy)
    if known.moved_from:
        results = [replace(r, moved_from=known.moved_from.get(r.slug)) for r in results]
    return results


def _taken_ids(session: Session) -> set[str]:
    """Return every item id in the store, read once per session (a bulk import has many
    batches); ids an import adds are added to the same set."""
    cached = session.info.get("followup.taken_ids")
    if cached is None:
        cached = session.info["followup.taken_ids"] = set(
            session.connection().execute(select(col(ItemRow.id))).scalars()
        )
    return cached


def _chunks(values: list[T], size: int = 500) -> list[list[T]]:
    # Bound the number of bound parameters per statement (SQLite caps it).
    return [values[i : i + size] for i in range(0, len(values), size)]


@dataclass(slots=True)
class _Staged:
    """One document after its post-mortem row is in place, before its items are."""

    doc: PostMortem
    id: int | None  # the post-mortem row's, once it is stored
    path: Path
    fields: list[dict[str, Any]]
    unchanged: bool
    new: tuple[Any, ...] | None = None  # NEW_POSTMORTEM_COLUMNS, for a document not stored yet

    def result(self) -> ImportResult:
        """Return the result of a document that did not change."""
        # Unchanged text means every item it holds is stored and live.
        return ImportResult(
            self.doc.slug,
            str(self.path),
            self.doc.title,
            len(self.fields),
            0,
            0,
            0,
            True,
            self.doc.warnings,
            self.doc.status,
        )


def _stage(batch: _Batch, doc: PostMortem, row: PostMortemRow | None) -> _Staged:
    now = batch.now
    resolved = batch.paths.get(doc.slug)
    if resolved is not None:
        path = Path(resolved)
    else:
        path = Path(doc.path).resolve() if doc.path else Path(doc.slug)
    # A re-import without --repo keeps the repository the post-mortem was imported with.
    default_repo = batch.default_repo or (row.repo if row is not None else None)
    fields = [_item_fields(doc, item, pos, default_repo) for pos, item in enumerate(doc.items)]
    digest = content_hash(doc, fields)
    repo = doc.repo or default_repo
    file_hash = batch.file_hashes.get(doc.slug)
    if row is None:
        new = (
            doc.slug,
            str(path),
            doc.title,
            doc.date,
            doc.status,
            repo,
            doc.source,
            digest,
            file_hash,
            now,
            now,
        )
        return _Staged(doc, None, path, fields, unchanged=False, new=new)
    _check_slug(row, path)
    if file_hash != row.file_hash:
        row.file_hash = file_hash
    if row.content_hash == digest and row.path == str(path):
        return _Staged(doc, row.id, path, fields, unchanged=True)
    row.path = str(path)
    row.title = doc.title
    row.incident_date = doc.date
    row.status = doc.status
    row.repo = repo
    row.source = doc.source
    row.content_hash = digest
    # Its date or its items' priorities may have changed: work out the deadlines again.
    row.policy_key = None
    row.updated_at = now
    return _Staged(doc, row.id, path, fields, unchanged=False)


def _import_items(batch: _Batch, staged: _Staged, old_items: list[ItemRow]) -> ImportResult:
    doc, row_id, fields, now = staged.doc, staged.id, staged.fields, batch.now
    assert row_id is not None
    pairs = identity.match(
        old_items, fields, lambda r: r.fingerprint, lambda f: str(f["fingerprint"])
    )
    changes = batch.changes
    created = 0
    updated = 0
    suggested = 0
    seen_keys: dict[str, int] = {}
    for j, values in enumerate(fields):
        if j in pairs:
            if _update_item(old_items[pairs[j]], values, changes, now):
                updated += 1
            continue
        key = str(values["fingerprint"])
        # Two items with the same wording in one document still get distinct, stable ids.
        seen_keys[key] = seen_keys.get(key, 0) + 1
        if seen_keys[key] > 1:
            key = f"{key}\n#{seen_keys[key]}"
        new_id = identity.item_id(doc.slug, key, batch.taken_ids.__contains__)
        batch.taken_ids.add(new_id)
        status = _new_status(values)
        suggested += status is Status.SUGGESTED
        due_source = DUE_DOCUMENT if values["due"] is not None else None
        batch.created.append(
            (*_copied(values), new_id, row_id, status.value, due_source, None, {}, now, now, 1)
        )
        changes.add(new_id, "status", None, status.value)
        created += 1

    matched_old = set(pairs.values())
    removed = 0
    for i, old in enumerate(old_items):
        # A dismissed suggestion stays dismissed even while its sentence is gone, so it
        # does not come back as a new suggestion when the sentence does.
        if i in matched_old or old.status in (Status.REMOVED, Status.DISMISSED):
            continue
        changes.add(old.id, "status", old.status, Status.REMOVED.value)
        old.status = Status.REMOVED.value
        old.updated_at = now
        removed += 1

    return ImportResult(
        slug=doc.slug,
        path=str(staged.path),
        title=doc.title,
        items=len(fields),
        created=created,
        updated=updated,
        removed=removed,
        unchanged=False,
        warnings=doc.warnings,
        status=doc.status,
        suggested=suggested,
    )


def _new_status(values: dict[str, Any]) -> Status:
    """Return the status a new item starts with: done, a suggestion, or open."""
    if values["doc_done"]:
        return Status.DONE
    return Status.SUGGESTED if values["suggested"] else Status.OPEN


def _restored_status(item: ItemRow, values: dict[str, Any]) -> Status:
    """Return the status an item comes back with when it reappears in the document."""
    if values["doc_done"]:
        return Status.DONE
    if item.issue_id is not None:
        return Status.FILED
    return Status.SUGGESTED if values["suggested"] else Status.OPEN


def _update_item(item: ItemRow, values: dict[str, Any], changes: Changes, now: datetime) -> bool:
    """Copy the document's values onto a stored item, recording what changed."""
    changed = False
    overridden = item.overrides or {}
    for name in COPIED_FIELDS:
        if name in overridden:
            continue
        new = values[name]
        old = getattr(item, name)
        if name == "due":
            if item.due_source == DUE_POLICY and new is None:
                continue  # still undated in the document: the policy's date stands
            source = DUE_DOCUMENT if new is not None else None
            if item.due_source != source:
                item.due_source = source
                changed = True
        if old == new:
            continue
        if name in TRACKED_FIELDS:
            changes.add(item.id, name, old, new)
        setattr(item, name, new)
        changed = True

    status = Status(item.status)
    new_status = status
    if status == Status.REMOVED:
        new_status = _restored_status(item, values)
    elif status == Status.DISMISSED:
        pass  # the person's decision stands, whatever the document now says
    elif status == Status.SUGGESTED:
        # Still only in prose: it waits for a person. Listed as an item now: it is one.
        if not values["suggested"]:
            new_status = Status.DONE if values["doc_done"] else Status.OPEN
    elif item.kind == "issue" and "status" not in overridden:
        # The document is a record people edit: checking an item off closes it here too,
        # unless the status was since set from followup or GitHub (overrides).
        if values["doc_done"] and status in (Status.OPEN, Status.FILED, Status.IN_PROGRESS):
            new_status = Status.DONE
        elif not values["doc_done"] and status == Status.DONE and item.issue_id is None:
            new_status = Status.OPEN
    if new_status != status:
        changes.add(item.id, "status", status.value, new_status.value)
        item.status = new_status.value
        changed = True
    if changed:
        item.updated_at = now
    return changed
