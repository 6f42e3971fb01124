"""The work behind each TUI action, run in a thread worker: the CLI's core functions.

Each function takes the app (for the store, the settings and a per-thread client),
the job's Progress, and returns the Outcome to notify. They never touch widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from followup.errors import InputError
from followup.tui import outcomes
from followup.tui.messages import PreviewReady
from followup.tui.outcomes import Outcome
from followup.tui.workers import TuiProgress

if TYPE_CHECKING:
    from followup.tui.app import FollowupApp

QUIET = Outcome("", changed=False)


def plan_filing(
    app: FollowupApp, item_ids: tuple[str, ...] | None, progress: TuiProgress
) -> Outcome:
    """Work out what filing would do; without a token GitHub is not checked."""
    from followup.sync import filing

    client = app.client_or_none()
    plan = filing.plan_filing(app.engine, client, item_ids=item_ids, default_repo=app.settings.repo)
    app.post_message(PreviewReady("file", plan, item_ids, client is not None))
    return QUIET


def file(app: FollowupApp, item_ids: tuple[str, ...] | None, progress: TuiProgress) -> Outcome:
    """File the issues, as `followup file` does."""
    from followup.sync import filing

    report = filing.file_items(
        app.engine,
        app.client(),
        item_ids=item_ids,
        default_repo=app.settings.repo,
        progress=progress,
    )
    return outcomes.filing(report)


def plan_protection(
    app: FollowupApp, item_ids: tuple[str, ...] | None, progress: TuiProgress
) -> Outcome:
    """Read the live protection of each branch and plan the change."""
    from followup.sync import protect

    plans = protect.plan_protection(
        app.engine,
        app.client(),
        item_ids=item_ids,
        method=app.settings.protection_method,
        progress=progress,
    )
    app.post_message(PreviewReady("protect", plans, item_ids, True))
    return QUIET


def protect(app: FollowupApp, plans: Sequence[Any], progress: TuiProgress) -> Outcome:
    """Apply the confirmed plans and verify them, as `followup protect` does."""
    from followup.sync import protect as core

    report = core.apply_protection(app.engine, app.client(), plans, progress=progress)
    return outcomes.protection(report)


def verify(app: FollowupApp, item_ids: tuple[str, ...] | None, progress: TuiProgress) -> Outcome:
    """Re-read protected branches and record drift, as `followup verify` does."""
    from followup.sync import drift

    report = drift.verify_protection(app.engine, app.client(), item_ids=item_ids, progress=progress)
    return outcomes.verified(report)


def import_files(app: FollowupApp, paths: list[Path], progress: TuiProgress) -> Outcome:
    """Import post-mortem files, as `followup import` does."""
    from followup.sync.importing import ImportFailed
    from followup.sync.importing import import_files as core

    try:
        report = core(app.engine, paths, default_repo=app.settings.repo)
    except ImportFailed as exc:
        first = exc.problems[0].message if exc.problems else ""
        raise InputError(f"{exc}: {first}" if first else str(exc)) from None
    return outcomes.imported(report)


def sync(app: FollowupApp, progress: TuiProgress) -> Outcome:
    """Poll GitHub for every linked item, as `followup sync` does."""
    from followup.sync import polling

    report = polling.sync_all(
        app.engine, app.client, concurrency=app.settings.sync_concurrency, progress=progress
    )
    return outcomes.synced(report)


def edit(
    app: FollowupApp,
    item_id: str,
    linked: bool,
    change: str,
    value: object,
    progress: TuiProgress,
) -> Outcome:
    """Change one item; a linked item's change goes to GitHub too, or waits for a token."""
    from followup.sync import edits

    client = app.client_or_none() if linked else None
    if change == "close":
        reason: Literal["completed", "not_planned"] = (
            "not_planned" if value == "not_planned" else "completed"
        )
        result = edits.close_item(app.engine, client, item_id, reason=reason)
    elif change == "reopen":
        result = edits.reopen_item(app.engine, client, item_id)
    elif change == "assign":
        login = value if isinstance(value, str) and value else None
        result = edits.reassign_item(app.engine, client, item_id, login)
    elif change == "due":
        assert value is None or isinstance(value, date)
        result = edits.set_due(app.engine, item_id, value)
    elif change == "priority":
        result = edits.set_priority(app.engine, item_id, str(value) if value else None)
    else:
        raise InputError(f"unknown change {change!r}")
    return outcomes.edited(result)
