"""Keep the Due lines of issues in step with the dates the policy and the document give.

A date the policy set (store/policy.py) moves when the policy or the item's priority
changes, here or on GitHub; a date the post-mortem gives moves when the document is
edited and imported again. Before it pushes waiting edits, a sync queues the Due line of
each linked item whose date its issue's block does not show: the policy's with its note
after the date, as filing writes it, the document's as a plain date. An item the policy
no longer dates has that line taken out; a date the document no longer gives leaves the
line as it is. Dates someone set (here or on GitHub) are never touched: a date changed
on GitHub is taken as an edit and beats the document. An edit already waiting wins, and
an issue shared by several items is left alone (they could want different dates). Only
bodies already read count: nothing is fetched here, and the push reads each body again
before it writes.

A person may date an item (and queue that for GitHub) while this runs: each item a line
is queued for is claimed (store/retry.claim) in one snapshot of the store, so an edit
that lands after the read makes this run again and see it, rather than queue the
policy's line beside it, whose push would then overrule the person's date
(tests/sync/test_concurrency_writers.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from followup import clock
from followup.github.issue_fields import due_line, split_policy
from followup.policy import DUE_DOCUMENT, DUE_POLICY
from followup.store import retry
from followup.store.models import IssueRow, ItemRow, PendingEditRow, Status
from followup.sync.edit_fields import FIELD_DUE, same
from followup.sync.issue_state import FINAL_GONE

POLICY_WORDS = "%due-date policy%"


def wanted_line(item: ItemRow, shown: str) -> str | None:
    """Return the Due line the item's issue should show, or the line it shows already."""
    if item.due_source == DUE_POLICY:
        return due_line(item.due, item.priority)
    if item.due_source == DUE_DOCUMENT and item.due is not None:
        line, by_policy = split_policy(shown)
        if by_policy is None and line in (item.due.isoformat(), item.due_text):
            return shown  # the document's date, as filing (or an older followup) wrote it
        return due_line(item.due)
    if item.due is None and item.due_source is None and split_policy(shown)[1] is not None:
        return None  # the policy dated it once and no longer does
    return shown


def queue_policy_dates(engine: Engine, *, repos: Collection[str] | None = None) -> int:
    """Queue the Due lines the policy's and the document's dates need; return how many."""
    return retry.write(engine, lambda session: _queue(session, repos))


def _queue(session: Session, repos: Collection[str] | None) -> int:
    """Queue the lines in the session's transaction (see queue_policy_dates)."""
    queued = 0
    query = (
        select(ItemRow, IssueRow)
        .join(IssueRow, col(IssueRow.id) == col(ItemRow.issue_id))
        .where(
            col(ItemRow.status) != Status.REMOVED.value,
            col(IssueRow.body_due).is_not(None),
            or_(
                col(ItemRow.due_source).in_((DUE_POLICY, DUE_DOCUMENT)),
                col(IssueRow.body_due).like(POLICY_WORDS),
            ),
        )
    )
    found = [
        (item, issue)
        for item, issue in session.exec(query)
        if issue.gone not in FINAL_GONE and (repos is None or issue.repo in repos)
    ]
    if not found:
        return 0
    waiting = set(
        session.exec(select(PendingEditRow.item_id).where(PendingEditRow.field == FIELD_DUE))
    )
    issue_ids = [issue.id for _, issue in found]
    shared = Counter(
        session.exec(
            select(ItemRow.issue_id).where(
                col(ItemRow.issue_id).in_(issue_ids),
                col(ItemRow.status) != Status.REMOVED.value,
            )
        )
    )
    for item, issue in found:
        shown = issue.body_due
        assert shown is not None
        if item.id in waiting or shared[issue.id] > 1:
            continue
        wanted = wanted_line(item, shown)
        if same(FIELD_DUE, shown, wanted):
            continue
        retry.claim(item)
        session.add(
            PendingEditRow(
                item_id=item.id,
                field=FIELD_DUE,
                value=wanted,
                base=shown,
                created_at=clock.now(),
            )
        )
        queued += 1
    return queued
