"""followup's log: one `followup` logger that the libraries it uses log through.

Nothing is printed unless a handler is added to the `followup` logger (the CLI's
--verbose does). urllib3 (under requests) logs on loggers of its own,
which would reach stderr through Python's last-resort handler; their records are
handed to `followup.lib.<name>` instead, so they show with --verbose and only then.
A library's message has the tokens in use masked and its control characters made
visible before it is handed on; followup's own messages never hold a token.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TextIO

from followup.text import clean

LOGGER_NAME = "followup"
LIBRARIES = ("urllib3",)
MASK = "<token>"

logger = logging.getLogger(LOGGER_NAME)
# A library's logger: silent unless the application adds a handler.
logger.addHandler(logging.NullHandler())

_secrets: set[str] = set()
_lock = threading.Lock()


def mask(secret: str) -> None:
    """Mask a secret (a token) in every message logged from now on."""
    if len(secret) >= 8:
        with _lock:
            _secrets.add(secret)


def redact(message: str) -> str:
    """Return a message with every known secret masked and control characters visible."""
    for secret in list(_secrets):
        if secret in message:
            message = message.replace(secret, MASK)
    return clean(message)


class _Forward(logging.Handler):
    """Hand a library's records to the matching `followup.lib.<name>` logger."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(f"{LOGGER_NAME}.lib.{record.name}")
        if target.isEnabledFor(record.levelno):
            record.msg = redact(record.getMessage())
            record.args = None
            record.name = target.name
            target.handle(record)


def route_library_logs() -> None:
    """Send the libraries' records through followup's logger (idempotent)."""
    with _lock:
        for name in LIBRARIES:
            library = logging.getLogger(name)
            if not any(isinstance(h, _Forward) for h in library.handlers):
                library.addHandler(_Forward())
                library.propagate = False
    # The libraries build their records only at the level followup would show.
    level = logger.getEffectiveLevel()
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(level)


class _Stderr(logging.StreamHandler[TextIO]):
    """Write to sys.stderr as it is when a record is logged (a test may swap it)."""

    @property
    def stream(self) -> TextIO:
        """Return the current stderr."""
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """Ignore: the handler always follows sys.stderr."""


def to_stderr(level: int = logging.DEBUG, fmt: str = "%(name)s: %(message)s") -> None:
    """Show followup's log (the libraries' included) on stderr, from level up."""
    stop_stderr()
    handler = _Stderr()
    handler.setFormatter(logging.Formatter(fmt, datefmt="%H:%M:%S"))
    logger.addHandler(handler)
    logger.setLevel(level)
    route_library_logs()


def stop_stderr() -> None:
    """Stop showing the log on stderr."""
    for handler in list(logger.handlers):
        if isinstance(handler, _Stderr):
            logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    route_library_logs()
