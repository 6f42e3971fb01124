"""Page long output at a terminal, as git does: through less, as it is written.

A command's output is held until it fills the screen; then the pager starts
(FOLLOWUP_PAGER, else PAGER, else less with LESS=FRX when LESS is unset) and everything
goes into its pipe as it is formed, so the first screen shows at once. Output that fits
the screen is written to the terminal as it would be without a pager, and no pager runs.
There is no pager when stdout or stdin is not a terminal, TERM is dumb, the pager is
empty or `cat`, or it cannot be started (the output is then written directly).

The user quitting the pager early ends the command quietly: the next write raises
PagerQuit, which is no Exception (so no `except Exception` on the way turns it into an
error) and paged() swallows. Whatever way the command ends, the pipe is closed and the
pager waited for, Ctrl-C ignored meanwhile (the pager has the terminal; as with git, an
interrupted command ends once the pager is quit).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, cast

from rich.cells import cell_len
from rich.console import Console

if TYPE_CHECKING:
    from followup.cli.context import CliContext

PAGER_VARIABLE = "FOLLOWUP_PAGER"
DEFAULT_PAGER = "less"
# Quit if one screen, keep colours, leave the text on the screen (git's default).
LESS_OPTIONS = "FRX"

_SGR = re.compile(r"\x1b\[[0-9;]*m")


# A BaseException, as KeyboardInterrupt: a signal to stop, which no handler of errors takes.
class PagerQuit(BaseException):
    """The pager went away before the output ended (the user quit it)."""


def pager_command(env: Mapping[str, str]) -> list[str] | None:
    """Return the pager's command and arguments (split as a shell would), or None for none."""
    value = env.get(PAGER_VARIABLE)
    if value is None:
        value = env.get("PAGER", DEFAULT_PAGER)
    try:
        words = shlex.split(value)
    except ValueError:
        return None
    if not words or words == ["cat"]:
        return None
    return words


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def wanted(console: Console, env: Mapping[str, str]) -> list[str] | None:
    """Return the pager to write the console's output through, or None to write directly."""
    if console.file is not sys.stdout or not console.is_terminal:
        return None
    if not _is_terminal(sys.stdout) or not _is_terminal(sys.stdin):
        return None
    if env.get("TERM", "").lower() == "dumb":
        return None
    return pager_command(env)


class PagedOutput:
    """A text stream to the terminal that becomes a pager's pipe once a screen is full."""

    def __init__(
        self,
        terminal: IO[str],
        command: list[str],
        width: int,
        height: int,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.terminal = terminal
        self.command = command
        self.width = max(1, width)
        self.height = max(1, height)
        self.env = dict(os.environ if env is None else env)
        # The text is written in the terminal's encoding (Rich reads it as a stream's).
        self.encoding: str = getattr(terminal, "encoding", None) or "utf-8"
        self.errors: str = getattr(terminal, "errors", None) or "strict"
        self.held: list[str] = []
        self.rows = 0  # screen rows the held text takes, once its lines wrap
        self.column = 0  # cells on the held text's unfinished line
        self.pager: subprocess.Popen[bytes] | None = None
        self.pipe: int | None = None
        self.direct = False  # the pager could not be started
        self.gone = False  # the pager went away
        self.lock = threading.Lock()

    def isatty(self) -> bool:
        """Tell the truth about the destination: a terminal, through the pager or not."""
        return True

    def writable(self) -> bool:
        """Accept writes."""
        return True

    def write(self, text: str) -> int:
        """Hold text until a screen is full, then send it and the rest to the pager."""
        with self.lock:
            if self.pipe is not None:
                self._send(text)
            elif self.gone:
                raise PagerQuit
            elif self.direct:
                self.terminal.write(text)
            else:
                self.held.append(text)
                if self._fills(text):
                    self._start()
        return len(text)

    def flush(self) -> None:
        """Flush the terminal when writing to it (the pipe is never buffered)."""
        if self.direct:
            self.terminal.flush()

    def _fills(self, text: str) -> bool:
        """Count the screen rows of text's lines; tell whether the held text fills a screen."""
        # Each line takes a row at least: no more lines than a screen's need splitting.
        parts = text.split("\n", self.height)
        for line in parts[:-1]:
            cells = self.column + _cells(line)
            self.rows += max(1, -(-cells // self.width))
            self.column = 0
            if self.rows >= self.height:
                return True
        self.column += _cells(parts[-1])
        return False

    def _start(self) -> None:
        """Start the pager and give it the held text; write directly if it cannot start."""
        env = dict(self.env)
        env.setdefault("LESS", LESS_OPTIONS)
        self.terminal.flush()
        try:
            self.pager = subprocess.Popen(self.command, stdin=subprocess.PIPE, env=env)
        except (OSError, ValueError):
            self.direct = True
            self.terminal.write("".join(self.held))
            self.held.clear()
            return
        assert self.pager.stdin is not None
        self.pipe = self.pager.stdin.fileno()
        held = "".join(self.held)
        self.held.clear()
        self._send(held)

    def _send(self, text: str) -> None:
        """Write all of text to the pager, or raise PagerQuit if it has gone."""
        assert self.pipe is not None
        view = memoryview(text.encode(self.encoding, self.errors))
        try:
            while view:
                view = view[os.write(self.pipe, view) :]
        except (BrokenPipeError, ConnectionResetError):
            self._close_pipe()
            self.gone = True
            raise PagerQuit from None

    def _close_pipe(self) -> None:
        if self.pager is not None and self.pager.stdin is not None:
            with contextlib.suppress(OSError):
                self.pager.stdin.close()
        self.pipe = None

    def end(self) -> None:
        """Write held text that fit a screen; or close the pipe and wait for the pager."""
        with self.lock:
            if self.pager is None:
                if self.held:
                    self.terminal.write("".join(self.held))
                    self.held.clear()
                with contextlib.suppress(OSError, ValueError):
                    self.terminal.flush()
                return
            self._close_pipe()
            self.gone = True
            _wait_ignoring_interrupts(self.pager)


def _cells(line: str) -> int:
    """Return how many terminal cells a line of output takes, its colour codes aside."""
    if "\x1b" in line:
        line = _SGR.sub("", line)
    return len(line) if line.isascii() and line.isprintable() else cell_len(line)


def _wait_ignoring_interrupts(process: subprocess.Popen[bytes]) -> None:
    """Wait for the pager, Ctrl-C ignored: it has the terminal until the user quits it."""
    if threading.current_thread() is not threading.main_thread():
        process.wait()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def paged(cli: CliContext, *, enabled: bool = True) -> Iterator[None]:
    """Send what the block prints on cli.out through a pager when it is long, at a terminal."""
    console = cli.out
    command = wanted(console, os.environ) if enabled else None
    if command is None:
        yield
        return
    stream = PagedOutput(sys.stdout, command, console.width, console.height)
    cli.out = Console(
        file=cast("IO[str]", stream),
        width=console.width,
        height=console.height,
        color_system=cast("Any", console.color_system),
        force_terminal=True,
        no_color=console.no_color,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    try:
        yield
    except PagerQuit:
        pass
    finally:
        cli.out = console
        stream.end()
