"""Due dates the policy sets reach the issue's Due line, marked as the policy's, and stay so.

The cassettes were authored by scripts/author_mirroring_cassettes.py (policy_scenarios)
on the store of tests/sync/mirror_world.py: the post-mortem has no incident date, so
the policy counts from the day it was imported, 2026-11-01 (P0 a week, P2 eight weeks).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine
from sqlmodel import select

from followup.github import ClientOptions, GitHub
from followup.github.issue_fields import due_line
from followup.policy import DUE_DOCUMENT, DUE_EDITED, DUE_POLICY, DuePolicy
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.importer import import_all
from followup.store.models import IssueRow, ItemRow, PendingEditRow
from followup.sync.edits import set_due, set_priority
from followup.sync.issue_state import follow_due
from followup.sync.policy import refresh_deadlines
from followup.sync.policy_mirror import queue_policy_dates
from followup.sync.polling import sync_all
from tests.conftest import CASSETTES
from tests.sync.mirror_world import ALERT_DUE, build_store, postmortem
from tests.sync.world import ALERT, CLIENT, NOW, RUNBOOK, SCRATCH, fake_clock

P0_DATE = date(2026, 11, 8)
P2_DATE = date(2026, 12, 27)
P0_LINE = "2026-11-08 (the due-date policy's deadline for P0)"
P2_LINE = "2026-12-27 (the due-date policy's deadline for P2)"


@pytest.fixture
def options() -> ClientOptions:
    return ClientOptions(write_interval=0, backoff=0, max_retries=1)


@pytest.fixture
def ids(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    clock = fake_clock(monkeypatch)
    built = build_store(engine)
    clock.time = NOW
    return built


def item(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        return row


def issue(engine: Engine, item_id: str) -> IssueRow:
    with session_scope(engine) as session:
        row = session.get(IssueRow, item(engine, item_id).issue_id)
        assert row is not None
        return row


def pending(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(PendingEditRow).order_by(PendingEditRow.id))  # type: ignore[arg-type]
        return [(e.item_id, e.field, e.value, e.base) for e in rows]


def written_bodies(request: pytest.FixtureRequest) -> list[str]:
    # The cassette's name, without the backend the test runs on: both replay one file.
    name = request.getfixturevalue("default_cassette_name")
    path = Path(CASSETTES) / "test_policy_mirroring" / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        json.loads(i["request"]["body"])["body"]
        for i in data["interactions"]
        if i["request"]["method"] == "PATCH"
    ]


def test_the_due_line_and_its_reading_agree() -> None:
    assert due_line(P0_DATE, "P0") == P0_LINE
    assert due_line(P0_DATE) == "2026-11-08"
    assert due_line(None, "P0") is None


@pytest.mark.vcr
def test_a_new_priority_sends_the_policys_date_with_its_note(
    engine: Engine,
    ids: dict[str, str],
    options: ClientOptions,
    github_token: str,
    vcr: Any,
    request: pytest.FixtureRequest,
) -> None:
    client = GitHub(github_token, options)
    result = set_priority(engine, client, ids[RUNBOOK], "P0", policy=DuePolicy())

    assert vcr.all_played
    assert result.outcome == "pushed"
    assert result.message == (
        f"{ids[RUNBOOK]}: priority P0 on GitHub ({SCRATCH}#13); due {P0_LINE} on GitHub "
        f"({SCRATCH}#13)"
    )
    (body,) = written_bodies(request)
    assert f"- **Owner:** @bob\n- **Due:** {P0_LINE}\n- **Post-mortem:**" in body
    assert issue(engine, ids[RUNBOOK]).body_due == P0_LINE
    runbook = item(engine, ids[RUNBOOK])
    # Reading its own line back did not make the policy's date someone's edit.
    assert (runbook.due, runbook.due_source, runbook.priority) == (P0_DATE, DUE_POLICY, "P0")
    assert pending(engine) == []


@pytest.mark.vcr
def test_a_sync_writes_the_date_the_policy_gave_a_queued_priority(
    engine: Engine,
    ids: dict[str, str],
    options: ClientOptions,
    github_token: str,
    vcr: Any,
    request: pytest.FixtureRequest,
) -> None:
    set_priority(engine, None, ids[RUNBOOK], "P2")  # no policy at hand: dated on next open
    refresh_deadlines(engine, DuePolicy())
    assert item(engine, ids[RUNBOOK]).due == P2_DATE

    report = sync_all(engine, lambda: GitHub(github_token, options), repos=[SCRATCH], concurrency=1)

    assert vcr.all_played
    assert [(e.item_id, e.field, e.outcome) for e in report.edits] == [
        (ids[RUNBOOK], "priority", "pushed"),
        (ids[RUNBOOK], "due", "pushed"),
    ]
    (body,) = written_bodies(request)
    assert f"- **Due:** {P2_LINE}\n" in body
    assert issue(engine, ids[RUNBOOK]).body_due == P2_LINE
    assert item(engine, ids[RUNBOOK]).due_source == DUE_POLICY
    assert pending(engine) == []


def _show(engine: Engine, item_id: str, body_due: str | None) -> None:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        issue_row = session.get(IssueRow, row.issue_id)
        assert issue_row is not None
        issue_row.body_due = body_due


def _date_by_policy(engine: Engine, item_id: str, priority: str) -> None:
    set_priority(engine, None, item_id, priority, policy=DuePolicy())
    with session_scope(engine) as session:
        for row in session.exec(select(PendingEditRow)):
            session.delete(row)


def test_a_sync_queues_only_the_due_lines_that_differ_from_the_policys(
    engine: Engine, ids: dict[str, str]
) -> None:
    _date_by_policy(engine, ids[RUNBOOK], "P0")
    assert queue_policy_dates(engine) == 1
    # The block had no Due line ("" as last read): the policy's goes in.
    assert pending(engine) == [(ids[RUNBOOK], "due", P0_LINE, "")]
    assert queue_policy_dates(engine) == 0  # an edit already waiting is not queued twice

    with session_scope(engine) as session:
        for row in session.exec(select(PendingEditRow)):
            session.delete(row)
    _show(engine, ids[RUNBOOK], P0_LINE)
    assert queue_policy_dates(engine) == 0  # the issue shows it already
    assert queue_policy_dates(engine, repos=["someone/else"]) == 0


def test_a_date_someone_set_is_never_queued(engine: Engine, ids: dict[str, str]) -> None:
    _date_by_policy(engine, ids[RUNBOOK], "P0")
    _show(engine, ids[RUNBOOK], P0_LINE)
    set_due(engine, None, ids[RUNBOOK], date(2027, 1, 4))
    with session_scope(engine) as session:
        for row in session.exec(select(PendingEditRow)):
            session.delete(row)
    # The edit is not on GitHub yet, but it is the user's: the policy leaves it alone.
    assert item(engine, ids[RUNBOOK]).due_source == DUE_EDITED
    assert queue_policy_dates(engine) == 0
    # ALERT's date is the document's: its plain Due line stays.
    assert item(engine, ids[ALERT]).due_source != DUE_POLICY
    assert pending(engine) == []


def test_a_date_the_policy_no_longer_gives_is_taken_off_the_issue(
    engine: Engine, ids: dict[str, str]
) -> None:
    _date_by_policy(engine, ids[RUNBOOK], "P0")
    _show(engine, ids[RUNBOOK], P0_LINE)
    _date_by_policy(engine, ids[RUNBOOK], "P3")  # P3 items have no deadline
    runbook = item(engine, ids[RUNBOOK])
    assert (runbook.due, runbook.due_source) == (None, None)
    assert queue_policy_dates(engine) == 1
    assert pending(engine) == [(ids[RUNBOOK], "due", None, P0_LINE)]


def test_an_issue_shared_by_two_items_is_left_alone(engine: Engine, ids: dict[str, str]) -> None:
    _date_by_policy(engine, ids[RUNBOOK], "P0")
    with session_scope(engine) as session:
        runbook = session.get(ItemRow, ids[RUNBOOK])
        other = session.get(ItemRow, ids[CLIENT])
        assert runbook is not None and other is not None
        other.issue_id = runbook.issue_id
    assert queue_policy_dates(engine) == 0


def test_reading_the_policys_own_line_back_changes_nothing(
    engine: Engine, ids: dict[str, str]
) -> None:
    _date_by_policy(engine, ids[RUNBOOK], "P0")
    changes = Changes(source="github")
    with session_scope(engine) as session:
        runbook = session.get(ItemRow, ids[RUNBOOK])
        assert runbook is not None
        assert not follow_due(runbook, P0_LINE, changes, at=NOW, detail={})
        # Someone moved the date on GitHub and left the note: their date wins.
        later = "2026-11-20 (the due-date policy's deadline for P0)"
        assert follow_due(runbook, later, changes, at=NOW, detail={})
        assert (runbook.due, runbook.due_source, runbook.due_text) == (
            date(2026, 11, 20),
            DUE_EDITED,
            "2026-11-20",
        )


def _reimport_alert_due(engine: Engine, due: date | None) -> None:
    doc = postmortem()
    alert = replace(doc.items[0], due=due, due_text=due.isoformat() if due else None)
    with session_scope(engine) as session:
        import_all(session, [replace(doc, items=(alert, *doc.items[1:]))])


def test_a_date_moved_in_the_document_is_queued_for_the_issue(
    engine: Engine, ids: dict[str, str]
) -> None:
    shown = issue(engine, ids[ALERT]).body_due
    assert shown == ALERT_DUE.isoformat()
    assert queue_policy_dates(engine) == 0  # the issue shows the document's date

    moved = date(2027, 2, 1)
    _reimport_alert_due(engine, moved)
    assert item(engine, ids[ALERT]).due_source == DUE_DOCUMENT
    assert queue_policy_dates(engine) == 1
    assert pending(engine) == [(ids[ALERT], "due", "2027-02-01", shown)]
    assert queue_policy_dates(engine) == 0  # waiting already


def test_a_date_taken_out_of_the_document_leaves_the_issue_alone(
    engine: Engine, ids: dict[str, str]
) -> None:
    _reimport_alert_due(engine, None)
    assert item(engine, ids[ALERT]).due is None
    assert queue_policy_dates(engine) == 0


def test_a_date_changed_on_github_beats_the_document(engine: Engine, ids: dict[str, str]) -> None:
    with session_scope(engine) as session:
        alert = session.get(ItemRow, ids[ALERT])
        assert alert is not None
        assert follow_due(alert, "2027-03-01", Changes(source="github"), at=NOW, detail={})
    _reimport_alert_due(engine, date(2027, 2, 1))  # the edit on GitHub stands
    assert item(engine, ids[ALERT]).due == date(2027, 3, 1)
    assert queue_policy_dates(engine) == 0
