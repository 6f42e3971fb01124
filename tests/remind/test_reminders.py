"""Reminders never ping twice: reruns, backoff, answers, lost answers, kill -9, racing runs.

Runs talk to the stateful fake GitHub on 127.0.0.1 (tests/fakegithub); the runs that
are killed or that race are real `followup remind` processes on one store.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from followup import clock
from followup.store import create_store_engine, session_scope
from followup.store.models import CommentClaimRow
from followup.sync.remind import RemindReport, remind
from tests.fakegithub import LOOPBACK, START, TOKEN, Exchange, FakeGitHub
from tests.fakegithub.filed import FiledIssue, put

REPO = "acme/web"
TODAY = START.date()  # 2026-11-21, the fake's clock
WEEK = timedelta(days=7)
pytestmark = LOOPBACK


@pytest.fixture
def filed() -> list[FiledIssue]:
    return [
        FiledIssue(REPO, "aaa1111", "Alert on depth", "dana", date(2026, 11, 1)),
        FiledIssue(REPO, "bbb2222", "Runbook", "lee", date(2026, 11, 30)),
        FiledIssue(REPO, "ccc3333", "Nobody's", None, date(2026, 10, 1)),
        FiledIssue(REPO, "ddd4444", "Done already", "sam", date(2026, 10, 1), state="closed"),
    ]


@pytest.fixture
def fake(filed: list[FiledIssue]) -> Iterator[FakeGitHub]:
    github = FakeGitHub()
    # Comments are stamped by followup's clock, looked up at each call: the tests move it.
    github.clock = lambda: clock.now()  # noqa: PLW0108
    with github:
        for issue in filed:
            put(github, issue)
        assert [i.number for i in filed] == [1, 2, 3, 4]
        yield github


def posts(fake: FakeGitHub) -> list[Exchange]:
    return [e for e in fake.exchanges if e.endpoint == "POST comments"]


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def run(
    engine: Engine, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, day: date, **kw: object
) -> RemindReport:
    monkeypatch.setattr(clock, "now", lambda: at(day))
    monkeypatch.setattr(clock, "today", lambda: day)
    return remind(engine, fake.client(), [REPO], interval=WEEK, today=day, **kw)  # type: ignore[arg-type]


def actions(report: RemindReport) -> dict[str, str]:
    return {o.item.item_id: o.action for o in report.outcomes}


def test_a_first_run_reminds_each_overdue_owner_once_and_a_rerun_sends_nothing(
    engine: Engine, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run(engine, fake, monkeypatch, TODAY)
    assert actions(first) == {"aaa1111": "reminded", "ccc3333": "skipped"}
    (posted,) = posts(fake)
    body = posted.body["body"]
    assert body.startswith("@dana, this post-mortem follow-up was due on **2026-11-01** (20 days")
    assert body.rstrip().endswith("<!-- followup:remind:aaa1111:2026-11-01:dana:0 -->")
    again = run(engine, fake, monkeypatch, TODAY)
    assert actions(again)["aaa1111"] == "waiting"
    assert len(posts(fake)) == 1
    with session_scope(engine) as session:
        (claim,) = session.exec(select(CommentClaimRow)).all()
        assert claim.posted_at is not None and claim.key.endswith(":0")


def test_unanswered_reminders_back_off_7_14_28_days(
    engine: Engine, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dana() -> list[str]:
        return list(fake.bodies(REPO, 1))

    sent_on = []
    for offset in range(80):
        before = len(dana())
        run(engine, fake, monkeypatch, TODAY + timedelta(days=offset))
        if len(dana()) > before:
            sent_on.append(offset)
    # Waits of 7, 14, 28, then 28 again while nobody answers.
    assert sent_on == [0, 7, 21, 49, 77]
    keys = [body.rstrip().rsplit(":", 1)[-1] for body in dana()]
    assert keys == ["0 -->", "1 -->", "2 -->", "3 -->", "4 -->"]


def test_an_answer_resets_the_wait_to_a_week_from_it(
    engine: Engine, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, fake, monkeypatch, TODAY)
    monkeypatch.setattr(clock, "now", lambda: at(TODAY + timedelta(days=3)))
    fake.add_comment(REPO, 1, "Blocked on the vendor, back next week.", login="dana")
    report = run(engine, fake, monkeypatch, TODAY + timedelta(days=9))
    (waiting,) = [o for o in report.outcomes if o.item.item_id == "aaa1111"]
    assert waiting.action == "waiting" and "(answered)" in waiting.message
    assert waiting.not_before is not None
    assert waiting.not_before.date() == TODAY + timedelta(days=10)
    assert len(fake.bodies(REPO, 1)) == 2
    run(engine, fake, monkeypatch, TODAY + timedelta(days=10))
    assert len(fake.bodies(REPO, 1)) == 3
    # That one went unanswered, but the one before was answered: a week, not two.
    run(engine, fake, monkeypatch, TODAY + timedelta(days=16))
    assert len(fake.bodies(REPO, 1)) == 3
    run(engine, fake, monkeypatch, TODAY + timedelta(days=17))
    assert len(fake.bodies(REPO, 1)) == 4


def test_a_new_due_date_or_owner_starts_again_and_a_future_date_stops_it(
    engine: Engine, fake: FakeGitHub, filed: list[FiledIssue], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, fake, monkeypatch, TODAY)
    issue = filed[0]
    issue.due = date(2026, 12, 15)
    put(fake, issue)
    assert "aaa1111" not in actions(run(engine, fake, monkeypatch, TODAY + timedelta(days=8)))
    issue.due = date(2026, 11, 10)
    issue.assignees = ("kim",)
    put(fake, issue)
    run(engine, fake, monkeypatch, TODAY + timedelta(days=9))
    bodies = fake.bodies(REPO, 1)
    assert len(bodies) == 2
    assert bodies[1].startswith("@kim, ")
    assert bodies[1].rstrip().endswith("remind:aaa1111:2026-11-10:kim:0 -->")


def test_a_dry_run_writes_nothing(
    engine: Engine, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = run(engine, fake, monkeypatch, TODAY, dry_run=True)
    assert actions(report)["aaa1111"] == "would_remind"
    assert posts(fake) == []
    with session_scope(engine) as session:
        assert session.exec(select(CommentClaimRow)).all() == []


def test_a_lost_answer_is_looked_for_and_not_sent_again(
    engine: Engine, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.drop_answer("POST comments")
    report = run(engine, fake, monkeypatch, TODAY)
    assert actions(report)["aaa1111"] == "reminded"
    assert len(posts(fake)) == 1
    assert len(fake.bodies(REPO, 1)) == 1


def test_the_digest_mentions_each_owner_once_and_stays_one_comment(
    engine: Engine, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(fake, FiledIssue(REPO, "eee5555", "Cap retries", "dana", date(2026, 11, 10)))
    report = run(engine, fake, monkeypatch, TODAY, digest=("acme/ops", 42))
    assert report.digest is not None and report.digest.action == "created"
    assert report.outcomes == [] and len(posts(fake)) == 1
    (body,) = fake.bodies("acme/ops", 42)
    assert body.count("@dana") == 1
    assert "acme/web#1" in body and "acme/web#5" in body
    assert "**Nobody named**" in body
    assert body.rstrip().endswith("<!-- followup:digest:2026-W47 -->")
    again = run(engine, fake, monkeypatch, TODAY + timedelta(days=1), digest=("acme/ops", 42))
    assert again.digest is not None and again.digest.action == "updated"  # a day later now
    assert len(posts(fake)) == 1 and len(fake.bodies("acme/ops", 42)) == 1
    # The issues were not commented on.
    assert fake.bodies(REPO, 1) == []


# -- real processes: kill -9, and two runs at once -----------------------------------


def _cli(fake: FakeGitHub, db: str, day: date) -> list[str]:
    code = (
        "import datetime, sys; from followup import clock; "
        f"clock.today = lambda: datetime.date.fromisoformat('{day.isoformat()}'); "
        f"clock.now = lambda: datetime.datetime.fromisoformat('{at(day).isoformat()}'); "
        "from followup.cli import main; sys.argv = ['followup', *sys.argv[1:]]; main()"
    )
    return [sys.executable, "-c", code, "--db", db, "--github-url", fake.url, "remind", "-R", REPO]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "GH_"))}
    env.update(
        GITHUB_TOKEN=TOKEN,
        FOLLOWUP_WRITE_INTERVAL="0",
        FOLLOWUP_CONFIG=os.devnull,
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    return env


def test_a_run_killed_between_its_write_and_its_record_is_not_repeated(
    fake: FakeGitHub, tmp_path: Path, db_url: str
) -> None:
    db = db_url
    command = [*_cli(fake, db, TODAY), "--format", "json"]
    # Killed once the comment is written, before the answer leaves.
    fake.fail("POST comments", "kill")
    process = subprocess.Popen(command, env=_env(tmp_path), stdout=subprocess.PIPE, text=True)
    fake.on_kill = lambda: os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert len(posts(fake)) == 1  # the write happened, the run never recorded it
    engine = create_store_engine(db)
    with session_scope(engine) as session:
        (claim,) = session.exec(select(CommentClaimRow)).all()
        assert claim.posted_at is None  # claimed, never recorded
    again = subprocess.run(command, check=False, env=_env(tmp_path), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    done = {i["id"]: i["action"] for i in json.loads(again.stdout)["items"]}
    assert done["aaa1111"] == "recorded"
    assert len(posts(fake)) == 1
    with session_scope(engine) as session:
        (claim,) = session.exec(select(CommentClaimRow)).all()
        assert claim.posted_at is not None and claim.comment_id is not None
    engine.dispose()


def test_two_runs_at_once_on_one_store_remind_once(
    fake: FakeGitHub, tmp_path: Path, db_url: str
) -> None:
    db = db_url
    create_store_engine(db).dispose()  # migrated before the race, as a cron's store is
    # Both runs have listed the issue's comments (and found nothing) before either writes.
    fake.barrier("GET comments", parties=2)
    results: list[subprocess.CompletedProcess[str]] = []

    def one() -> None:
        command = [*_cli(fake, db, TODAY), "--format", "json"]
        results.append(
            subprocess.run(command, check=False, env=_env(tmp_path), capture_output=True, text=True)
        )

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    seen = sorted(
        next(i["action"] for i in json.loads(r.stdout)["items"] if i["id"] == "aaa1111")
        for r in results
    )
    # The loser found the claim held (skipped) or already recorded as posted.
    assert seen.count("reminded") == 1
    assert set(seen) - {"reminded"} <= {"recorded", "skipped"}
    assert len(posts(fake)) == 1
    assert len(fake.bodies(REPO, 1)) == 1


def test_the_store_s_due_date_wins_and_the_reminder_joins_the_item_s_history(
    engine: Engine, fake: FakeGitHub, filed: list[FiledIssue], monkeypatch: pytest.MonkeyPatch
) -> None:
    from followup.cli.output import describe_event
    from followup.postmortem.model import ActionItem, PostMortem
    from followup.store.importer import import_all
    from followup.store.models import ItemRow
    from followup.store.queries import item_events

    doc = PostMortem(
        title="Queue",
        slug="queue",
        source="# q\n",
        items=(ActionItem(title="Alert on depth", line=1, owner="dana", due=date(2026, 11, 5)),),
    )
    with session_scope(engine) as session:
        import_all(session, [doc])
        item_id = session.exec(select(ItemRow.id)).one()
    filed[0].item_id = item_id
    put(fake, filed[0])
    run(engine, fake, monkeypatch, TODAY)
    (body,) = fake.bodies(REPO, 1)
    assert body.rstrip().endswith(f"remind:{item_id}:2026-11-05:dana:0 -->")
    with session_scope(engine) as session:
        (event,) = [e for e in item_events(session, item_id) if e.field == "reminder"]
    assert describe_event(event).startswith("owner reminded: https://github.com/acme/web/")
