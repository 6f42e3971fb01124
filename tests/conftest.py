"""Fixtures every test gets: no user config, no user data, no tokens, no network."""

from __future__ import annotations

import importlib.util
import os
import signal
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from followup.cli import cli
from followup.store import create_store_engine
from tests import pgcluster

# A shell starts background jobs with Ctrl-C ignored, and Python then keeps it ignored:
# tests that interrupt a command with SIGINT would wait forever for it. Give the suite
# Python's usual KeyboardInterrupt wherever it runs.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

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
    # A command run on a terminal never starts the developer's pager (cli/pager.py).
    monkeypatch.setenv("FOLLOWUP_PAGER", "cat")
    # `gh auth token` must never answer with the developer's real token.
    monkeypatch.setenv("PATH", _path_without_gh())
    return home


def _path_without_gh() -> str:
    parts = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(p for p in parts if not (Path(p) / "gh").exists())


# -- the store's backends ----------------------------------------------------------------
#
# Every test that asks for db_url, engine or run_cli runs twice: on SQLite and on
# PostgreSQL (ids [sqlite] and [postgresql]). PostgreSQL is a throwaway server this run
# starts (one per xdist worker, see tests/pgcluster.py), or the server named by
# FOLLOWUP_TEST_POSTGRES_URL (a role that may create databases). Each test gets a database
# of its own, copied from one migrated template. FOLLOWUP_TEST_POSTGRES=require makes a
# missing server an error (CI), =off runs SQLite only; the default skips with the reason.
# Read at import: the autouse fixture clears FOLLOWUP_* variables before each test.
BACKENDS = ("sqlite", "postgresql")
POSTGRES_MODE = os.environ.get("FOLLOWUP_TEST_POSTGRES", "auto").strip().lower() or "auto"
POSTGRES_URL = os.environ.get("FOLLOWUP_TEST_POSTGRES_URL", "")
POSTGRES_BINDIR = os.environ.get("FOLLOWUP_TEST_PG_BINDIR")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and refuse an unknown FOLLOWUP_TEST_POSTGRES."""
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite; it does not run on PostgreSQL"
    )
    if POSTGRES_MODE not in ("auto", "require", "off"):
        raise pytest.UsageError(
            f"FOLLOWUP_TEST_POSTGRES is auto, require or off, not {POSTGRES_MODE!r}"
        )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses the store on each backend, unless it is SQLite-only."""
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return  # the backend fixture answers sqlite; the test keeps its plain name
    metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Return the backend this run of the test uses: sqlite or postgresql."""
    return str(getattr(request, "param", "sqlite"))


@dataclass
class PostgresDatabases:
    """Hand out fresh, migrated databases on one PostgreSQL server."""

    admin: Engine
    template: str
    prefix: str
    made: int = 0

    def new(self, *, migrated: bool = True) -> str:
        """Create a database, migrated or without any table, and return its URL."""
        self.made += 1
        name = f"{self.prefix}_{self.made}"
        # FILE_COPY: for a small template, copying files beats writing them to the WAL.
        template = f' TEMPLATE "{self.template}" STRATEGY FILE_COPY' if migrated else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a database made here; connections a test left open are closed."""
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def url(self, name: str) -> str:
        """Return the URL of a database on this server."""
        return self.admin.url.set(database=name).render_as_string(hide_password=False)


def _postgres_unavailable(reason: str) -> str:
    if POSTGRES_MODE == "require":
        pytest.fail(f"PostgreSQL is required (FOLLOWUP_TEST_POSTGRES=require): {reason}")
    return reason


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[PostgresDatabases | str]:
    """Return a source of PostgreSQL databases for this worker, or why there is none."""
    if POSTGRES_MODE == "off":
        yield "PostgreSQL is turned off (FOLLOWUP_TEST_POSTGRES=off)"
        return
    if importlib.util.find_spec("psycopg") is None:
        yield _postgres_unavailable("no PostgreSQL driver: pip install -e '.[postgres]'")
        return
    cluster: pgcluster.Cluster | None = None
    if POSTGRES_URL:
        server = POSTGRES_URL
    else:
        try:
            cluster = pgcluster.start(POSTGRES_BINDIR)
        except pgcluster.Unavailable as exc:
            yield _postgres_unavailable(str(exc))
            return
        request.addfinalizer(cluster.stop)
        server = cluster.url()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    prefix = f"followup_test_{uuid.uuid4().hex[:10]}"
    databases = PostgresDatabases(admin, f"{prefix}_template", prefix)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{databases.template}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        shown = make_url(server).render_as_string(hide_password=True)
        yield _postgres_unavailable(f"cannot create a database on {shown}: {exc}")
        return
    template = create_store_engine(databases.url(databases.template))
    template.dispose()  # a template must have no connections while it is copied
    try:
        yield databases
    finally:
        databases.drop(databases.url(databases.template))
        admin.dispose()


MakeDbUrl = Callable[..., str]


@pytest.fixture
def make_db_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[MakeDbUrl]:
    """Return a maker of fresh stores on the test's backend.

    A PostgreSQL one is a copy of the migrated template unless migrated=False, which gives
    a database without tables; a SQLite one is a file name, migrated when it is opened.
    """
    made: list[str] = []
    # Asked for only here, so a SQLite-only run never starts a server.
    server: PostgresDatabases | str | None = (
        request.getfixturevalue("postgres") if backend == "postgresql" else None
    )
    if isinstance(server, str):
        pytest.skip(server)

    def make(*, migrated: bool = True) -> str:
        if server is None:
            name = f"store{len(made)}.db" if made else "store.db"
            url = f"sqlite:///{tmp_path / name}"  # the file appears when it is opened
        else:
            url = server.new(migrated=migrated)
        made.append(url)
        return url

    yield make
    if isinstance(server, PostgresDatabases):
        for url in made:
            server.drop(url)


@pytest.fixture
def db_url(make_db_url: MakeDbUrl) -> str:
    """Return the URL of the test's fresh store (SQLite file or PostgreSQL database)."""
    return make_db_url()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Return a migrated engine on a fresh store."""
    eng = create_store_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def other(db_url: str, engine: Engine) -> Iterator[Engine]:
    """Return a second engine on the test's store: the other writer in a race."""
    made = create_store_engine(db_url)
    yield made
    made.dispose()


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(db_url: str) -> RunCli:
    """Return a function that runs followup's CLI against the test's store."""

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["--db", db_url, *args], input=input, catch_exceptions=False)

    return run


CASSETTES = Path(__file__).resolve().parent / "cassettes"


# Request headers a cost guarantee depends on: a poll is free only when it is conditional.
# A request must carry each of them exactly as the recorded one did (or neither does).
MATCHED_HEADERS = ("If-None-Match", "If-Modified-Since")


def matched_headers(sent: Any, recorded: Any) -> None:
    """Match two requests on MATCHED_HEADERS (a vcrpy matcher: raise when they differ)."""
    for name in MATCHED_HEADERS:
        ours, theirs = sent.headers.get(name), recorded.headers.get(name)
        if ours != theirs:
            raise AssertionError(f"{name}: sent {ours!r}, recorded {theirs!r}")


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Teach vcrpy the header matcher."""
    vcr.register_matcher("matched_headers", matched_headers)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, object]:
    """Replay GitHub exchanges; the token is replaced before anything is written.

    Bodies are matched too: a write or a query that differs from the recorded one fails;
    and so are the conditional headers: a poll that stopped being conditional (and would
    cost a rate-limit point every time) fails as well.
    """
    return {
        "filter_headers": [("authorization", "<redacted>")],
        "decode_compressed_response": True,
        "match_on": (
            "method",
            "scheme",
            "host",
            "port",
            "path",
            "query",
            "body",
            "matched_headers",
        ),
    }


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    """Name a test's cassette after the test, without its backend: both replay one file."""
    marker = request.node.get_closest_marker("default_cassette")
    if marker is not None:
        return str(marker.args[0])
    name = _without_backend(request.node.name)
    if request.cls is not None:
        name = f"{request.cls.__name__}.{name}"
    for char in r"<>?%*:|\"'/\\":
        name = name.replace(char, "-")
    return name


def _without_backend(name: str) -> str:
    base, bracket, ids = name.partition("[")
    if not bracket:
        return name
    kept = [part for part in ids.removesuffix("]").split("-") if part not in BACKENDS]
    return f"{base}[{'-'.join(kept)}]" if kept else base


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
