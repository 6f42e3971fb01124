"""An item's branch protection is read from its JSON columns, and written back, in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from followup.store.models import ItemRow
from followup.store.protection import (
    AppliedProtection,
    BranchProtection,
    ProtectionIntent,
    protection_of,
    store_applied,
)

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
STORED = {
    "repo": None,
    "branch": "main",
    "allow_deletions": False,
    "allow_force_pushes": None,
    "required_approving_review_count": 2,
    "contexts": ["ci/docs"],
}


def row(**fields: Any) -> ItemRow:
    base: dict[str, Any] = {
        "id": "main001",
        "postmortem_id": 1,
        "position": 0,
        "title": "Protect main",
        "text": "Protect main",
        "fingerprint": "protect main",
        "line": 1,
        "kind": "branch_protection",
        "repo": "octo-org/docs",
        "status": "open",
        "protection": dict(STORED),
        "created_at": NOW,
        "updated_at": NOW,
    }
    base.update(fields)
    return ItemRow(**base)


def test_the_repository_falls_back_to_the_item_and_settings_keep_their_rest_names() -> None:
    protection = protection_of(row())
    assert protection is not None
    assert protection.repo == "octo-org/docs" and protection.branch == "main"
    assert protection.where == "octo-org/docs:main"
    assert protection.requested() == {
        "allow_deletions": False,
        "required_approving_review_count": 2,
        "contexts": ["ci/docs"],
    }
    assert protection.method is None and protection.applied is None
    assert protection.to_json()["repo"] == "octo-org/docs"
    assert protection.to_json()["allow_force_pushes"] is None


def test_the_recommendations_own_repository_wins() -> None:
    protection = protection_of(row(protection={**STORED, "repo": "Octo-Org/Site"}))
    assert protection is not None and protection.repo == "Octo-Org/Site"


def test_an_item_without_protection_has_none() -> None:
    assert protection_of(row(protection=None, kind="issue")) is None


def test_the_applied_record_and_an_intent_round_trip_through_the_item() -> None:
    item = row()
    protection = protection_of(item)
    assert protection is not None
    applied = AppliedProtection(
        method="classic",
        repo="octo-org/docs",
        branch="main",
        settings={"allow_deletions": False},
        changes=({"setting": "allow_deletions", "live": True, "new": False, "note": ""},),
        applied_at=NOW,
        verified=True,
        etag='W/"abc"',
    )
    intent = ProtectionIntent("classic", NOW, {"url": "https://example/protection"})
    stored = store_applied(item, protection, applied=applied, intent=intent)
    assert item.protection_applied is not None
    assert item.protection_applied["method"] == "classic"
    assert item.protection_applied["applied_at"] == NOW.isoformat()
    assert item.protection_applied["pending"]["before"] == {"url": "https://example/protection"}
    again = protection_of(item)
    assert again == stored
    assert again is not None and again.method == "classic" and again.intent == intent
    # Clearing the intent keeps the record.
    store_applied(item, again, intent=None)
    assert item.protection_applied is not None and "pending" not in item.protection_applied
    cleared = protection_of(item)
    assert cleared is not None and cleared.intent is None and cleared.applied == applied


def test_an_intent_alone_is_kept_before_anything_was_ever_applied() -> None:
    item = row()
    protection = protection_of(item)
    assert protection is not None
    store_applied(item, protection, intent=ProtectionIntent("ruleset", NOW, None))
    again = protection_of(item)
    assert again is not None and again.applied is None
    assert again.intent == ProtectionIntent("ruleset", NOW, None)
    assert again.method == "ruleset"


def test_an_old_record_without_repo_branch_or_etag_still_reads() -> None:
    item = row(
        protection_applied={
            "method": "ruleset",
            "ruleset_id": 42,
            "settings": {"allow_deletions": False},
            "applied_at": "2024-05-06T07:08:00+00:00",
            "verified": False,
        }
    )
    protection = protection_of(item)
    assert protection is not None and protection.applied is not None
    assert protection.applied.repo == "octo-org/docs"
    assert protection.applied.branch == "main"
    assert protection.applied.ruleset_id == 42 and protection.applied.etag is None
    assert protection.applied.applied_at == datetime(2024, 5, 6, 7, 8, tzinfo=UTC)


def test_a_record_of_an_unknown_method_is_no_record() -> None:
    item = row(protection_applied={"method": "magic", "settings": {}})
    protection = protection_of(item)
    assert isinstance(protection, BranchProtection) and protection.applied is None
