"""Long output at a terminal goes through a pager, as it is formed (cli/pager.py).

The pager here is tests/cli/fake_pager.py (named by FOLLOWUP_PAGER), which records what
it reads; `followup list` runs on a pseudo-terminal of its own (stdin and stdout), in raw
mode so that the bytes read back are the bytes written. The autouse fixture sets
FOLLOWUP_PAGER=cat: no test starts the developer's pager.
"""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import tty
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from followup.cli import list_cmd, pager
from followup.cli.context import CliContext
from followup.cli.pager import PagedOutput, PagerQuit

FAKE_PAGER = Path(__file__).with_name("fake_pager.py")
ROWS, COLUMNS = 12, 100
ITEMS = 1500  # some 200 KB of tables: more than a pipe holds, so an early quit is seen


def fake_pager(record: Path, *options: str) -> str:
    """Return FOLLOWUP_PAGER's value for the fake pager recording into record."""
    return " ".join([sys.executable, str(FAKE_PAGER), str(record), *options])


# -- the stream, in this process ------------------------------------------------------------


def stream(command: list[str], width: int = 40, height: int = 10) -> PagedOutput:
    return PagedOutput(io.StringIO(), command, width, height, env={})


def test_output_that_fits_the_screen_is_written_directly(tmp_path: Path) -> None:
    record = tmp_path / "record"
    out = stream([sys.executable, str(FAKE_PAGER), str(record)], height=10)
    text = "".join(f"line {n}\n" for n in range(9))  # nine lines and the prompt's
    out.write(text[:20])
    out.write(text[20:])
    out.end()
    assert out.terminal.getvalue() == text  # type: ignore[attr-defined]
    assert not record.exists()  # no pager was started


def test_output_longer_than_the_screen_goes_whole_to_the_pager(tmp_path: Path) -> None:
    record = tmp_path / "record"
    out = stream([sys.executable, str(FAKE_PAGER), str(record)], height=10)
    text = "".join(f"line {n} 把告警\n" for n in range(500))
    for start in range(0, len(text), 77):
        out.write(text[start : start + 77])
    out.end()
    assert out.terminal.getvalue() == ""  # type: ignore[attr-defined]
    assert record.read_bytes() == text.encode()
    assert record.with_suffix(".end").read_text() == "eof"
    assert out.pager is not None and out.pager.returncode == 0  # waited for


def test_lines_wider_than_the_terminal_take_the_rows_they_wrap_to(tmp_path: Path) -> None:
    record = tmp_path / "record"
    out = stream([sys.executable, str(FAKE_PAGER), str(record)], width=40, height=10)
    # Colour codes take no cells: each line is 41 cells, two rows; five of them fill ten.
    line = "\x1b[1m" + "x" * 41 + "\x1b[0m\n"
    out.write(line * 4)
    held = out.pager is None
    out.write(line)
    assert held and out.pager is not None
    out.end()
    assert record.read_bytes() == (line * 5).encode()


def test_a_pager_that_cannot_start_leaves_the_output_to_the_terminal(tmp_path: Path) -> None:
    out = stream([str(tmp_path / "no-such-pager")], height=5)
    text = "".join(f"line {n}\n" for n in range(50))
    out.write(text[:100])
    out.write(text[100:])
    out.end()
    assert out.terminal.getvalue() == text  # type: ignore[attr-defined]


def test_a_pager_quit_early_stops_the_writing(tmp_path: Path) -> None:
    record = tmp_path / "record"
    out = stream([sys.executable, str(FAKE_PAGER), str(record), "--quit-after", "3"], height=5)
    line = "a line of output that goes on for a while\n"
    written = 0
    with pytest.raises(PagerQuit):
        while written < 50_000_000:  # far more than a pipe holds
            out.write(line * 100)
            written += 100
    with pytest.raises(PagerQuit):  # and stays stopped
        out.write(line)
    out.end()
    assert record.with_suffix(".end").read_text() == "quit"
    assert out.pager is not None and out.pager.returncode == 0


def test_a_list_stopped_half_way_closes_its_reading_at_once() -> None:
    # list_cmd closes the rows' generators (their fetching thread, their cursor) while
    # the store is still open, not when the stopping exception is let go.
    closed: list[bool] = []

    def read(suggested: bool) -> Iterator[int]:
        try:
            yield from range(10)
        finally:
            closed.append(suggested)

    def write(items: Iterable[int]) -> int:
        for _ in items:
            raise PagerQuit
        return 0

    with pytest.raises(PagerQuit) as stopped:
        list_cmd._apart(CliContext(), read, write)
    # Closed already, while its exception (and the frames that hold it) still lives.
    assert stopped.traceback and closed == [False]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["less"]),
        ({"PAGER": "more -d"}, ["more", "-d"]),
        ({"PAGER": "more", "FOLLOWUP_PAGER": "most -s 'a b'"}, ["most", "-s", "a b"]),
        ({"PAGER": "more", "FOLLOWUP_PAGER": ""}, None),
        ({"FOLLOWUP_PAGER": "cat"}, None),
        ({"PAGER": "cat"}, None),
        ({"PAGER": ""}, None),
        ({"FOLLOWUP_PAGER": "less 'unclosed"}, None),
    ],
)
def test_the_pager_is_followups_own_then_the_usual_one_then_less(
    env: dict[str, str], expected: list[str] | None
) -> None:
    assert pager.pager_command(env) == expected


# -- followup list at a terminal ------------------------------------------------------------


@dataclass
class Run:
    code: int
    terminal: bytes  # what reached the terminal directly
    stderr: str


@pytest.fixture(scope="module")
def long_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a SQLite store of one post-mortem with ITEMS items."""
    folder = tmp_path_factory.mktemp("pager")
    document = folder / "2026-05-01-long.md"
    actions = "\n".join(
        f"- [ ] Action {n}: drain the queue backlog of shard {n} Owner: @kim "
        f"Due: 2026-0{1 + n % 9}-15"
        for n in range(ITEMS)
    )
    document.write_text(
        f"---\ntitle: A long incident\ndate: 2026-05-01\n---\n\n# A long incident\n\n"
        f"## Action items\n\n{actions}\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{folder / 'store.db'}"
    env = _clean_env(folder)
    subprocess.run(
        [sys.executable, "-m", "followup", "--db", url, "import", str(document)],
        env=env,
        check=True,
        capture_output=True,
    )
    return url


def _clean_env(home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FOLLOWUP_") and key not in ("COLUMNS", "LINES", "LESS", "PAGER")
    }
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TERM="xterm-256color")
    env.update(XDG_DATA_HOME=str(home / ".data"), FOLLOWUP_PAGER="cat")  # never the real one
    return env


def run_at_terminal(
    url: str,
    *args: str,
    env: Mapping[str, str],
    stdin_terminal: bool = True,
    stdout_terminal: bool = True,
    command: str = "list",
) -> Run:
    """Run `followup list` (or command) on a pseudo-terminal of its own; return what it got."""
    main, side = pty.openpty()
    tty.setraw(side)  # no line ends translated: the bytes are the ones written
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    got = bytearray()

    def drain() -> None:
        try:
            while data := os.read(main, 1 << 16):
                got.extend(data)
        except OSError:  # EIO: the terminal's last writer has gone
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    # A session of its own: a Ctrl-C the fake pager sends reaches it and followup only.
    proc = subprocess.Popen(
        [sys.executable, "-m", "followup", "--db", url, command, *args],
        stdin=side if stdin_terminal else subprocess.DEVNULL,
        stdout=side if stdout_terminal else subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
    )
    os.close(side)
    try:
        piped, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=10)
    os.close(main)
    return Run(proc.returncode, bytes(got) + (piped or b""), stderr.decode())


@pytest.fixture
def term_env(tmp_path: Path) -> dict[str, str]:
    return _clean_env(tmp_path)


def test_a_long_list_goes_whole_to_the_pager_byte_for_byte(
    long_store: str, term_env: dict[str, str], tmp_path: Path
) -> None:
    direct = run_at_terminal(long_store, "--no-pager", env=term_env)
    record = tmp_path / "record"
    paged = run_at_terminal(long_store, env={**term_env, "FOLLOWUP_PAGER": fake_pager(record)})
    assert (direct.code, paged.code) == (0, 0)
    assert paged.stderr == ""
    assert paged.terminal == b""
    assert record.read_bytes() == direct.terminal
    # The tables of a terminal: coloured, laid out to its width, the summary at the end.
    text = direct.terminal.decode()
    assert "\x1b[1mID" in text and f"{ITEMS} items" in text.splitlines()[-2]
    assert max(len(line) for line in text.splitlines() if "\x1b" not in line) <= COLUMNS
    assert record.with_suffix(".less").read_text() == "FRX"


def test_the_usual_pager_and_less_options_are_taken_as_given(
    long_store: str, term_env: dict[str, str], tmp_path: Path
) -> None:
    record = tmp_path / "record"
    env = {**term_env, "PAGER": fake_pager(record), "LESS": "-R"}
    del env["FOLLOWUP_PAGER"]
    assert run_at_terminal(long_store, env=env).code == 0
    assert record.with_suffix(".less").read_text() == "-R"
    assert record.with_suffix(".end").read_text() == "eof"


def test_quitting_the_pager_early_ends_the_list_quietly(
    long_store: str, term_env: dict[str, str], tmp_path: Path
) -> None:
    record = tmp_path / "record"
    env = {**term_env, "FOLLOWUP_PAGER": fake_pager(record, "--quit-after", "5")}
    run = run_at_terminal(long_store, env=env)
    assert run.code == 0
    assert run.stderr == ""  # no traceback, no "error:", no "Exception ignored"
    assert run.terminal == b""
    assert record.with_suffix(".end").read_text() == "quit"
    assert 0 < len(record.read_bytes()) < 100_000


def test_ctrl_c_ends_the_list_once_the_pager_is_done(
    long_store: str, term_env: dict[str, str], tmp_path: Path
) -> None:
    record = tmp_path / "record"
    env = {**term_env, "FOLLOWUP_PAGER": fake_pager(record, "--interrupt-after", "5")}
    run = run_at_terminal(long_store, env=env)
    # As git: the pager reads on to the end of what was sent, and followup then stops.
    assert record.with_suffix(".end").read_text() == "eof"
    assert run.code == 130
    assert run.stderr == "error: interrupted\n"
    assert run.terminal == b""


def test_a_missing_pager_leaves_the_list_to_the_terminal(
    long_store: str, term_env: dict[str, str], tmp_path: Path
) -> None:
    direct = run_at_terminal(long_store, "--no-pager", env=term_env)
    env = {**term_env, "FOLLOWUP_PAGER": str(tmp_path / "no-such-pager")}
    run = run_at_terminal(long_store, env=env)
    assert (run.code, run.stderr) == (0, "")
    assert run.terminal == direct.terminal


@pytest.mark.parametrize(
    ("args", "stdin_terminal", "stdout_terminal", "extra"),
    [
        (("--no-pager",), True, True, {}),
        ((), True, False, {}),
        ((), False, True, {}),
        ((), True, True, {"TERM": "dumb"}),
        (("--format", "json"), True, True, {}),
    ],
    ids=["no-pager", "stdout-piped", "stdin-not-a-terminal", "dumb-terminal", "json"],
)
def test_no_pager_when_it_is_not_wanted(
    long_store: str,
    term_env: dict[str, str],
    tmp_path: Path,
    args: tuple[str, ...],
    stdin_terminal: bool,
    stdout_terminal: bool,
    extra: dict[str, str],
) -> None:
    record = tmp_path / "record"
    env = {**term_env, "FOLLOWUP_PAGER": fake_pager(record), **extra}
    run = run_at_terminal(
        long_store,
        *args,
        env=env,
        stdin_terminal=stdin_terminal,
        stdout_terminal=stdout_terminal,
    )
    assert run.code == 0
    assert not record.exists()
    assert run.terminal.count(b"\n") > ITEMS  # all of it, directly


def test_a_short_list_is_written_directly(
    long_store: str, term_env: dict[str, str], tmp_path: Path
) -> None:
    record = tmp_path / "record"
    env = {**term_env, "FOLLOWUP_PAGER": fake_pager(record)}
    run = run_at_terminal(long_store, "--search", "Action 7:", env=env)
    assert run.code == 0
    assert b"Action 7:" in run.terminal and b"1 item" in run.terminal
    assert not record.exists()


def test_a_long_report_goes_to_the_pager_too(
    long_store: str, term_env: dict[str, str], tmp_path: Path
) -> None:
    direct = run_at_terminal(long_store, "--no-pager", env=term_env, command="report")
    record = tmp_path / "record"
    env = {**term_env, "FOLLOWUP_PAGER": fake_pager(record)}
    paged = run_at_terminal(long_store, env=env, command="report")
    assert (direct.code, paged.code) == (0, 0)
    assert direct.terminal.count(b"\n") > ROWS
    assert paged.terminal == b""
    assert record.read_bytes() == direct.terminal
