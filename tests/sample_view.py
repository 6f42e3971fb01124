"""One action item as the store shows it, for tests of what is built from an ItemView."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from followup.store.views import ItemView


def sample_view(now: datetime, **fields: Any) -> ItemView:
    """Return an open, unfiled item due 2026-12-01, with fields replacing its values."""
    base: dict[str, Any] = {
        "id": "k3v9q2m",
        "postmortem": "2026-05-01-queue",
        "postmortem_title": "Queue backlog took the API down",
        "title": "Add an alert on queue depth",
        "text": "- Add an alert on queue depth",
        "owner": "octocat",
        "priority": "P1",
        "due": date(2026, 12, 1),
        "due_text": "2026-12-01",
        "type": "detect",
        "kind": "issue",
        "status": "open",
        "status_reason": None,
        "repo": "octo-org/app",
        "links": (),
        "protection": None,
        "source_path": "docs/pm.md",
        "line": 10,
        "section": None,
        "parent": None,
        "doc_done": False,
        "issue": None,
        "created_at": now,
        "updated_at": now,
        "verified_at": None,
    }
    base.update(fields)
    return ItemView(**base)
