"""The command line: one group, thin commands over the core functions."""

from __future__ import annotations

import os
from typing import Any

import click
from click_default_group import DefaultGroup

from followup import __version__
from followup.cli.context import CliContext
from followup.errors import FollowupError

# Unexpected failures exit with this code (EX_SOFTWARE), distinct from a user's error.
INTERNAL_ERROR_EXIT = 70


class FollowupGroup(DefaultGroup):  # type: ignore[misc]
    """A group that turns errors into one line and an exit code, never a traceback."""

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
            detail = " ".join(str(exc).split()) or type(exc).__name__
            click.echo(
                f"error: unexpected {type(exc).__name__}: {detail} "
                "(set FOLLOWUP_DEBUG=1 to see where)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR_EXIT)


@click.group(cls=FollowupGroup, default="tui", default_if_no_args=True)
@click.version_option(__version__, prog_name="followup")
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Database URL (SQLAlchemy form); default: SQLite in the user data folder.",
)
@click.option("--github-url", metavar="URL", help="GitHub REST base URL, for Enterprise Server.")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, github_url: str | None) -> None:
    """Turn post-mortem action items into tracked work, and keep track of it.

    Run without a command to open the terminal UI.
    """
    state = CliContext(flags={"database_url": database_url, "github_url": github_url})
    ctx.obj = state
    ctx.call_on_close(state.close)


def _register() -> None:
    from followup.cli import config_cmd, edit_cmd, file_cmd, items, protect_cmd, sync_cmd, tui_cmd

    for command in (
        items.import_command,
        items.list_command,
        items.show_command,
        file_cmd.file_command,
        config_cmd.config_command,
        protect_cmd.protect_command,
        protect_cmd.verify_command,
        sync_cmd.sync_command,
        *edit_cmd.COMMANDS,
        tui_cmd.tui_command,
    ):
        cli.add_command(command)


_register()


def main() -> None:
    """Run the command line (the `followup` console script)."""
    cli(prog_name="followup")
