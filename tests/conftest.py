"""Fixtures every test gets: no user config, no user data, no tokens, no network."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from followup.cli import cli
from followup.store import create_store_engine

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "postmortems"
GH_PAGES = EXAMPLES / "2019-12-05-gh-pages.md"

# Variables that would let a test see the developer's own setup or credentials.
_LEAKY_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GH_HOST", "GH_CONFIG_DIR")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME and the XDG folders at a fresh folder and drop followup's variables."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    for var in list(os.environ):
        if var.startswith("FOLLOWUP_") or var in _LEAKY_VARIABLES:
            monkeypatch.delenv(var)
    # `gh auth token` must never answer with the developer's real token.
    monkeypatch.setenv("PATH", _path_without_gh())
    return home


def _path_without_gh() -> str:
    parts = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(p for p in parts if not (Path(p) / "gh").exists())


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """Return the URL of a fresh SQLite store in the test's folder."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Return a migrated engine on a fresh store."""
    eng = create_store_engine(db_url)
    yield eng
    eng.dispose()


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(db_url: str) -> RunCli:
    """Return a function that runs followup's CLI against the test's store."""

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["--db", db_url, *args], input=input, catch_exceptions=False)

    return run


CASSETTES = Path(__file__).resolve().parent / "cassettes"


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, object]:
    """Replay GitHub exchanges; the token is replaced before anything is written.

    Bodies are matched too: a write or a query that differs from the recorded one fails.
    """
    return {
        "filter_headers": [("authorization", "<redacted>")],
        "decode_compressed_response": True,
        "match_on": ("method", "scheme", "host", "port", "path", "query", "body"),
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """Keep cassettes in tests/cassettes/<test module>/."""
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


# Re-recording against a real scratch repository reads these; replay needs neither.
RECORD_TOKEN = os.environ.get("FOLLOWUP_RECORD_TOKEN", "")
SCRATCH_REPO = os.environ.get("FOLLOWUP_RECORD_REPO", "octo-org/followup-scratch")


@pytest.fixture
def github_token() -> str:
    """Return the token tests send: a real one only while re-recording."""
    return RECORD_TOKEN or "test-token-not-real"


@pytest.fixture
def scratch_repo() -> str:
    """Return the repository the cassettes were recorded against."""
    return SCRATCH_REPO
