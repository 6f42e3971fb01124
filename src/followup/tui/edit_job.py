"""The "edit" job: one change made to one item or to a selection, and what it did.

The changes themselves are declared in tui/edits.py; here is the plain data a worker
thread takes (the targets, the value), the loop over the targets, and the notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from followup.errors import FollowupError
from followup.store.views import ItemView
from followup.sync.progress import Progress
from followup.tui.edits import EDITS, Edit, EditSpec, priority_by
from followup.tui.jobs import ItemResult, ItemState, JobContext, Outcome, Severity, one_line

if TYPE_CHECKING:
    from followup.sync.edits import EditResult


@dataclass(frozen=True, slots=True)
class Target:
    """An item to change, as the work needs it (plain data for the thread)."""

    item_id: str
    title: str
    linked: bool

    @classmethod
    def of(cls, item: ItemView) -> Target:
        """Return the target for an item."""
        return cls(item.id, item.title, item.issue is not None)


@dataclass(frozen=True, slots=True)
class EditRequest:
    """One change, with its value, for one item or several."""

    edit: Edit
    value: object
    targets: tuple[Target, ...]

    @property
    def spec(self) -> EditSpec:
        """Return the change's spec."""
        return EDITS[self.edit]

    def describe(self) -> str:
        """Return what the status bar says while the change runs."""
        if len(self.targets) == 1:
            return f"Updating {self.targets[0].item_id}"
        return f"{self.spec.doing} {len(self.targets)} items"

    def key(self) -> str:
        """Return what two runs may not share: the item, or 'bulk' for a selection."""
        return self.targets[0].item_id if len(self.targets) == 1 else "bulk"


@dataclass(frozen=True, slots=True)
class EditsDone:
    """What each item's change did: its result, or the one line it failed with."""

    request: EditRequest
    done: tuple[tuple[Target, EditResult | str], ...]
    cancelled: int = 0


def run(context: JobContext, request: EditRequest, progress: Progress) -> EditsDone:
    """Make the change to each item; a linked item's change goes to GitHub too, or waits.

    With one item a failure fails the job; with several, each item's failure is its
    result and the others carry on.
    """
    done = _run(context, request, progress)
    if request.spec.edit is Edit.PRIORITY:
        # A new priority may give an item another deadline under the due-date policy.
        from followup.sync.policy import refresh_deadlines

        refresh_deadlines(context.engine, context.settings.policy)
    return done


def _run(context: JobContext, request: EditRequest, progress: Progress) -> EditsDone:
    spec = request.spec
    apply = priority_by(context.settings.policy) if spec.edit is Edit.PRIORITY else spec.apply
    linked = spec.reaches_github and any(t.linked for t in request.targets)
    client = context.client_or_none() if linked else None
    if len(request.targets) == 1:
        (target,) = request.targets
        result = apply(
            context.engine, client if target.linked else None, target.item_id, request.value
        )
        return EditsDone(request, ((target, result),))
    progress.start(len(request.targets), request.describe())
    done: list[tuple[Target, EditResult | str]] = []
    for n, target in enumerate(request.targets):
        if progress.cancelled():
            return EditsDone(request, tuple(done), cancelled=len(request.targets) - n)
        try:
            item_client = client if target.linked else None
            done.append((target, apply(context.engine, item_client, target.item_id, request.value)))
        except FollowupError as exc:
            done.append((target, str(exc)))
        except Exception as exc:  # one item's surprise must not lose the others' results
            done.append((target, one_line(exc)))
        progress.advance(target.item_id)
    return EditsDone(request, tuple(done))


def summarise(done: EditsDone) -> Outcome:
    """Return the notification for one item's change, or for a change over several."""
    from followup.tui import outcomes

    if len(done.done) == 1 and not done.cancelled:
        ((_target, result),) = done.done
        assert not isinstance(result, str)  # one item's failure failed the job
        return outcomes.edited(result)
    results: list[ItemResult] = []
    pushed = queued = 0
    for target, result in done.done:
        if isinstance(result, str):
            results.append(ItemResult(target.item_id, target.title, "failed", result))
            continue
        state: ItemState = "skipped" if result.outcome == "unchanged" else "done"
        results.append(ItemResult(target.item_id, target.title, state, result.message))
        pushed += result.outcome == "pushed"
        queued += result.outcome == "queued"
    remaining = done.request.targets[len(done.done) :]
    results.extend(
        ItemResult(t.item_id, t.title, "skipped", "not done: cancelled") for t in remaining
    )
    return _bulk_outcome(done.request, tuple(results), pushed, queued)


def _bulk_outcome(
    request: EditRequest, results: tuple[ItemResult, ...], pushed: int, queued: int
) -> Outcome:
    changed = [r for r in results if r.state == "done"]
    failed = [r for r in results if r.state == "failed"]
    skipped = len(results) - len(changed) - len(failed)
    parts = [f"{len(changed)} of {len(results)} items changed"]
    if pushed:
        parts.append(f"{pushed} on GitHub too")
    if queued:
        parts.append(f"{queued} to send to GitHub at the next sync")
    if skipped:
        parts.append(f"{skipped} left as they were")
    if failed:
        parts.append(f"{len(failed)} failed ({failed[0].item_id}: {failed[0].message})")
    severity: Severity = "error" if failed else "warning" if queued else "information"
    return Outcome(
        f"{request.spec.label}: " + ", ".join(parts),
        severity,
        changed=bool(changed or failed),
        # A failure may come from a change made elsewhere: read those items again too.
        items=tuple(r.item_id for r in (*changed, *failed)),
        results=results,
        title=request.spec.title.format(f"{len(results)} items", issue=""),
    )
