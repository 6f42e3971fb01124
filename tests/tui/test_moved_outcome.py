"""The TUI's import notification names a post-mortem whose file moved, and where from."""

from __future__ import annotations

from followup.store.importer import ImportResult
from followup.sync.importing import ImportReport
from followup.tui.outcomes import imported


def result(slug: str, moved_from: str | None = None) -> ImportResult:
    return ImportResult(
        slug, f"/r/{slug}.md", "Queue", 3, 0, 0, 0, False, (), moved_from=moved_from
    )


def test_a_moved_postmortem_says_where_it_was() -> None:
    report = ImportReport([result("queue", "/r/docs/queue.md"), result("cache")])

    outcome = imported(report)

    assert outcome.summary == (
        "Imported queue (moved from queue.md), cache: 0 new, 0 updated, 0 removed"
    )
