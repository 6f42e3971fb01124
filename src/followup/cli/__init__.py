"""The command line: one group, thin commands over the core functions."""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from followup import __version__, logs
from followup.cli.context import CliContext
from followup.errors import FollowupError
from followup.text import clean

# Unexpected failures exit with this code (EX_SOFTWARE), distinct from a user's error.
INTERNAL_ERROR_EXIT = 70


# Each command's module is imported only when the command runs (or help lists it): a bare
# `followup` opening the TUI should not pay for requests, Alembic or the other commands.
COMMANDS: dict[str, str] = {
    "import": "followup.cli.items:import_command",
    "list": "followup.cli.items:list_command",
    "show": "followup.cli.items:show_command",
    "file": "followup.cli.file_cmd:file_command",
    "protect": "followup.cli.protect_cmd:protect_command",
    "verify": "followup.cli.protect_cmd:verify_command",
    "sync": "followup.cli.sync_cmd:sync_command",
    "close": "followup.cli.edit_cmd:close_command",
    "reopen": "followup.cli.edit_cmd:reopen_command",
    "assign": "followup.cli.edit_cmd:assign_command",
    "due": "followup.cli.edit_cmd:due_command",
    "priority": "followup.cli.edit_cmd:priority_command",
    "config": "followup.cli.config_cmd:config_command",
    "tui": "followup.cli.tui_cmd:tui_command",
}


class FollowupGroup(click.Group):
    """Load commands lazily; turn errors into one line and an exit code, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command's name."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command, or None for an unknown name."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, reporting failures in one line."""
        try:
            return super().invoke(ctx)
        except FollowupError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if os.environ.get("FOLLOWUP_DEBUG"):
                raise
            detail = clean(" ".join(str(exc).split())) or type(exc).__name__
            click.echo(
                f"error: unexpected {type(exc).__name__}: {detail} "
                "(set FOLLOWUP_DEBUG=1 to see where)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR_EXIT)


@click.group(cls=FollowupGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="followup")
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Database URL (SQLAlchemy form); default: SQLite in the user data folder.",
)
@click.option("--github-url", metavar="URL", help="GitHub REST base URL, for Enterprise Server.")
@click.option("--verbose", "-v", is_flag=True, help="Log what followup sends to GitHub on stderr.")
@click.pass_context
def cli(
    ctx: click.Context, database_url: str | None, github_url: str | None, verbose: bool
) -> None:
    """Turn post-mortem action items into tracked work, and keep track of it.

    Run without a command to open the terminal UI.
    """
    if verbose:
        logs.to_stderr()
        ctx.call_on_close(logs.stop_stderr)
    state = CliContext(flags={"database_url": database_url, "github_url": github_url})
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        tui = cli.get_command(ctx, "tui")
        assert tui is not None
        ctx.invoke(tui)


def main() -> None:
    """Run the command line (the `followup` console script)."""
    cli(prog_name="followup")
