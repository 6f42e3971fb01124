"""Bring parsed post-mortems into the store: create, update in place, mark removed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from followup import clock
from followup.errors import InputError
from followup.postmortem.model import ActionItem, PostMortem
from followup.store import identity
from followup.store.history import Changes
from followup.store.models import ItemRow, PostMortemRow, Status

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
    protection = item.protection.to_dict() if item.protection else None
    repo = (item.protection.repo if item.protection else None) or doc.repo or default_repo
    if protection is not None and protection.get("repo") is None:
        protection["repo"] = repo
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


def import_postmortem(
    session: Session, doc: PostMortem, *, default_repo: str | None = None
) -> ImportResult:
    """Store one parsed post-mortem and its items; nothing is committed here."""
    now = clock.now()
    path = Path(doc.path).resolve() if doc.path else Path(doc.slug)
    fields = [_item_fields(doc, item, pos, default_repo) for pos, item in enumerate(doc.items)]
    digest = content_hash(doc, fields)
    row = session.exec(select(PostMortemRow).where(PostMortemRow.slug == doc.slug)).first()
    if row is not None:
        _check_slug(row, path)
        if row.content_hash == digest and row.path == str(path):
            count = session.exec(
                select(func.count())
                .select_from(ItemRow)
                .where(ItemRow.postmortem_id == row.id, ItemRow.status != Status.REMOVED)
            ).one()
            return ImportResult(doc.slug, str(path), doc.title, count, 0, 0, 0, True, doc.warnings)
    if row is None:
        row = PostMortemRow(
            slug=doc.slug,
            path=str(path),
            title=doc.title,
            incident_date=doc.date,
            status=doc.status,
            repo=doc.repo or default_repo,
            source=doc.source,
            content_hash=digest,
            imported_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        old_items: list[ItemRow] = []
    else:
        row.path = str(path)
        row.title = doc.title
        row.incident_date = doc.date
        row.status = doc.status
        row.repo = doc.repo or default_repo
        row.source = doc.source
        row.content_hash = digest
        row.updated_at = now
        old_items = list(
            session.exec(
                select(ItemRow)
                .where(ItemRow.postmortem_id == row.id)
                .order_by(col(ItemRow.position))
            )
        )
    assert row.id is not None

    pairs = identity.match(
        old_items, fields, lambda r: r.fingerprint, lambda f: str(f["fingerprint"])
    )
    changes = Changes(source="document", at=now)
    created_rows: list[dict[str, Any]] = []
    updated = 0
    new_ids: set[str] = set()
    seen_keys: dict[str, int] = {}

    def taken(candidate: str) -> bool:
        return candidate in new_ids or session.get(ItemRow, candidate) is not None

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
        new_id = identity.item_id(doc.slug, key, taken)
        new_ids.add(new_id)
        status = Status.DONE if values["doc_done"] else Status.OPEN
        created_rows.append(
            {
                **values,
                "id": new_id,
                "postmortem_id": row.id,
                "status": status.value,
                "overrides": {},
                "created_at": now,
                "updated_at": now,
            }
        )
        changes.add(new_id, "status", None, status.value)

    matched_old = set(pairs.values())
    removed = 0
    for i, old in enumerate(old_items):
        if i in matched_old or old.status == Status.REMOVED:
            continue
        changes.add(old.id, "status", old.status, Status.REMOVED.value)
        old.status = Status.REMOVED.value
        old.updated_at = now
        removed += 1

    if created_rows:
        session.execute(insert(ItemRow), created_rows)
    changes.flush(session)
    return ImportResult(
        slug=doc.slug,
        path=str(path),
        title=doc.title,
        items=len(fields),
        created=len(created_rows),
        updated=updated,
        removed=removed,
        unchanged=False,
        warnings=doc.warnings,
    )


def _restored_status(item: ItemRow, values: dict[str, Any]) -> Status:
    """Return the status an item comes back with when it reappears in the document."""
    if values["doc_done"]:
        return Status.DONE
    if item.issue_id is not None:
        return Status.FILED
    return Status.OPEN


def _update_item(item: ItemRow, values: dict[str, Any], changes: Changes, now: Any) -> bool:
    """Copy the document's values onto a stored item, recording what changed."""
    changed = False
    overridden = item.overrides or {}
    for name in COPIED_FIELDS:
        if name in overridden:
            continue
        new = values[name]
        old = getattr(item, name)
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
    elif item.kind == "issue":
        # The document is a record people edit: checking an item off closes it here too.
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


def import_all(
    session: Session, docs: Sequence[PostMortem], *, default_repo: str | None = None
) -> list[ImportResult]:
    """Store several post-mortems in one go; the caller commits or rolls back."""
    slugs: dict[str, str] = {}
    for doc in docs:
        where = doc.path or doc.slug
        if doc.slug in slugs and slugs[doc.slug] != where:
            raise InputError(
                f"{where}: slug {doc.slug!r} is also the slug of {slugs[doc.slug]}; "
                "give one of them its own 'slug:' in the front matter"
            )
        slugs[doc.slug] = where
    return [import_postmortem(session, doc, default_repo=default_repo) for doc in docs]
