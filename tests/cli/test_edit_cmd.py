"""close, reopen, assign, due and priority from the command line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup.store import session_scope
from followup.store.models import PendingEditRow
from tests.conftest import RunCli
from tests.sync.world import (
    ALERT,
    RUNBOOK,
    build_store,
    fake_clock,
    filed_store,
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "0")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def ids(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return filed_store(engine, fake_clock(monkeypatch))


def shown(run_cli: RunCli, item_id: str) -> dict[str, object]:
    result = run_cli("show", item_id, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.vcr
def test_close_pushes_to_github_with_a_token(
    run_cli: RunCli, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch, github_token: str
) -> None:
    monkeypatch.setenv("GH_TOKEN", github_token)

    result = run_cli("close", ids[ALERT])

    assert result.exit_code == 0, result.output
    assert (
        f"✔ {ids[ALERT]}: closed as completed on GitHub (octo-org/followup-scratch#12)"
        in result.stdout
    )
    assert shown(run_cli, ids[ALERT])["status"] == "done"


def test_without_a_token_the_close_waits_for_the_next_sync(
    run_cli: RunCli, ids: dict[str, str], engine: Engine
) -> None:
    result = run_cli("close", ids[ALERT][:4], "--not-planned")

    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "followup sync' pushes it later" in result.stderr
    assert f"⧗ {ids[ALERT]}: closed as not planned here, not yet on GitHub" in result.stdout
    assert shown(run_cli, ids[ALERT])["status"] == "wont_do"
    with session_scope(engine) as session:
        edits = session.exec(select(PendingEditRow)).all()
    assert [(e.field, e.value, e.base) for e in edits] == [("state", "closed:not_planned", "open")]


def test_assign_takes_a_login_or_none(run_cli: RunCli, ids: dict[str, str]) -> None:
    assert run_cli("assign", ids[RUNBOOK]).exit_code == 2
    both = run_cli("assign", ids[RUNBOOK], "dave", "--none")
    assert both.exit_code == 2
    assert "give either a LOGIN or --none" in both.stderr


def pending_edits(engine: Engine) -> list[tuple[str, str | None]]:
    with session_scope(engine) as session:
        return [(e.field, e.value) for e in session.exec(select(PendingEditRow)).all()]


def test_due_dates_are_parsed_and_cleared(
    run_cli: RunCli, ids: dict[str, str], engine: Engine
) -> None:
    result = run_cli("due", ids[RUNBOOK], "1 December 2026")
    assert result.exit_code == 0, result.output
    # No token: the date waits for the next sync to reach the body.
    assert f"⧗ {ids[RUNBOOK]}: due 2026-12-01 here, not yet on GitHub" in result.stdout
    assert shown(run_cli, ids[RUNBOOK])["due"] == "2026-12-01"
    assert pending_edits(engine) == [("due", "2026-12-01")]

    bad = run_cli("due", ids[RUNBOOK], "someday")
    assert bad.exit_code == 2
    assert "error: not a date: 'someday' (use YYYY-MM-DD, +7, 2w, friday, end of Q1)" in (
        bad.stderr
    )

    assert run_cli("due", ids[RUNBOOK], "--none").exit_code == 0
    assert shown(run_cli, ids[RUNBOOK])["due"] is None
    assert pending_edits(engine) == [("due", None)]


def test_priorities_are_checked(run_cli: RunCli, ids: dict[str, str], engine: Engine) -> None:
    result = run_cli("priority", ids[RUNBOOK], "p1")
    assert result.exit_code == 0, result.output
    assert shown(run_cli, ids[RUNBOOK])["priority"] == "P1"
    # The policy dates the undated item for P1; its issue's Due line says so next sync.
    policy_line = "2026-11-29 (the due-date policy's deadline for P1)"
    assert f"due {policy_line} here, not yet on GitHub" in result.stdout
    again = run_cli("priority", ids[RUNBOOK], "P1")
    assert again.exit_code == 0, again.output
    assert pending_edits(engine) == [("priority", "P1"), ("due", policy_line)]

    bad = run_cli("priority", ids[RUNBOOK], "P9")
    assert bad.exit_code == 2
    assert "a priority is one of P0, P1, P2, P3, not 'P9'" in bad.stderr


def test_an_unknown_item_is_an_error(run_cli: RunCli, ids: dict[str, str]) -> None:
    result = run_cli("reopen", "zzzzzzz")
    assert result.exit_code == 5
    assert "error: no item with id 'zzzzzzz'" in result.stderr


@pytest.mark.vcr("test_close_pushes_to_github_with_a_token.yaml")
def test_an_edits_json_says_what_changed_and_where(
    run_cli: RunCli, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch, github_token: str
) -> None:
    monkeypatch.setenv("GH_TOKEN", github_token)

    result = run_cli("close", ids[ALERT], "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["command"] == "close" and report["ok"] is True
    (item,) = report["items"]
    assert (item["id"], item["action"], item["field"]) == (ids[ALERT], "pushed", "status")
    assert (item["old"], item["new"]) == ("filed", "done")
    assert item["issue"] == {"repo": "octo-org/followup-scratch", "number": 12, "url": None}
    assert report["summary"] == {"pushed": 1, "queued": 0, "local": 0, "unchanged": 0}


def test_a_queued_edit_in_json_keeps_the_warning(run_cli: RunCli, ids: dict[str, str]) -> None:
    result = run_cli("close", ids[ALERT], "--format", "json")
    report = json.loads(result.stdout)
    assert report["items"][0]["action"] == "queued"
    assert len(report["warnings"]) == 1 and "followup sync" in report["warnings"][0]
    assert result.stderr.startswith("warning: no GitHub token found")


def test_a_local_edit_in_json(
    run_cli: RunCli, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_clock(monkeypatch)
    ids = build_store(engine, link=False)
    report = json.loads(run_cli("due", ids[RUNBOOK], "2026-12-01", "--format", "json").stdout)
    (item,) = report["items"]
    assert (item["action"], item["field"], item["old"], item["new"]) == (
        "local",
        "due",
        None,
        "2026-12-01",
    )
    again = json.loads(run_cli("due", ids[RUNBOOK], "2026-12-01", "--format", "json").stdout)
    assert again["items"][0]["action"] == "unchanged"


def test_an_unknown_item_in_json_is_a_document_with_exit_5(run_cli: RunCli) -> None:
    result = run_cli("priority", "zzzzzzz", "P1", "--format", "json")
    assert result.exit_code == 5
    report = json.loads(result.stdout)
    assert report["items"] == [] and report["exit_code"] == 5
    assert report["errors"] == ["no item with id 'zzzzzzz' (see 'followup list')"]
