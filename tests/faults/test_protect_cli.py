"""`followup protect` asks before requiring a status check that never ran, and shows why."""

from __future__ import annotations

import pytest

from tests.conftest import RunCli
from tests.fakegithub import TOKEN, FakeGitHub
from tests.fakegithub.protection_shapes import classic, reviews
from tests.faults.scenarios import REPO, add_item

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ASKED = {"contexts": ["ci/typo"], "required_approving_review_count": 1}


@pytest.fixture
def arranged(fake: FakeGitHub, engine: object, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    fake.branch(REPO, "main", classic(reviews=reviews(1))).reported = ["ci/build"]
    add_item(engine, "main", ASKED)  # type: ignore[arg-type]
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    monkeypatch.setenv("FOLLOWUP_GITHUB_URL", fake.url)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "0")
    return fake


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_dry_run_shows_the_check_that_never_reported(
    run_cli: RunCli, arranged: FakeGitHub
) -> None:
    result = run_cli("protect", "--dry-run")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "⚠ status check ci/typo never reported on the latest commit of main" in out
    assert "1 asking for checks that never reported" in out
    assert arranged.requests("POST contexts", "PUT protection") == []


def test_yes_alone_does_not_require_it(run_cli: RunCli, arranged: FakeGitHub) -> None:
    result = run_cli("protect", "--yes")
    assert result.exit_code == 1
    assert "--allow-unseen-checks" in flat(result.stdout)
    assert arranged.requests("POST contexts", "PUT protection") == []


def test_the_flag_requires_it(run_cli: RunCli, arranged: FakeGitHub) -> None:
    result = run_cli("protect", "--yes", "--allow-unseen-checks")
    assert result.exit_code == 0, result.output
    assert arranged.missing(REPO, "main", ASKED) == []


def test_the_confirmation_asks_about_it(
    run_cli: RunCli, arranged: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from followup.cli import protect_cmd

    monkeypatch.setattr(protect_cmd, "_interactive", lambda: True)
    declined = run_cli("protect", input="y\nn\n")
    assert declined.exit_code == 1
    assert "Require ci/typo although it never reported" in flat(declined.output)
    assert arranged.requests("POST contexts") == []
    accepted = run_cli("protect", input="y\ny\n")
    assert accepted.exit_code == 0, accepted.output
    assert arranged.missing(REPO, "main", ASKED) == []
