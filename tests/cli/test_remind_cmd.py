"""`followup remind` from the command line, replayed from cassettes, with an empty store."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from followup import clock
from tests.conftest import RunCli

TODAY = date(2026, 3, 18)
REPO = "octo-org/followup-scratch"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 18, 9, tzinfo=UTC))


def items(stdout: str) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in json.loads(stdout)["items"]}


@pytest.mark.vcr
def test_remind_posts_once_and_a_rerun_waits(run_cli: RunCli, vcr: Any) -> None:
    first = run_cli("remind", "-R", REPO, "--format", "json")
    assert first.exit_code == 0, first.output
    done = items(first.stdout)
    assert {k: v["action"] for k, v in done.items()} == {
        "k3v9q2m": "reminded",
        "n5b6c7d": "skipped",
    }
    page = done["k3v9q2m"]
    assert page["owner"] == "dana" and page["days_late"] == 17
    assert page["key"] == "remind:k3v9q2m:2026-03-01:dana:0"
    assert page["comment_url"].endswith("#issuecomment-9202")
    sent = json.loads(vcr.requests[3].body)["body"]
    assert sent.startswith("@dana, this post-mortem follow-up was due on **2026-03-01** (17 days")
    assert "The next one comes in 7 days if this stays unanswered" in sent
    assert json.loads(first.stdout)["summary"]["reminded"] == 1
    # The same day again: nothing is written, the reminder's week has not passed.
    again = run_cli("remind", "-R", REPO)
    assert again.exit_code == 0, again.output
    assert "the next reminder goes after 2026-03-25" in again.stdout
    assert "3 open followup issues read in 1 repositories: 1 waiting, 1 skipped." in again.stdout
    assert [r.method for r in vcr.requests].count("POST") == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_a_dry_run_reads_and_writes_nothing(run_cli: RunCli, vcr: Any) -> None:
    result = run_cli("remind", "-R", REPO, "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    assert items(result.stdout)["k3v9q2m"]["action"] == "would_remind"
    assert {r.method for r in vcr.requests} == {"GET"}


@pytest.mark.vcr
def test_the_digest_is_one_comment_on_the_review_issue(run_cli: RunCli, vcr: Any) -> None:
    result = run_cli("remind", "-R", REPO, "--digest", f"{REPO}#42", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["items"] == []
    assert data["digest"] == {
        "issue": f"{REPO}#42",
        "key": "digest:2026-W12",
        "action": "created",
        "url": f"https://github.com/{REPO}/issues/42#issuecomment-9301",
    }
    sent = json.loads(vcr.requests[2].body)["body"]
    assert sent.count("@dana") == 1 and "**Nobody named**" in sent
    assert f"[{REPO}#3](https://github.com/{REPO}/issues/3)" in sent
    assert vcr.all_played


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "error: no repository to read: name one with --repo"),
        (("-R", REPO, "--older-than", "soon"), 2, "error: --older-than takes days or weeks"),
        (("-R", REPO, "--digest", "nope"), 2, "error: not an issue: 'nope'"),
        (("-R", "not a repo"), 2, "error: invalid value for '--repo'"),
    ],
)
def test_bad_input_is_one_line(
    run_cli: RunCli, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run_cli("remind", *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message), result.stderr


def test_without_a_token_it_says_so(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    result = run_cli("remind", "-R", REPO, "--format", "json")
    assert result.exit_code == 4
    assert json.loads(result.stdout)["errors"][0].startswith("no GitHub token")
