"""Give items the due date the team's policy sets, and keep it current when the policy changes.

Each item keeps its policy deadline (`policy_due`: the post-mortem's date, or the day it
was first imported when it has none, plus the days its priority gets) and where its due
date comes from (`due_source`). An item without a date from its document or an edit is
due on its policy deadline; a document's date or an edit always wins.

Deadlines are worked out per post-mortem, and only again when something they depend on
changed: each post-mortem remembers the policy it was worked out with (`policy_key`),
which an import of a changed document or an edited priority clears. Opening a store
whose deadlines are current costs one small query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_, update
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from followup import clock
from followup.policy import DUE_DOCUMENT, DUE_POLICY, DuePolicy
from followup.store.history import Changes
from followup.store.models import ItemRow, PostMortemRow, Status

CHUNK = 500


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """What working out the deadlines changed."""

    postmortems: int
    deadlines: int  # items whose policy deadline changed
    due_dates: int  # items whose due date changed with it


def policy_start(incident_date: date | None, imported_at: date) -> date:
    """Return the day the policy counts from: the incident's, else the first import's."""
    return incident_date or imported_at


def effective_source(due: date | None, source: str | None) -> str | None:
    """Return where a stored due date comes from, reading an unmarked one as the document's."""
    if source is None and due is not None:
        return DUE_DOCUMENT
    return source


def stale_postmortems(session: Session, policy: DuePolicy) -> list[int]:
    """Return the post-mortems whose deadlines were not worked out with this policy."""
    query = select(PostMortemRow.id).where(
        or_(col(PostMortemRow.policy_key).is_(None), col(PostMortemRow.policy_key) != policy.key)
    )
    return [pm_id for pm_id in session.exec(query) if pm_id is not None]


def apply_policy(session: Session, policy: DuePolicy) -> PolicyResult:
    """Work out the deadlines the policy gives wherever they may have changed; no commit."""
    stale = stale_postmortems(session, policy)
    if not stale:
        return PolicyResult(0, 0, 0)
    changes = Changes(source=DUE_POLICY, at=clock.now())
    deadlines = due_dates = 0
    for start in range(0, len(stale), CHUNK):
        chunk = stale[start : start + CHUNK]
        rows, moved = _work_out(session, policy, chunk, changes)
        deadlines += len(rows)
        due_dates += moved
        if rows:
            statement = (
                update(ItemRow)
                .where(col(ItemRow.id) == bindparam("b_id"))
                .values(
                    policy_due=bindparam("b_policy_due"),
                    due=bindparam("b_due"),
                    due_source=bindparam("b_source"),
                )
                .execution_options(synchronize_session=False)
            )
            session.connection().execute(statement, rows)
        session.connection().execute(
            update(PostMortemRow)
            .where(col(PostMortemRow.id).in_(chunk))
            .values(policy_key=policy.key)
            .execution_options(synchronize_session=False)
        )
    changes.flush(session)
    # Rows already loaded in this session must not keep their old dates.
    session.expire_all()
    return PolicyResult(len(stale), deadlines, due_dates)


def _work_out(
    session: Session, policy: DuePolicy, pm_ids: list[int], changes: Changes
) -> tuple[list[dict[str, Any]], int]:
    """Return the updates of these post-mortems' items, and how many due dates move."""
    # Plain column reads on the session's connection (the caller flushed what it wrote).
    connection = session.connection()
    dates = columns(
        col(PostMortemRow.id), col(PostMortemRow.incident_date), col(PostMortemRow.imported_at)
    ).where(col(PostMortemRow.id).in_(pm_ids))
    starts = {
        pm_id: policy_start(incident, imported.date())
        for pm_id, incident, imported in connection.execute(dates)
    }
    query = columns(
        col(ItemRow.id),
        col(ItemRow.postmortem_id),
        col(ItemRow.priority),
        col(ItemRow.due),
        col(ItemRow.due_source),
        col(ItemRow.policy_due),
        col(ItemRow.status),
    ).where(col(ItemRow.postmortem_id).in_(pm_ids))
    rows: list[dict[str, Any]] = []
    moved = 0
    for item_id, pm_id, priority, due, stored, old_deadline, status in connection.execute(query):
        deadline = policy.deadline(priority, starts[pm_id])
        source = effective_source(due, stored)
        new_due, new_source = due, source
        if source in (None, DUE_POLICY) and status != Status.REMOVED.value:
            new_due, new_source = deadline, DUE_POLICY if deadline else None
        if (deadline, new_due, new_source) == (old_deadline, due, source):
            continue
        if new_due != due:
            moved += 1
            changes.add(item_id, "due", due, new_due, detail={"policy": policy.describe()})
        rows.append(
            {"b_id": item_id, "b_policy_due": deadline, "b_due": new_due, "b_source": new_source}
        )
    return rows, moved


def work_out_item(item: ItemRow, pm: PostMortemRow, policy: DuePolicy, changes: Changes) -> None:
    """Work out one loaded item's deadline again (after an edit of its priority)."""
    deadline = policy.deadline(item.priority, policy_start(pm.incident_date, pm.imported_at.date()))
    item.policy_due = deadline
    source = effective_source(item.due, item.due_source)
    if source in (None, DUE_POLICY) and item.due != deadline:
        changes.add(item.id, "due", item.due, deadline, detail={"policy": policy.describe()})
        item.due = deadline
        item.due_source = DUE_POLICY if deadline else None
