"""`followup forget` while a filing run files the post-mortem's tracking issue or an item's.

Nothing may end up filed on GitHub yet unknown to the store without a word: forget
waits for the repository's lock, as a second filing run would; a run that reaches a
forgotten post-mortem files nothing for it; and an issue created for something
forgotten anyway (a forget that did not wait) is reported with its reference.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from followup.github import GitHub
from followup.github.issue_mapping import NewIssue, RemoteIssue
from followup.store import session_scope
from followup.store.locks import StoreLock
from followup.store.models import ItemRow, PostMortemRow
from followup.sync import filing_tracking
from followup.sync.filing import FilingReport, file_items
from followup.sync.forget import Forgettable, forget
from followup.sync.importing import import_files
from followup.sync.progress import SilentProgress
from followup.sync.run_control import NoLock
from tests.fakegithub import LOOPBACK, FakeGitHub
from tests.faults import racing

TRACKING = "Post-mortem follow-ups"


def _store(engine: Engine, tmp_path: Path) -> list[str]:
    import_files(engine, [racing.write_postmortem(tmp_path, 2)], default_repo=racing.REPO)
    with session_scope(engine) as session:
        return [r.id for r in session.exec(select(ItemRow).order_by(col(ItemRow.position)))]


def _file(engine: Engine, client: GitHub) -> FilingReport:
    return file_items(
        engine,
        client,
        default_repo=racing.REPO,
        tracking_issue=True,
        progress=SilentProgress(),
    )


def _postmortems(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return [pm.slug for pm in session.exec(select(PostMortemRow))]


def _tracking(fake: FakeGitHub) -> list[dict[str, object]]:
    return [i for i in fake.all_issues(racing.REPO) if str(i["title"]).startswith(TRACKING)]


@LOOPBACK
def test_forget_waits_for_a_run_filing_the_tracking_issue(
    engine: Engine, other: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forget starts while the run creates the tracking issue: it waits for the run, which
    records the issue, then forgets the post-mortem."""
    _store(engine, tmp_path)
    create = filing_tracking.create_issue  # type: ignore[attr-defined]
    waiting = threading.Event()
    gone: list[Forgettable] = []

    def run_forget() -> None:
        lock = StoreLock(other, on_wait=lambda _message: waiting.set())
        gone.extend(forget(other, [racing.SLUG], lock=lock))

    forgetting = threading.Thread(target=run_forget)

    def create_tracking(client: GitHub, repo: str, new: NewIssue) -> RemoteIssue:
        if new.title.startswith(TRACKING) and not forgetting.is_alive():
            forgetting.start()
            while forgetting.is_alive() and not waiting.wait(0.05):
                pass
        return create(client, repo, new)

    monkeypatch.setattr(filing_tracking, "create_issue", create_tracking)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        report = _file(engine, fake.client("A"))
        forgetting.join(timeout=60)
        tracking = _tracking(fake)

    assert waiting.is_set()
    assert [(t.outcome, t.issue) for t in report.tracking] == [
        ("created", f"{racing.REPO}#{tracking[0]['number']}")
    ]
    assert len(tracking) == 1
    assert [g.slug for g in gone] == [racing.SLUG]
    assert len(gone[0].filed) == 2
    assert _postmortems(engine) == []


@LOOPBACK
def test_a_run_reaching_a_forgotten_postmortem_files_no_tracking_issue(
    engine: Engine, other: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forget ends after the run filed the items and before it comes to the tracking issue."""
    _store(engine, tmp_path)
    real = filing_tracking.tracking_repo  # type: ignore[attr-defined]
    forgotten: list[str] = []

    def repo_of(session: Session, pm: PostMortemRow) -> str | None:
        found: str | None = real(session, pm)
        if not forgotten:
            forgotten.extend(g.slug for g in forget(other, [racing.SLUG]))
        return found

    monkeypatch.setattr(filing_tracking, "tracking_repo", repo_of)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        report = _file(engine, fake.client("A"))
        tracking = _tracking(fake)

    assert forgotten == [racing.SLUG]
    assert [(t.outcome, t.reason) for t in report.tracking] == [
        ("skipped", "forgotten meanwhile (followup forget): not filed")
    ]
    assert tracking == []
    assert [o.outcome for o in report.items] == ["created", "created"]


def _forget_at_once(engine: Engine) -> None:
    """Forget the post-mortem without waiting for any filing run."""
    forget(engine, [racing.SLUG], lock=NoLock())


@LOOPBACK
def test_a_tracking_issue_filed_for_a_postmortem_forgotten_meanwhile_is_reported(
    engine: Engine, other: Engine, tmp_path: Path
) -> None:
    """A forget that does not wait (no lock) lands while GitHub creates the tracking issue:
    the run reports the issue it created, rather than end with a store conflict."""
    _store(engine, tmp_path)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        fake.when(
            "POST issues",
            lambda _f: fake.when(
                "POST issues",
                lambda _f: fake.when("POST issues", lambda _f: _forget_at_once(other)),
            ),
        )
        report = _file(engine, fake.client("A"))
        tracking = _tracking(fake)

    (outcome,) = report.tracking
    ref = f"{racing.REPO}#{tracking[0]['number']}"
    assert (outcome.outcome, outcome.issue) == ("created", ref)
    assert outcome.reason is not None and outcome.reason.startswith(
        f"{ref} was filed, but the post-mortem was forgotten meanwhile"
    )
    assert any(ref in w for w in report.warnings)
    assert _postmortems(engine) == []


@LOOPBACK
def test_an_item_issue_filed_for_an_item_forgotten_meanwhile_is_reported(
    engine: Engine, other: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forget that does not wait lands while GitHub creates the first item's issue."""
    first, _ = _store(engine, tmp_path)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        fake.when("POST issues", lambda _f: _forget_at_once(other))
        report = file_items(
            engine, fake.client("A"), default_repo=racing.REPO, progress=SilentProgress()
        )
        numbers = [i["number"] for i in fake.all_issues(racing.REPO)]

    outcome = {o.item_id: o for o in report.items}[first]
    ref = f"{racing.REPO}#{numbers[0]}"
    assert (outcome.outcome, outcome.issue) == ("created", ref)
    assert outcome.reason is not None and "forgotten meanwhile" in outcome.reason
    assert any(ref in w for w in report.warnings)
