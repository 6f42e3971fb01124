"""What accepting or dismissing suggestions did, as a report: shared by `accept` and `dismiss`."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from followup.cli.context import CliContext
from followup.cli.reporting import Entry, Report, Source
from followup.store import session_scope
from followup.store.display_paths import display_path
from followup.store.models import ItemRow, PostMortemRow
from followup.store.suggestions import Decision


def summary(done: str) -> dict[str, int]:
    """Return the empty summary of a run whose changed items count as done."""
    return {done: 0, "skipped": 0}


def add_decisions(
    cli: CliContext, report: Report, decisions: Sequence[Decision], done: str
) -> None:
    """Add one entry per item: done (accepted or dismissed), or skipped with the reason."""
    with session_scope(cli.engine()) as session:
        for decision in decisions:
            item = session.get(ItemRow, decision.item_id)
            pm = session.get(PostMortemRow, item.postmortem_id) if item is not None else None
            action = done if decision.changed else "skipped"
            report.add(
                Entry(
                    id=decision.item_id,
                    action=action,
                    title=decision.title,
                    postmortem=pm.slug if pm is not None else None,
                    source=(
                        Source(display_path(pm.path), item.line)
                        if pm is not None and item is not None
                        else None
                    ),
                    message=decision.reason or None,
                    details={"old": decision.before, "new": decision.after},
                )
            )
            report.summary[action] += 1


def closing(report: Report, done: str) -> Text:
    """Return the line that ends the text output: how many changed, how many did not."""
    changed, skipped = report.summary[done], report.summary["skipped"]
    line = Text(f"{changed} item{'' if changed == 1 else 's'} {done}")
    if skipped:
        line.append(f", {skipped} left as {'it was' if skipped == 1 else 'they were'}")
    return line
