"""A throwaway PostgreSQL server for tests and benchmarks: started, used, removed.

The server listens on a Unix socket in its own folder only (no TCP at all), trusts local
connections, and keeps its data in a temporary folder. As root it runs as the `postgres`
system user (initdb refuses root). Each cluster's folder is named after the process that
started it, so a run killed before it could clean up is cleaned by the next one.

Run as a script (standard library only, so before any virtualenv exists) it starts a
server for a shell script and stops it again: `.ci/run` does so for the whole suite.

    python3 tests/pgcluster.py start --owner-pid PID   # prints: ROOT URL
    python3 tests/pgcluster.py stop ROOT
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Where every throwaway cluster lives, one folder each, so stale ones can be found.
PARENT = Path(tempfile.gettempdir()) / f"followup-pg-{os.getuid()}"
SERVICE_USER = "postgres"
# The socket folder is the cluster's own, so the port number only names the socket file.
PORT = 5432

# Settings for a server whose data is disposable: durability off, small footprint.
SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c shared_buffers=32MB -c log_min_messages=warning"
)


class Unavailable(RuntimeError):
    """Say why no throwaway server can be started on this machine."""


def find_bindir(given: str | None = None) -> Path:
    """Return the folder holding initdb and pg_ctl (given, or found), or raise Unavailable."""
    if given:
        candidates = [Path(given)]
    else:
        on_path = shutil.which("initdb")
        candidates = [Path(on_path).parent] if on_path else []
        # Debian and Ubuntu keep the server binaries off PATH, one folder per version.
        candidates += sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise Unavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl) found: install them, set "
        "FOLLOWUP_TEST_PG_BINDIR, or point FOLLOWUP_TEST_POSTGRES_URL at a server"
    )


def _run_as() -> pwd.struct_passwd | None:
    """Return the user the server must run as, or None for the current user."""
    if os.geteuid() != 0:
        return None
    try:
        user = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise Unavailable(
            f"running as root and there is no {SERVICE_USER!r} user to run PostgreSQL as"
        ) from None
    if _runuser() is None:
        raise Unavailable("running as root and there is no runuser to run PostgreSQL with")
    return user


def _runuser() -> str | None:
    return shutil.which("runuser", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Cluster:
    """One running throwaway server; `url(db)` names a database on it."""

    bindir: Path
    root: Path
    port: int
    user: pwd.struct_passwd | None
    _stopped: bool = field(default=False, repr=False)

    @property
    def data(self) -> Path:
        """Return the data directory."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """Return the folder holding the server's Unix socket."""
        return self.root / "sock"

    def url(self, database: str = "postgres") -> str:
        """Return a SQLAlchemy URL for a database on this server."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def stop(self) -> None:
        """Stop the server and delete its folder; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        _stop_and_remove(self.bindir, self.root, self.user)


def _command(user: pwd.struct_passwd | None, *args: str) -> list[str]:
    if user is None:
        return list(args)
    return [_runuser() or "runuser", "-u", user.pw_name, "--", *args]


def _stop_and_remove(bindir: Path, root: Path, user: pwd.struct_passwd | None) -> None:
    if (root / "data" / "postmaster.pid").exists():
        pg_ctl = str(bindir / "pg_ctl")
        subprocess.run(
            _command(user, pg_ctl, "-D", str(root / "data"), "-m", "immediate", "-w", "stop"),
            capture_output=True,
            check=False,
            timeout=60,
        )
    shutil.rmtree(root, ignore_errors=True)


def remove_stale(bindir: Path) -> None:
    """Stop and delete clusters whose starting process is gone."""
    if not PARENT.is_dir():
        return
    user = _run_as()
    for root in PARENT.iterdir():
        # The folder is named after the process that started it: pid-random.
        pid = root.name.split("-", 1)[0]
        if pid.isdigit() and _pid_alive(int(pid)):
            continue
        _stop_and_remove(bindir, root, user)


def start(bindir_hint: str | None = None, *, owner_pid: int | None = None) -> Cluster:
    """Initialise and start a throwaway server listening on a Unix socket of its own.

    The server belongs to this process and stops when it exits, or to owner_pid: it is
    then left running for that process, and removed as stale once that one is gone.
    """
    bindir = find_bindir(bindir_hint)
    user = _run_as()
    remove_stale(bindir)
    PARENT.mkdir(mode=0o755, exist_ok=True)
    root = PARENT / f"{owner_pid or os.getpid()}-{uuid.uuid4().hex[:8]}"
    root.mkdir(mode=0o700)
    (root / "sock").mkdir()
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
        os.chown(root / "sock", user.pw_uid, user.pw_gid)
    cluster = Cluster(bindir=bindir, root=root, port=PORT, user=user)
    if owner_pid is None:
        atexit.register(cluster.stop)
    try:
        _check(
            _command(
                user,
                str(bindir / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ),
            "initdb",
        )
        options = f"-c listen_addresses='' -k {cluster.socket_dir} -p {PORT} {SERVER_OPTIONS}"
        _check(
            _command(
                user,
                str(bindir / "pg_ctl"),
                "-D",
                str(cluster.data),
                "-l",
                str(root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ),
            "pg_ctl start",
            log=root / "server.log",
        )
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _check(command: list[str], what: str, *, log: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        if log is not None and log.exists():
            detail += log.read_text(errors="replace").strip().splitlines()
        raise Unavailable(f"{what} failed: {' / '.join(detail[-3:]) or done.returncode}")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def running(bindir_hint: str | None = None) -> Iterator[Cluster]:
    """Run a throwaway server for the duration of a with block."""
    cluster = start(bindir_hint)
    # A terminating signal must still run the clean-up below.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield cluster
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    """Start a server for a shell script (print its folder and URL), or stop one."""
    parser = argparse.ArgumentParser(prog="pgcluster", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    begin = commands.add_parser("start")
    begin.add_argument("--owner-pid", type=int, required=True)
    begin.add_argument("--bindir")
    end = commands.add_parser("stop")
    end.add_argument("root", type=Path)
    end.add_argument("--bindir")
    args = parser.parse_args(argv)
    try:
        bindir = find_bindir(args.bindir)
        if args.command == "start":
            cluster = start(str(bindir), owner_pid=args.owner_pid)
            print(cluster.root, cluster.url())
        elif args.root.parent == PARENT:  # never remove a folder this module did not make
            _stop_and_remove(bindir, args.root, _run_as())
    except Unavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
