"""Priorities and due dates reach GitHub, and come back from it: labels and followup's block.

The cassettes were authored by scripts/author_mirroring_cassettes.py, which runs the
same calls on the same store (tests/sync/mirror_world.py) against a stateful stand-in
for GitHub; requests are matched on method, URL and body, and every test checks that
all of its cassette was played.
"""

from __future__ import annotations

import difflib
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
from followup.store import session_scope
from followup.store.models import IssueRow, ItemRow, PendingEditRow
from followup.store.queries import item_events
from followup.sync.edits import set_due, set_priority
from followup.sync.issue_state import IssueUpdates
from followup.sync.links import remote_from_row
from followup.sync.polling import SyncReport, sync_all
from tests.conftest import CASSETTES
from tests.sync.mirror_world import POSTMORTEM_LABEL, build_store, filed_body
from tests.sync.world import ALERT, CLIENT, NOW, RUNBOOK, SCRATCH, fake_clock

DEC_15 = date(2026, 12, 15)


@pytest.fixture
def options() -> ClientOptions:
    return ClientOptions(write_interval=0, backoff=0, max_retries=1)


@pytest.fixture
def client(github_token: str, options: ClientOptions) -> GitHub:
    return GitHub(github_token, options)


@pytest.fixture
def ids(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    clock = fake_clock(monkeypatch)
    built = build_store(engine)
    clock.time = NOW
    return built


def sync(engine: Engine, github_token: str, options: ClientOptions) -> SyncReport:
    return sync_all(engine, lambda: GitHub(github_token, options), repos=[SCRATCH], concurrency=1)


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


def events(
    engine: Engine, item_id: str, *fields: str
) -> list[tuple[str, str | None, str | None, str]]:
    with session_scope(engine) as session:
        found = item_events(session, item_id)
    return [(e.field, e.old, e.new, e.source) for e in found if e.field in fields]


def pending(engine: Engine) -> list[tuple[str, str, str | None]]:
    with session_scope(engine) as session:
        return [(e.item_id, e.field, e.value) for e in session.exec(select(PendingEditRow))]


def exchanges(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """Return the requests and answers of the test's cassette (what followup sent)."""
    path = Path(CASSETTES) / "test_mirroring" / f"{request.node.name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    interactions: list[dict[str, Any]] = data["interactions"]
    return interactions


def sent(exchange: dict[str, Any]) -> Any:
    return json.loads(exchange["request"]["body"])


def answered(exchange: dict[str, Any]) -> Any:
    return json.loads(exchange["response"]["body"]["string"])


# -- priority labels ------------------------------------------------------------------


@pytest.mark.vcr
def test_a_priority_edit_swaps_the_issues_priority_label(
    engine: Engine,
    ids: dict[str, str],
    client: GitHub,
    vcr: Any,
    request: pytest.FixtureRequest,
) -> None:
    result = set_priority(engine, client, ids[ALERT], "p0")

    assert vcr.all_played
    look, create, add, remove = exchanges(request)
    assert (look["request"]["method"], look["response"]["status"]["code"]) == ("GET", 404)
    # Created with followup's colour: GitHub would add it grey.
    assert sent(create) == {"name": "priority:P0", "color": "b60205", "description": "Priority P0"}
    assert sent(add) == {"labels": ["priority:P0"]}  # added to the others, not replacing them
    assert remove["request"]["method"] == "DELETE"
    assert remove["request"]["uri"].endswith("/issues/12/labels/priority%3AP1")
    assert result.outcome == "pushed"
    assert result.message == f"{ids[ALERT]}: priority P0 on GitHub ({SCRATCH}#12)"
    assert issue(engine, ids[ALERT]).labels == ["followup", POSTMORTEM_LABEL, "priority:P0"]
    alert = item(engine, ids[ALERT])
    assert (alert.priority, alert.overrides) == ("P0", {"priority": "user"})
    assert events(engine, ids[ALERT], "priority", "labels")[-2:] == [
        ("priority", "P1", "P0", "user"),
        (
            "labels",
            f"followup, {POSTMORTEM_LABEL}, priority:P1",
            f"followup, {POSTMORTEM_LABEL}, priority:P0",
            "user",
        ),
    ]
    assert pending(engine) == []


@pytest.mark.vcr
def test_a_priority_label_the_repository_has_is_not_created_again(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    result = set_priority(engine, client, ids[RUNBOOK], "P1")

    assert vcr.all_played and result.outcome == "pushed"
    assert issue(engine, ids[RUNBOOK]).labels == ["followup", POSTMORTEM_LABEL, "priority:P1"]
    assert item(engine, ids[RUNBOOK]).priority == "P1"


@pytest.mark.vcr
def test_clearing_the_priority_removes_its_label_and_no_other(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    result = set_priority(engine, client, ids[ALERT], None)

    assert vcr.all_played and result.outcome == "pushed"
    assert issue(engine, ids[ALERT]).labels == ["followup", POSTMORTEM_LABEL]
    assert item(engine, ids[ALERT]).priority is None


def test_a_priority_github_already_shows_changes_nothing(
    engine: Engine, ids: dict[str, str], client: GitHub
) -> None:
    result = set_priority(engine, client, ids[ALERT], "P1")  # no cassette: no request

    assert result.outcome == "unchanged"
    assert result.message == f"{ids[ALERT]}: {SCRATCH}#12 already has priority P1"


# -- the Due line of followup's block -------------------------------------------------


@pytest.mark.vcr
def test_a_due_date_edit_rewrites_only_the_due_line_of_followups_block(
    engine: Engine,
    ids: dict[str, str],
    client: GitHub,
    vcr: Any,
    request: pytest.FixtureRequest,
) -> None:
    result = set_due(engine, client, ids[ALERT], DEC_15)

    assert vcr.all_played
    assert result.outcome == "pushed"
    assert result.message == f"{ids[ALERT]}: due 2026-12-15 on GitHub ({SCRATCH}#12)"
    read, written = exchanges(request)
    before, after = answered(read)["body"], sent(written)["body"]
    # The reader's text above and below, its own "Due:" line and the web editor's line
    # endings are as they were; the marker too. One line of followup's block changed.
    changed = [
        line
        for line in difflib.ndiff(before.splitlines(True), after.splitlines(True))
        if line[:1] in "+-"
    ]
    assert changed == ["- - **Due:** 2026-12-01\r\n", "+ - **Due:** 2026-12-15\r\n"]
    assert sent(written).keys() == {"body"}
    assert issue(engine, ids[ALERT]).body_due == "2026-12-15"
    alert = item(engine, ids[ALERT])
    assert (alert.due, alert.due_text) == (DEC_15, "2026-12-15")
    assert events(engine, ids[ALERT], "due")[-1] == ("due", "2026-12-01", "2026-12-15", "user")


@pytest.mark.vcr
def test_a_due_date_on_an_issue_without_followups_block_stays_here(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    result = set_due(engine, client, ids[CLIENT], DEC_15)

    assert vcr.all_played  # read, and nothing written
    assert result.outcome == "local"
    assert result.message == (
        f"{ids[CLIENT]}: due 2026-12-15 here only ({SCRATCH}#7 has no block of followup's "
        "in its body to hold a due date)"
    )
    assert item(engine, ids[CLIENT]).due == DEC_15
    assert pending(engine) == []


# -- what comes back ------------------------------------------------------------------


@pytest.mark.vcr
def test_a_sync_brings_back_a_priority_label_and_a_due_line_changed_on_github(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    report = sync(engine, github_token, options)

    assert vcr.all_played and report.ok
    mine = [(c.field, c.old, c.new) for c in report.changes if c.item_id == ids[ALERT]]
    assert ("priority", "P1", "P2") in mine
    assert ("due", "2026-12-01", "2027-01-15") in mine
    alert = item(engine, ids[ALERT])
    assert (alert.priority, alert.due, alert.due_text) == ("P2", date(2027, 1, 15), "2027-01-15")
    assert alert.overrides == {"priority": "github", "due": "github", "due_text": "github"}
    assert events(engine, ids[ALERT], "priority", "due")[-2:] == [
        ("priority", "P1", "P2", "github"),
        ("due", "2026-12-01", "2027-01-15", "github"),
    ]
    # RUNBOOK's issue did not change: its item neither.
    assert item(engine, ids[RUNBOOK]).priority is None


@pytest.mark.vcr
def test_a_queued_priority_edit_is_pushed_by_the_next_sync(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    assert set_priority(engine, None, ids[ALERT], "P0").outcome == "queued"
    assert pending(engine) == [(ids[ALERT], "priority", "P0")]

    report = sync(engine, github_token, options)

    assert vcr.all_played
    assert [(e.item_id, e.field, e.outcome) for e in report.edits] == [
        (ids[ALERT], "priority", "pushed")
    ]
    assert issue(engine, ids[ALERT]).labels == ["followup", POSTMORTEM_LABEL, "priority:P0"]
    assert pending(engine) == []


@pytest.mark.vcr
def test_a_priority_label_changed_on_github_wins_over_a_queued_edit(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    set_priority(engine, None, ids[ALERT], "P0")  # made against priority:P1

    report = sync(engine, github_token, options)  # GitHub now says priority:P2

    assert vcr.all_played  # no label written
    (edit,) = report.edits
    assert (edit.field, edit.outcome) == ("priority", "dropped")
    assert edit.message == (
        f"{ids[ALERT]}: GitHub changed the priority of {SCRATCH}#12 too (now P2); "
        "your edit (P0) was dropped"
    )
    assert item(engine, ids[ALERT]).priority == "P2"
    assert pending(engine) == []


@pytest.mark.vcr
def test_a_queued_due_date_is_pushed_by_the_next_sync(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    assert set_due(engine, None, ids[ALERT], DEC_15).outcome == "queued"

    report = sync(engine, github_token, options)

    assert vcr.all_played  # the body read just before it was written
    assert [(e.field, e.outcome) for e in report.edits] == [("due", "pushed")]
    assert issue(engine, ids[ALERT]).body_due == "2026-12-15"
    assert pending(engine) == []


@pytest.mark.vcr
def test_a_due_line_changed_on_github_wins_over_a_queued_due_date(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    set_due(engine, None, ids[ALERT], DEC_15)  # made against Due: 2026-12-01

    report = sync(engine, github_token, options)  # the body now says 2027-01-15

    assert vcr.all_played  # read, never written
    (edit,) = report.edits
    assert (edit.field, edit.outcome) == ("due", "dropped")
    assert "GitHub changed the due date of" in edit.message
    assert "(now 2027-01-15); your edit (2026-12-15) was dropped" in edit.message
    assert item(engine, ids[ALERT]).due == date(2027, 1, 15)
    # At GitHub's time of the change, which came before the local edit was pushed.
    assert ("due", "2026-12-15", "2027-01-15", "github") in events(engine, ids[ALERT], "due")
    assert pending(engine) == []


# -- reading the block (no network) ---------------------------------------------------


def read_from_github(engine: Engine, item_id: str, body: str) -> None:
    """Apply an answer showing the issue with this body, as a poll would."""
    with session_scope(engine) as session:
        row = session.get(IssueRow, item(engine, item_id).issue_id)
        assert row is not None
        linked = session.exec(select(ItemRow).where(ItemRow.issue_id == row.id)).all()
        updates = IssueUpdates(session)
        updates.apply(row, linked, replace(remote_from_row(row), body=body))
        updates.flush()


def test_a_due_line_in_words_is_read_as_followup_due_reads_it_or_kept_as_words(
    engine: Engine, ids: dict[str, str]
) -> None:
    body = issue_body(engine, ids[ALERT])

    read_from_github(engine, ids[ALERT], body.replace("2026-12-01", "end of Q1 2027"))
    alert = item(engine, ids[ALERT])
    assert (alert.due, alert.due_text) == (date(2027, 3, 31), "end of Q1 2027")

    read_from_github(engine, ids[ALERT], body.replace("2026-12-01", "once the queue drains"))
    alert = item(engine, ids[ALERT])
    assert (alert.due, alert.due_text) == (None, "once the queue drains")
    assert issue(engine, ids[ALERT]).body_due == "once the queue drains"


def test_a_block_seen_for_the_first_time_or_rewritten_away_moves_no_date(
    engine: Engine, ids: dict[str, str]
) -> None:
    body = issue_body(engine, ids[ALERT])
    with session_scope(engine) as session:
        row = session.get(IssueRow, item(engine, ids[ALERT]).issue_id)
        assert row is not None
        row.body_due = None  # filed before followup read bodies

    read_from_github(engine, ids[ALERT], body.replace("2026-12-01", "2027-01-15"))
    assert issue(engine, ids[ALERT]).body_due == "2027-01-15"  # known from now on
    assert item(engine, ids[ALERT]).due == date(2026, 12, 1)

    read_from_github(engine, ids[ALERT], "The reader rewrote the whole body.")
    assert issue(engine, ids[ALERT]).body_due is None
    assert item(engine, ids[ALERT]).due == date(2026, 12, 1)
    assert events(engine, ids[ALERT], "due") == []


def issue_body(engine: Engine, item_id: str) -> str:
    return filed_body(engine, item_id)
