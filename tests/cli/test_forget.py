"""`followup forget`: a post-mortem imported by mistake leaves the store, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from followup.cli import forget_cmd
from followup.store import session_scope
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow
from tests.conftest import RunCli
from tests.sync.world import PAGES, QUEUE, SCRATCH, fake_clock, filed_store

NOTES = "# Incident notes\n\n## Summary\n\nA slow day.\n\n## Action items\n\n- Add a canary\n"


@pytest.fixture
def filed(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return filed_store(engine, fake_clock(monkeypatch))


def listed(run_cli: RunCli) -> list[dict[str, Any]]:
    result = run_cli("list", "--format", "json", "--all")
    assert result.exit_code == 0, result.output
    items: list[dict[str, Any]] = json.loads(result.stdout)
    return items


def slugs(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.exec(select(PostMortemRow.slug)))


def test_forget_removes_the_post_mortem_and_lists_the_issues_that_stay(
    run_cli: RunCli, engine: Engine, filed: dict[str, str]
) -> None:
    before = listed(run_cli)
    queue_ids = {i["id"] for i in before if i["postmortem"] == QUEUE}
    with_issues = {i["id"]: i["issue"] for i in before if i["postmortem"] == QUEUE and i["issue"]}
    assert with_issues  # the world filed some of them

    result = run_cli("forget", QUEUE, "--yes", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"] == {
        "postmortems": 1,
        "forgotten": len(queue_ids),
        "kept_issues": len(with_issues),
    }
    assert {item["id"]: item["issue"]["number"] for item in report["items"]} == {
        item_id: issue["number"] for item_id, issue in with_issues.items()
    }
    (pm,) = report["postmortems"]
    assert pm["slug"] == QUEUE and pm["items"] == len(queue_ids)

    assert slugs(engine) == {PAGES}
    assert {i["postmortem"] for i in listed(run_cli)} == {PAGES}
    with session_scope(engine) as session:
        events = select(EventRow).where(col(EventRow.item_id).in_(queue_ids))
        assert not session.exec(events).all()
        left = {(r.repo, r.number) for r in session.exec(select(IssueRow))}
    # The queue's issues are no longer tracked; the other post-mortem's are.
    assert not any(repo == SCRATCH for repo, _n in left)
    assert all(
        (i["issue"]["repo"], i["issue"]["number"]) in left for i in listed(run_cli) if i["issue"]
    )


def test_text_output_names_each_issue_that_stays(run_cli: RunCli, filed: dict[str, str]) -> None:
    with_issues = [i for i in listed(run_cli) if i["postmortem"] == QUEUE and i["issue"]]
    result = run_cli("forget", QUEUE, "--yes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"✔ forgot {QUEUE}")
    assert "keep their GitHub issues" in lines[1] or "keeps its GitHub issue" in lines[1]
    for item in with_issues:
        assert any(item["id"] in line and item["issue"]["url"] in line for line in lines[2:])


def test_without_a_terminal_it_refuses_unless_yes(
    run_cli: RunCli, engine: Engine, filed: dict[str, str]
) -> None:
    result = run_cli("forget", QUEUE)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: forget asks for confirmation and stdin is not a terminal: pass --yes\n"
    )
    assert slugs(engine) == {QUEUE, PAGES}


@pytest.mark.parametrize(("answer", "kept"), [("n\n", True), ("\n", True), ("y\n", False)])
def test_at_a_terminal_it_asks_first(
    run_cli: RunCli,
    engine: Engine,
    filed: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    kept: bool,
) -> None:
    monkeypatch.setattr(forget_cmd, "stdin_is_terminal", lambda: True)
    result = run_cli("forget", PAGES, input=answer)
    assert f"Forget {PAGES} and its 2 items" in result.stderr
    assert (PAGES in slugs(engine)) is kept
    assert result.exit_code == (130 if kept else 0)


def test_a_file_path_names_its_post_mortem(
    run_cli: RunCli, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    path = tmp_path / "docs" / "2026-02-01-notes.md"
    path.write_text(NOTES, encoding="utf-8")
    assert run_cli("import", str(path)).exit_code == 0
    result = run_cli("forget", "docs/2026-02-01-notes.md", "--yes")
    assert result.exit_code == 0, result.output
    assert slugs(engine) == set()
    assert listed(run_cli) == []
    # Imported again, it is a new post-mortem like any other.
    assert run_cli("import", str(path)).exit_code == 0
    assert [i["title"] for i in listed(run_cli)] == ["Add a canary"]


def test_an_unknown_post_mortem_forgets_none(
    run_cli: RunCli, engine: Engine, filed: dict[str, str]
) -> None:
    result = run_cli("forget", QUEUE, "no-such-incident", "--yes", "--format", "json")
    assert result.exit_code == 5
    report = json.loads(result.stdout)
    assert report["errors"] == [
        "no post-mortem 'no-such-incident' in the store (see 'followup list')"
    ]
    assert slugs(engine) == {QUEUE, PAGES}
    with session_scope(engine) as session:
        assert len(session.exec(select(ItemRow)).all()) == len(filed)


def test_an_item_a_killed_filing_run_was_creating_is_named_as_maybe_filed(
    run_cli: RunCli, engine: Engine, filed: dict[str, str]
) -> None:
    # A run killed between its intent and its record: GitHub may have the issue.
    with session_scope(engine) as session:
        pm_id = session.exec(select(PostMortemRow.id).where(PostMortemRow.slug == QUEUE)).one()
        item = session.exec(
            select(ItemRow).where(ItemRow.postmortem_id == pm_id).order_by(col(ItemRow.position))
        ).first()
        assert item is not None
        item.issue_id = None
        item.filing_intent_at = item.created_at
        session.add(item)
        stopped = item.id

    result = run_cli("forget", QUEUE, "--yes", "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (warning,) = [w for w in report["warnings"] if stopped in w]
    assert "GitHub may have one" in warning
    assert QUEUE not in slugs(engine)
