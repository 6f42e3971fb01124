"""The CLI tests' fixtures: every JSON document a command prints is checked against its schema."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from followup.cli import cli
from tests.cli.schemas import check_output
from tests.conftest import RunCli


@pytest.fixture
def run_cli(db_url: str) -> RunCli:
    """Run followup's CLI against the test's store; JSON output must match its schema."""

    def run(*args: str, input: str | None = None) -> Result:
        result = CliRunner().invoke(
            cli, ["--db", db_url, *args], input=input, catch_exceptions=False
        )
        check_output(args, result.stdout)
        return result

    return run


def git(*args: str, cwd: Path) -> None:
    """Run git quietly in cwd, failing the test if it fails."""
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """Return a fresh git repository whose origin is git@github.com:Acme/queue.git."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    git("remote", "add", "origin", "git@github.com:Acme/queue.git", cwd=repo)
    return repo
