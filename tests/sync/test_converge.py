"""Converging after runs raced: one open issue per item, the same one in every store.

The filing cassettes here were authored against tests/fakegithub (see
tests/cassettes/README.md, "Converging"): GitHub will not race on demand. Each
SCENARIOS entry arranges the fake before the run; the test replays what the run sent.
The sync cases run against the fake itself, which keeps state between the poll and
the converge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup.github.issue_mapping import item_marker
from followup.store import session_scope
from followup.store.history import Changes
from followup.store.models import IssueRow, ItemRow
from followup.sync.converge import comment_key, find_duplicates, winner_of
from followup.sync.filing import FilingReport
from followup.sync.links import apply_issue
from followup.sync.polling import sync_all
from followup.sync.progress import SilentProgress
from tests.fakegithub import LOOPBACK, FakeGitHub
from tests.sync.test_filing import (  # the fixtures too: same client, clock and paths
    ALERT,
    RUNBOOK,
    SLUG,
    Sent,
    client,
    document,
    fake_time,
    file,
    frozen_clock,
    load,
    outcomes,
    pm_path,
    sent,
)
from tests.sync.test_reconcile import issue

REPO = "octo-org/followup-scratch"
OWNER = "octocat"
Arrange = Callable[[FakeGitHub, dict[str, str]], None]


def item_ids(engine: Engine) -> dict[str, str]:
    """Return the store's item ids by title."""
    with session_scope(engine) as session:
        return {r.title: r.id for r in session.exec(select(ItemRow))}


def file_as_another_store(fake: FakeGitHub, ids: dict[str, str], *titles: str) -> list[int]:
    """Add the issues another store files for these items; return their numbers."""
    labels = ("followup", f"postmortem:{SLUG}")
    return [
        fake.add_issue(REPO, title, item_marker(ids[title], SLUG), labels=labels)
        for title in titles
    ]


def _meanwhile(fake: FakeGitHub, ids: dict[str, str]) -> None:
    """Another store files both items between this run's first look and its creates."""
    fake.assignable.add(OWNER)

    def file_them(_: object) -> None:
        file_as_another_store(fake, ids, ALERT, RUNBOOK)

    fake.when("GET issues", file_them)


def _meanwhile_on_an_old_server(fake: FakeGitHub, ids: dict[str, str]) -> None:
    _meanwhile(fake, ids)
    fake.knows_duplicate = False


def _reopened_by_hand(fake: FakeGitHub, ids: dict[str, str]) -> None:
    """The alert was filed twice; #2 was closed as a duplicate, then someone reopened it."""
    file_as_another_store(fake, ids, ALERT, ALERT, RUNBOOK)
    fake.issue(REPO, 2).update(state="closed", state_reason="duplicate")
    fake.reopen(REPO, 2)


SCENARIOS: dict[str, Arrange] = {
    "test_issues_another_store_filed_meanwhile_are_kept_and_this_runs_closed": _meanwhile,
    "test_a_server_without_duplicate_closes_them_as_not_planned": _meanwhile_on_an_old_server,
    "test_a_duplicate_someone_reopened_is_left_open": _reopened_by_hand,
}


def run(engine: Engine, client: Any, pm_path: Path) -> FilingReport:
    """What each scenario runs: import the document, then file it."""
    load(engine, pm_path, document(REPO, OWNER))
    return file(engine, client)


def linked(engine: Engine) -> dict[str, int | None]:
    with session_scope(engine) as session:
        out: dict[str, int | None] = {}
        for item in session.exec(select(ItemRow).where(ItemRow.kind == "issue")):
            row = session.get(IssueRow, item.issue_id) if item.issue_id else None
            out[item.title] = row.number if row else None
        return out


def patches(sent: Sent) -> list[tuple[str, Any]]:
    return [(path.rsplit("/", 1)[-1], body) for method, path, body in sent if method == "PATCH"]


def comments(sent: Sent) -> list[tuple[str, str]]:
    return [
        (path.split("/")[-2], body["body"])
        for method, path, body in sent
        if method == "POST" and path.endswith("/comments")
    ]


# -- filing: the cassettes ------------------------------------------------------------------


@pytest.mark.vcr
def test_issues_another_store_filed_meanwhile_are_kept_and_this_runs_closed(
    engine: Engine, client: Any, sent: Sent, pm_path: Path, vcr: Any
) -> None:
    report = run(engine, client, pm_path)

    # This run created #3 and #4; another store had filed #1 and #2 a moment before.
    assert [body["title"] for m, p, body in sent if m == "POST" and p.endswith("/issues")] == [
        ALERT,
        RUNBOOK,
    ]
    assert outcomes(report) == {ALERT: "linked", RUNBOOK: "linked"}
    assert [o.issue for o in report.items] == [f"{REPO}#1", f"{REPO}#2"]
    assert [o.reason for o in report.items] == [
        f"another run filed it first, as {REPO}#1",
        f"another run filed it first, as {REPO}#2",
    ]
    assert [o.warnings for o in report.items] == [
        (f"filed twice at the same time ({REPO}#1 and {REPO}#3); closed {REPO}#3 as a duplicate",),
        (f"filed twice at the same time ({REPO}#2 and {REPO}#4); closed {REPO}#4 as a duplicate",),
    ]
    assert [o.raced for o in report.items] == [True, True]
    assert not report.failed
    # Each duplicate: re-read, one comment linking the kept issue, closed as a duplicate.
    assert patches(sent) == [
        ("3", {"state": "closed", "state_reason": "duplicate"}),
        ("4", {"state": "closed", "state_reason": "duplicate"}),
    ]
    said = comments(sent)
    assert [number for number, _ in said] == ["3", "4"]
    assert "Duplicate of #1" in said[0][1] and "Duplicate of #2" in said[1][1]
    assert linked(engine) == {ALERT: 1, RUNBOOK: 2}
    with session_scope(engine) as session:
        rows = {r.number: r for r in session.exec(select(IssueRow))}
    assert (rows[3].state, rows[3].state_reason) == ("closed", "duplicate")
    assert all(r.filing_intent_at is None for r in _items(engine))
    assert vcr.all_played


def _items(engine: Engine) -> list[ItemRow]:
    with session_scope(engine) as session:
        return list(session.exec(select(ItemRow)))


@pytest.mark.vcr
def test_a_server_without_duplicate_closes_them_as_not_planned(
    engine: Engine, client: Any, sent: Sent, pm_path: Path, vcr: Any
) -> None:
    report = run(engine, client, pm_path)

    assert outcomes(report) == {ALERT: "linked", RUNBOOK: "linked"}
    # GitHub Enterprise Server before `duplicate` answers 422; `not_planned` is the fallback.
    assert patches(sent) == [
        ("3", {"state": "closed", "state_reason": "duplicate"}),
        ("3", {"state": "closed", "state_reason": "not_planned"}),
        ("4", {"state": "closed", "state_reason": "duplicate"}),
        ("4", {"state": "closed", "state_reason": "not_planned"}),
    ]
    assert linked(engine) == {ALERT: 1, RUNBOOK: 2}
    assert vcr.all_played


@pytest.mark.vcr
def test_a_duplicate_someone_reopened_is_left_open(
    engine: Engine, client: Any, sent: Sent, pm_path: Path, vcr: Any
) -> None:
    report = run(engine, client, pm_path)

    assert outcomes(report) == {ALERT: "linked", RUNBOOK: "linked"}
    assert linked(engine) == {ALERT: 1, RUNBOOK: 3}
    assert patches(sent) == [] and comments(sent) == []
    assert report.warnings == (
        f"{REPO}#2 and {REPO}#1 both carry the marker of item {item_ids(engine)[ALERT]}; "
        f"{REPO}#2 was reopened by hand, so followup leaves it open (and follows {REPO}#1)",
    )
    assert vcr.all_played


# -- the rule -----------------------------------------------------------------------------


def test_the_kept_issue_is_the_lowest_not_closed_as_a_duplicate() -> None:
    one, two, three = (issue(n, "Alert", "abc1234") for n in (1, 2, 3))
    assert winner_of([three, two, one]).number == 1
    assert (
        winner_of([replace(one, state="closed", state_reason="duplicate"), two, three]).number == 2
    )
    everything = [replace(i, state="closed", state_reason="duplicate") for i in (one, two, three)]
    assert winner_of(everything).number == 1
    duplicates, notes = find_duplicates([three, one, two])
    assert [(d.issue.number, d.winner.number) for d in duplicates] == [(2, 1), (3, 1)]
    assert notes == []
    # Closed ones (as duplicates or not) are not closed again.
    done, _ = find_duplicates([one, replace(two, state="closed", state_reason="completed")])
    assert done == []
    assert comment_key(duplicates[0]) == "duplicate:abc1234"


# -- sync: against the fake ---------------------------------------------------------------


def _filed_here(engine: Engine, fake: FakeGitHub, number: int) -> None:
    """Link the alert to #number, as a run that created it and was killed before converging."""
    from followup.github.issues import get_issue

    client = fake.client()
    remote = get_issue(client, REPO, number)
    with session_scope(engine) as session:
        item = session.get(ItemRow, item_ids(engine)[ALERT])
        assert item is not None
        apply_issue(session, item, remote, Changes(source="followup"), how="created")
        Changes(source="followup").flush(session)


@LOOPBACK
def test_a_sync_heals_a_run_killed_between_its_create_and_its_converge(
    engine: Engine, pm_path: Path
) -> None:
    load(engine, pm_path, document(REPO, OWNER))
    ids = item_ids(engine)
    with FakeGitHub() as fake:
        # Another store filed #1; this one filed #2 and was killed before converging.
        file_as_another_store(fake, ids, ALERT, ALERT)
        _filed_here(engine, fake, 2)
        report = sync_all(engine, fake.client, concurrency=1, progress=SilentProgress())

        assert (fake.issue(REPO, 1)["state"], fake.issue(REPO, 2)["state"]) == ("open", "closed")
        assert fake.issue(REPO, 2)["state_reason"] == "duplicate"
        assert any("Duplicate of #1" in body for body in fake.bodies(REPO, 2))
        assert linked(engine)[ALERT] == 1
        with session_scope(engine) as session:
            alert = session.get(ItemRow, ids[ALERT])
            assert alert is not None and alert.status == "filed"
        assert any("closed" in w and f"{REPO}#2" in w for w in report.warnings)
        # The next sync finds nothing to converge: no further write.
        writes = len([e for e in fake.exchanges if e.method != "GET"])
        again = sync_all(engine, fake.client, concurrency=1, progress=SilentProgress())
        assert len([e for e in fake.exchanges if e.method != "GET"]) == writes
        assert again.warnings == ()


@LOOPBACK
def test_a_sync_moves_an_item_whose_issue_another_run_closed_as_a_duplicate(
    engine: Engine, pm_path: Path
) -> None:
    load(engine, pm_path, document(REPO, OWNER))
    ids = item_ids(engine)
    with FakeGitHub() as fake:
        file_as_another_store(fake, ids, ALERT, ALERT)
        _filed_here(engine, fake, 2)
        sync_all(engine, fake.client, concurrency=1, progress=SilentProgress())
        # Undo the heal, as if another store had converged instead: #2 closed, #1 kept.
        _filed_here(engine, fake, 2)
        fake.issue(REPO, 2)["updated_at"] = "2026-11-21T10:00:00Z"
        report = sync_all(engine, fake.client, concurrency=1, progress=SilentProgress())

        assert linked(engine)[ALERT] == 1
        with session_scope(engine) as session:
            alert = session.get(ItemRow, ids[ALERT])
            # Never "won't do" because its duplicate was closed.
            assert alert is not None and alert.status == "filed"
        assert report.errors == ()


__all__ = ["SCENARIOS", "client", "fake_time", "frozen_clock", "pm_path", "run", "sent"]


def test_the_tui_says_which_items_were_filed_twice() -> None:
    from followup.sync.filing import FilingReport, ItemOutcome
    from followup.tui import outcomes as tui

    kept = ItemOutcome("a1", "Alert", SLUG, REPO, "created", f"{REPO}#1", raced=True)
    lost = ItemOutcome(
        "b2",
        "Runbook",
        SLUG,
        REPO,
        "linked",
        f"{REPO}#2",
        reason=f"another run filed it first, as {REPO}#2",
        raced=True,
    )
    calm = ItemOutcome("c3", "Docs", SLUG, REPO, "created", f"{REPO}#5")
    said = tui.filing(FilingReport(items=(kept, lost, calm)))
    assert (
        said.summary
        == "Filing: 2 filed, 1 linked, 2 items filed twice by runs at once (duplicates closed)"
    )
    assert said.severity == "warning"
    assert [r.message for r in said.results][1] == (
        f"linked to {REPO}#2 (another run filed it first, as {REPO}#2)"
    )
