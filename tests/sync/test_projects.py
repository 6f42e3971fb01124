"""GitHub Projects (v2): filed issues go in with their Priority and Due; changes come back.

The cassettes were authored by scripts/author_mirroring_cassettes.py against a stateful
stand-in answering in the shapes of GitHub's GraphQL schema (the contract tests check
every query and every answer); the store is tests/sync/mirror_world.py's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup.github import ClientOptions, GitHub
from followup.github.errors import ScopeError
from followup.github.projects import find_project
from followup.policy import DuePolicy
from followup.project_ref import parse_project
from followup.store import session_scope
from followup.store.models import ItemRow, PendingEditRow, ProjectItemRow, ProjectRow
from followup.store.queries import item_events
from followup.sync.edits import set_due, set_priority
from followup.sync.polling import SyncReport, sync_all
from followup.sync.projects import add_to_project, resolve_project
from tests.sync.mirror_world import (
    DUE_FIELD,
    OPTIONS,
    PRIORITY_FIELD,
    PROJECT,
    PROJECT_ID,
    build_store,
    in_project,
    project_item_id,
)
from tests.sync.world import ALERT, NOW, RUNBOOK, SCRATCH, fake_clock

SCOPE_LINE = (
    "the token cannot use GitHub Projects: it needs the 'project' scope "
    "(gh auth refresh -s project; a fine-grained token needs Projects: read and write)"
)


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
    return sync_all(engine, lambda: GitHub(github_token, options), concurrency=1)


def in_store(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    """Return each project item the store has: its node id -> (priority, due)."""
    with session_scope(engine) as session:
        return {
            e.node_id: (e.priority, e.due)
            for e in session.exec(select(ProjectItemRow).order_by(ProjectItemRow.node_id))
        }


def item(engine: Engine, item_id: str) -> ItemRow:
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        return row


def github_events(engine: Engine, item_id: str) -> list[tuple[str, str | None, str | None, Any]]:
    with session_scope(engine) as session:
        return [
            (e.field, e.old, e.new, e.detail)
            for e in item_events(session, item_id)
            if e.source == "github"
        ]


# -- filing into a project ------------------------------------------------------------


@pytest.mark.vcr
def test_filed_issues_are_added_to_the_project_with_their_priority_and_due(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    project = resolve_project(engine, client, PROJECT)
    report = add_to_project(engine, client, project, [ids[ALERT], ids[RUNBOOK]])

    assert vcr.all_played  # found, two adds, and one mutation setting ALERT's two fields
    assert [(o.item_id, o.issue, o.action, o.message) for o in report.items] == [
        (
            ids[ALERT],
            f"{SCRATCH}#12",
            "added",
            f"added to project {PROJECT} with Priority P1 and Due 2026-12-01",
        ),
        (ids[RUNBOOK], f"{SCRATCH}#13", "added", f"added to project {PROJECT}"),
    ]
    assert (report.project, report.title, report.warnings, report.failed) == (
        PROJECT,
        "Incident follow-ups",
        (),
        False,
    )
    alert_item = vcr.requests[2]
    assert b'"priority": "' + OPTIONS["P1"].encode() + b'"' in alert_item.body
    assert in_store(engine) == {
        "PVTI_lADOBf5zgAB134zM0012": ("P1", "2026-12-01"),
        "PVTI_lADOBf5zgAB134zM0013": (None, None),
    }
    with session_scope(engine) as session:
        row = session.get(ProjectRow, PROJECT_ID)
        assert row is not None
        assert (row.ref, row.due_field) == (
            PROJECT,
            {"id": DUE_FIELD, "name": "Due", "options": {}},
        )
        assert row.priority_field is not None and row.priority_field["id"] == PRIORITY_FIELD


@pytest.mark.vcr
def test_missing_fields_and_options_are_warnings_and_nothing_is_created(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    project = resolve_project(engine, client, PROJECT)
    report = add_to_project(engine, client, project, [ids[ALERT], ids[RUNBOOK]])

    assert vcr.all_played  # two adds, no field set: no mutation creates a field or an option
    assert [o.action for o in report.items] == ["added", "added"]
    assert report.warnings == (
        f"project {PROJECT} has no Due field; due dates are not set there",
        f"project {PROJECT} has no option P1 in its Priority field; the priority is not set there",
    )
    assert not report.failed


@pytest.mark.vcr
def test_an_issue_already_in_the_project_is_left_as_it_is(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01")})

    project = resolve_project(engine, client, PROJECT)
    report = add_to_project(engine, client, project, [ids[ALERT], ids[RUNBOOK]])

    assert vcr.all_played
    assert [(o.item_id, o.action) for o in report.items] == [
        (ids[ALERT], "already"),
        (ids[RUNBOOK], "added"),
    ]


@pytest.mark.vcr
def test_a_token_without_the_project_scope_is_told_so_in_one_line(client: GitHub) -> None:
    with pytest.raises(ScopeError) as caught:
        find_project(client, parse_project(PROJECT))
    assert str(caught.value) == SCOPE_LINE
    assert caught.value.scopes == ("read:project",)


# -- what comes back ------------------------------------------------------------------


@pytest.mark.vcr
def test_a_sync_brings_back_priority_and_due_changed_in_the_project(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01"), RUNBOOK: (None, None)})

    report = sync(engine, github_token, options)

    assert vcr.all_played and report.ok
    (poll,) = report.projects
    assert (poll.project, poll.ok, poll.items_read, poll.items_changed, poll.requests) == (
        PROJECT,
        True,
        2,
        1,
        1,
    )
    mine = [(c.item_id, c.field, c.old, c.new) for c in report.changes]
    assert mine == [
        (ids[ALERT], "priority", "P1", "P0"),
        (ids[ALERT], "due", "2026-12-01", "2027-02-01"),
    ]
    alert = item(engine, ids[ALERT])
    assert (alert.priority, alert.due) == ("P0", date(2027, 2, 1))
    detail = {"issue": f"{SCRATCH}#12", "project": PROJECT, "from": "project"}
    assert github_events(engine, ids[ALERT])[-2:] == [
        ("priority", "P1", "P0", detail),
        ("due", "2026-12-01", "2027-02-01", {**detail, "text": "2027-02-01"}),
    ]
    assert in_store(engine)[project_item_id(ALERT)] == ("P0", "2027-02-01")
    assert report.points >= 1  # the project's query is counted with the sync's cost


@pytest.mark.vcr
def test_a_priority_changed_in_the_project_wins_over_a_queued_edit(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01")})
    assert set_priority(engine, None, ids[ALERT], "P3").outcome == "queued"

    report = sync(engine, github_token, options)

    assert vcr.all_played  # no label written
    assert report.warnings == (
        f"{ids[ALERT]}: project {PROJECT} changed the priority too (now P0); "
        "your edit (P3) was dropped",
    )
    assert report.edits == ()
    assert item(engine, ids[ALERT]).priority == "P0"
    with session_scope(engine) as session:
        assert session.exec(select(PendingEditRow)).all() == []


@pytest.mark.vcr
def test_a_project_is_read_page_by_page_and_forgets_issues_taken_out_of_it(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01"), RUNBOOK: (None, None)})

    report = sync(engine, github_token, options)

    assert vcr.all_played
    (poll,) = report.projects
    assert (poll.requests, poll.items_read, poll.items_changed) == (2, 1, 1)
    assert item(engine, ids[ALERT]).priority == "P2"  # on the first page
    # RUNBOOK's issue is in the project no more; the draft on page 2 is nobody's item.
    assert in_store(engine) == {project_item_id(ALERT): ("P2", "2026-12-01")}


@pytest.mark.vcr
def test_a_priority_edit_of_an_issue_in_the_project_sets_its_priority_there_too(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01")})

    result = set_priority(engine, client, ids[ALERT], "P2")

    assert vcr.all_played  # the label swap, then one mutation in the project
    assert (result.outcome, result.warnings) == ("pushed", ())
    assert in_store(engine)[project_item_id(ALERT)] == ("P2", "2026-12-01")


@pytest.mark.vcr
def test_the_policys_date_reaches_the_projects_due_field_as_a_date(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    in_project(engine, {RUNBOOK: (None, None)})

    result = set_priority(engine, client, ids[RUNBOOK], "P0", policy=DuePolicy())

    # The label and Priority, then the Due line with the policy's note, then Due as a
    # date: the project's date field cannot hold the note.
    assert vcr.all_played
    assert (result.outcome, result.warnings) == ("pushed", ())
    assert in_store(engine)[project_item_id(RUNBOOK)] == ("P0", "2026-11-08")
    assert item(engine, ids[RUNBOOK]).due_source == "policy"


@pytest.mark.vcr
def test_clearing_priority_and_due_clears_them_in_the_project(
    engine: Engine, ids: dict[str, str], client: GitHub, vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01")})

    assert set_priority(engine, client, ids[ALERT], None).outcome == "pushed"
    assert set_due(engine, client, ids[ALERT], None).outcome == "pushed"

    assert vcr.all_played  # each field cleared in the project, not set to an empty value
    assert in_store(engine)[project_item_id(ALERT)] == (None, None)


@pytest.mark.vcr
def test_a_project_the_token_cannot_read_fails_that_project_only(
    engine: Engine, ids: dict[str, str], github_token: str, options: ClientOptions, vcr: Any
) -> None:
    in_project(engine, {ALERT: ("P1", "2026-12-01")})

    report = sync(engine, github_token, options)

    assert vcr.all_played
    assert [(r.repo, r.ok) for r in report.repos] == [(SCRATCH, True)]
    (poll,) = report.projects
    assert (poll.ok, poll.reason) == (False, SCOPE_LINE)
    assert not report.ok
    assert report.summary_error() == f"project {PROJECT}: {SCOPE_LINE}"
