"""Write each filed item's issue reference back into its post-mortem, for filing.

One post-mortem at a time, under a run lock on its file: two runs filing the same
document take turns, and the second, reading the document as the first left it, adds
only what is still missing. The file is replaced whole (sync/writeback.py), and the
document is imported again so that the store knows the references it now holds: on the
items as the store has them then, again if a person edits one meanwhile (the run's
afresh), rather than warn that re-reading the file failed
(tests/sync/test_concurrency_decisions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from followup import postmortem
from followup.errors import FollowupError
from followup.postmortem.model import Reference, RefKind
from followup.store.importer import import_postmortem
from followup.store.models import IssueRow, ItemRow, PostMortemRow
from followup.sync.candidates import issue_reference, linked_items
from followup.sync.run_control import RunControl
from followup.sync.writeback import Edit, WriteBackError, write_back


def _mentions(item: ItemRow, issue: IssueRow) -> bool:
    """Tell whether the item's text already references its issue."""
    for raw in item.references or ():
        ref = Reference.from_dict(raw)
        if ref.number != issue.number:
            continue
        if ref.kind is RefKind.NUMBER and (item.repo or "").lower() == issue.repo:
            return True
        if ref.repo and ref.repo.lower() == issue.repo:
            return True
    return False


def write_back_edits(session: Session, pm: PostMortemRow) -> list[Edit]:
    """Return the references the post-mortem lacks: one per linked item that names none."""
    return [
        Edit(item.line, issue_reference(issue), item.id)
        for item, issue in linked_items(session, pm)
        if not _mentions(item, issue)
    ]


def write_back_all(
    session: Session,
    pms: list[PostMortemRow],
    *,
    default_repo: str | None,
    control: RunControl,
    warn: Callable[[str], None],
    afresh: Callable[[Callable[[], object]], None],
) -> list[tuple[str, int]]:
    """Write the missing references into each post-mortem; return (path, added) per file."""
    written: list[tuple[str, int]] = []
    for pm in pms:
        with control.locked(f"file:{pm.path}"):
            # Another run may have written this file meanwhile: start from what it left.
            session.refresh(pm)
            added = _write_one(session, pm, default_repo, warn, afresh)
        if added:
            written.append((pm.path, added))
    return written


def _write_one(
    session: Session,
    pm: PostMortemRow,
    default_repo: str | None,
    warn: Callable[[str], None],
    afresh: Callable[[Callable[[], object]], None],
) -> int:
    edits = write_back_edits(session, pm)
    if not edits:
        return 0
    path = Path(pm.path)
    try:
        added = write_back(path, edits, expected=pm.source)
    except WriteBackError as exc:
        # The issues exist whatever happens to the file: say which references are
        # missing, item by item, so that they can be added by hand.
        missing = ", ".join(f"{e.item_id or f'line {e.line}'} ({e.ref})" for e in edits)
        warn(f"{exc}; references not written: {missing}")
        return 0
    if not added:
        return 0
    try:
        # Already in the store: no need to judge again whether it is a post-mortem.
        doc = postmortem.read(path, default_repo=pm.repo or default_repo, force=True)
        repo = pm.repo or default_repo
        afresh(lambda: import_postmortem(session, doc, default_repo=repo))
    except FollowupError as exc:
        session.rollback()
        warn(f"{path}: references written, but re-reading it failed: {exc}")
    return added


__all__ = ["write_back_all", "write_back_edits"]
