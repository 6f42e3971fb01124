"""`followup forget` while a `followup file` run is creating issues for the same items.

A forget that landed between a filing run's create and its record would leave an issue
on GitHub that the store no longer knows and that the forget never mentioned. Forget
takes the repository's lock as filing does, so it waits for the run to finish and then
names every issue the forgotten items keep. Both tests run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from followup.store import create_store_engine, session_scope
from followup.store.models import ItemRow, PostMortemRow
from tests.fakegithub import LOOPBACK, FakeGitHub, env
from tests.faults import racing

pytestmark = LOOPBACK
ITEMS = 3


def _forget_command(db_url: str) -> list[str]:
    return racing.followup_command(db_url, "forget", racing.SLUG, "--yes", "--format", "json")


def _count(db_url: str) -> tuple[int, int]:
    engine = create_store_engine(db_url)
    try:
        with session_scope(engine) as session:
            return (
                session.exec(select(func.count()).select_from(PostMortemRow)).one(),
                session.exec(select(func.count()).select_from(ItemRow)).one(),
            )
    finally:
        engine.dispose()


def test_forget_during_filing_waits_and_names_every_issue_kept(tmp_path: Path, db_url: str) -> None:
    path = racing.write_postmortem(tmp_path, ITEMS)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        forgetting: list[racing.Watched] = []

        def forget_now(_fake: Any) -> None:
            # Right after GitHub created the first issue, before the run has recorded it:
            # forget either waits for the run (and says so) or ends without waiting.
            command = _forget_command(db_url)
            forgetting.append(
                racing.watch(command, env(fake, "forget"), tmp_path, "waiting for it")
            )
            forgetting[0].until_said_or_ended()

        fake.when("POST issues", forget_now)
        filing = racing.start(fake, "A", db_url, path)
        out, err = filing.communicate(timeout=120)
        assert forgetting, "the filing run never created an issue"
        forget_out, forget_err = forgetting[0].finish()

        assert forgetting[0].said.is_set(), ("forget did not wait for the filing run", forget_err)
        assert filing.returncode == 0, err
        assert json.loads(out)["summary"]["created"] == ITEMS
        assert forgetting[0].proc.returncode == 0, forget_err
        numbers = {issue["number"] for issue in fake.all_issues(racing.REPO)}
        assert len(numbers) == ITEMS
        # Every issue filed is named by the forget: none is left behind unmentioned.
        report = json.loads(forget_out)
        named = {
            int(kept["issue"].rsplit("#", 1)[1])
            for pm in report["postmortems"]
            for kept in pm["kept_issues"]
        }
        assert named == numbers, report
        assert _count(db_url) == (0, 0)


def test_items_forgotten_before_their_create_are_not_filed(tmp_path: Path, db_url: str) -> None:
    path = racing.write_postmortem(tmp_path, ITEMS)
    with FakeGitHub() as fake:
        racing.arrange(fake)
        said: list[subprocess.CompletedProcess[str]] = []

        def forget_now(_fake: Any) -> None:
            # After the run read its items and listed the repository, before any create.
            said.append(
                subprocess.run(
                    _forget_command(db_url),
                    env=env(fake, "forget"),
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
            )

        fake.when("GET labels", forget_now)
        filing = racing.start(fake, "A", db_url, path)
        out, err = filing.communicate(timeout=120)

        assert said and said[0].returncode == 0, said
        assert filing.returncode == 0, err
        assert "internal error" not in err
        outcome = json.loads(out)
        assert outcome["summary"]["created"] == 0
        assert outcome["summary"]["skipped"] == ITEMS
        messages = [entry["message"] for entry in outcome["items"]]
        assert len(messages) == ITEMS
        assert all("forgotten meanwhile" in message for message in messages), messages
        assert fake.requests("POST issues") == []
        assert fake.all_issues(racing.REPO) == []
        assert _count(db_url) == (0, 0)
