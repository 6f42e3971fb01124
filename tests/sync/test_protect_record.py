"""What a protection run keeps in the store: intents until verified, events for half-writes."""

from __future__ import annotations

from sqlalchemy import Engine

from followup.github.protection_mapping import Shortfall
from followup.store import session_scope
from followup.store.models import ItemRow
from followup.store.protection import ProtectionIntent, protection_of, store_applied
from followup.sync.protect_plan import ProtectionPlan
from followup.sync.protect_record import record_result
from followup.sync.protect_write import Step, Written
from tests.faults.scenarios import NOW, REPO, add_item, events


def intend(engine: Engine, item_id: str, method: str) -> None:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        stored = protection_of(row)
        assert stored is not None
        store_applied(row, stored, intent=ProtectionIntent(method, NOW, None))  # type: ignore[arg-type]


def intent_of(engine: Engine, item_id: str) -> ProtectionIntent | None:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        stored = protection_of(row)
        assert stored is not None
        return stored.intent


def plan(item_id: str, method: str) -> ProtectionPlan:
    return ProtectionPlan(
        item_id=item_id,
        title="Protect main",
        status="open",
        repo=REPO,
        branch="main",
        requested={"allow_deletions": False},
        method=method,  # type: ignore[arg-type]
    )


def test_a_verified_branch_clears_the_intents_of_its_method_only(engine: Engine) -> None:
    for item_id, method in (("cls0001", "classic"), ("cls0002", "classic"), ("rul0001", "ruleset")):
        add_item(engine, "main", {"allow_deletions": False}, item_id=item_id)
        intend(engine, item_id, method)
    result = record_result(engine, plan("cls0001", "classic"), Written())
    assert result.outcome == "already"
    assert intent_of(engine, "cls0001") is None and intent_of(engine, "cls0002") is None
    # followup's ruleset on the branch was not what this run verified.
    assert intent_of(engine, "rul0001") is not None


def test_an_unverified_write_keeps_the_intent_and_records_each_half_write(engine: Engine) -> None:
    add_item(engine, "main", {"allow_deletions": False}, item_id="cls0001")
    intend(engine, "cls0001", "classic")
    written = Written(
        steps=[
            Step("PUT …/protection", "uncertain", "PUT …/protection did not complete"),
            Step("POST …/protection/required_signatures", "refused", "GitHub refused (403)"),
        ],
        refused="GitHub refused (403)",
        missing=[Shortfall("allow_deletions", False, True)],
    )
    result = record_result(engine, plan("cls0001", "classic"), written)
    assert result.outcome == "failed" and "GitHub refused a request" in result.message
    assert "allow deletions is yes (wanted no)" in result.message
    assert intent_of(engine, "cls0001") is not None
    logged = [e.new for e in events(engine, "cls0001") if e.field == "protection_write"]
    assert logged == [
        "uncertain: PUT …/protection",
        "refused: POST …/protection/required_signatures",
    ]
