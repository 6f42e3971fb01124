"""Options every command takes, before or after its name, and the help's examples.

`followup --db X list` and `followup list --db X` mean the same: the group declares the
global options, and each command gets a copy whose value lands in the same CliContext
flags (the later one wins). --verbose logs to stderr through the `followup` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import click

from followup import __version__, logs
from followup.cli.context import CliContext

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
F = TypeVar("F", bound=Callable[..., Any])

# (flag, destination, metavar, help) of each option the group and every command take.
GLOBAL_OPTIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "--db",
        "database_url",
        "URL",
        "Database URL (SQLAlchemy form); default: SQLite in the user data folder.",
    ),
    ("--github-url", "github_url", "URL", "GitHub REST base URL, for Enterprise Server."),
)
VERBOSE_HELP = "Log what followup does to stderr (-vv for debug detail)."


def configure_logging(verbosity: int) -> None:
    """Send followup's log to stderr: info with -v, debug with -vv; nothing otherwise."""
    if verbosity <= 0:
        logs.stop_stderr()
        return
    logs.to_stderr(logging.DEBUG if verbosity > 1 else logging.INFO, fmt=LOG_FORMAT)


def group_options(command: F) -> F:
    """Add the global options to the group; their values reach its callback."""
    for flag, dest, metavar, help_text in reversed(GLOBAL_OPTIONS):
        command = click.option(flag, dest, metavar=metavar, help=help_text)(command)
    return click.option("--verbose", "-v", "verbose", count=True, help=VERBOSE_HELP)(command)


def _store_flag(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or param.name is None:
        return
    cli = ctx.find_object(CliContext)
    if cli is not None:
        cli.set_flag(param.name, value)


def _store_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        configure_logging(value)
        log_start(ctx)


def log_start(ctx: click.Context) -> None:
    """Log which command runs, once logging is on."""
    logging.getLogger("followup.cli").debug("followup %s: %s", __version__, ctx.command_path)


def add_global_options(command: click.Command) -> click.Command:
    """Let a command take the global options after its name (once; idempotent)."""
    names = {param.name for param in command.params}
    if "verbose" in names:
        return command
    for flag, dest, metavar, help_text in GLOBAL_OPTIONS:
        command.params.append(
            click.Option(
                [flag, dest],
                metavar=metavar,
                help=help_text,
                expose_value=False,
                callback=_store_flag,
            )
        )
    command.params.append(
        click.Option(
            ["--verbose", "-v", "verbose"],
            count=True,
            help=VERBOSE_HELP,
            expose_value=False,
            callback=_store_verbose,
        )
    )
    return command


def examples(*lines: str) -> str:
    """Return an epilog listing example command lines, kept as written by the help."""
    body = "\n".join(f"  {line}" for line in lines)
    return f"Examples:\n\n\b\n{body}"
