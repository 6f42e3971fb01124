"""A run that paces its writes looks again right before each create (sync/filing_look.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import col, select

from followup.github.issue_mapping import parse_marker
from followup.store import session_scope
from followup.store.models import ItemRow
from followup.sync.candidates import candidates, new_issue
from followup.sync.filing import file_items
from followup.sync.importing import import_files
from followup.sync.progress import SilentProgress
from tests.fakegithub import LOOPBACK, FakeGitHub
from tests.faults import racing

pytestmark = LOOPBACK


def _items(engine: Engine, tmp_path: Path, count: int) -> list[str]:
    import_files(engine, [racing.write_postmortem(tmp_path, count)], default_repo=racing.REPO)
    with session_scope(engine) as session:
        return list(session.exec(select(ItemRow.id).order_by(col(ItemRow.position))))


def _markers(fake: FakeGitHub) -> list[tuple[int, str | None, str]]:
    out = []
    for issue in fake.all_issues(racing.REPO):
        marker = parse_marker(issue["body"])
        out.append((issue["number"], marker.item_id if marker else None, issue["state"]))
    return out


def test_an_item_another_store_filed_since_the_last_look_is_linked_not_filed_again(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _items(engine, tmp_path, 3)
    with session_scope(engine) as session:
        second = new_issue(candidates(session, [ids[1]], None, False, racing.REPO)[0], assign=True)
    with FakeGitHub() as fake:
        racing.arrange(fake)

        def other_store_files_the_second(_fake: FakeGitHub) -> None:
            fake.add_issue(
                racing.REPO, second.title, second.body, labels=second.labels, login=fake.login
            )

        # Right after this run created the first item's issue, another store files the
        # second item: this run's look before its next create sees it.
        fake.when("POST issues", other_store_files_the_second)
        report = file_items(
            engine,
            fake.client("A", write_interval=0.01),
            default_repo=racing.REPO,
            progress=SilentProgress(),
        )
        creates = fake.requests("POST issues")
        issues = _markers(fake)

    assert [(o.outcome, o.issue) for o in report.items] == [
        ("created", f"{racing.REPO}#1"),
        ("linked", f"{racing.REPO}#2"),
        ("created", f"{racing.REPO}#3"),
    ]
    assert len(creates) == 2
    assert issues == [(1, ids[0], "open"), (2, ids[1], "open"), (3, ids[2], "open")]
    links = racing.linked_numbers(engine.url.render_as_string(hide_password=False))
    assert links == {ids[0]: 1, ids[1]: 2, ids[2]: 3}


def test_a_look_github_does_not_answer_leaves_the_run_to_create_as_before(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _items(engine, tmp_path, 2)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        # The first list is the run's reconcile; every read of the first look fails.
        fake.fail("GET issues", "error_before", status=502, skip=1, times=4)
        report = file_items(
            engine,
            fake.client("A", write_interval=0.01, max_retries=3),
            default_repo=racing.REPO,
            progress=SilentProgress(),
        )
        issues = _markers(fake)

    assert [o.outcome for o in report.items] == ["created", "created"]
    assert issues == [(1, ids[0], "open"), (2, ids[1], "open")]
