"""The command line: one group, thin commands over the core functions.

What commands share lives in modules of its own, so no command imports another:
context (settings, store, consoles), options (global options, examples), reporting (the
plain / table / JSON report of a run), progress and interrupts (the bar, Ctrl-C), exits
(the exit-code table), printing (lines that survive pipes), repos (--repo and git remotes).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from followup import __version__
from followup.cli import exits
from followup.cli.context import CliContext
from followup.cli.exits import ExitCode
from followup.cli.options import (
    add_global_options,
    configure_logging,
    examples,
    group_options,
    log_start,
)
from followup.cli.suggest import did_you_mean
from followup.errors import FollowupError
from followup.text import clean

# Kept for callers that name it; the table is cli/exits.py.
INTERNAL_ERROR_EXIT = int(ExitCode.INTERNAL)

# Each command's module is imported only when the command runs (or help lists it): a bare
# `followup` opening the TUI should not pay for requests, Alembic or the other commands.
COMMANDS: dict[str, str] = {
    "import": "followup.cli.import_cmd:import_command",
    "list": "followup.cli.list_cmd:list_command",
    "show": "followup.cli.show_cmd:show_command",
    "file": "followup.cli.file_cmd:file_command",
    "protect": "followup.cli.protect_cmd:protect_command",
    "verify": "followup.cli.protect_cmd:verify_command",
    "sync": "followup.cli.sync_cmd:sync_command",
    "close": "followup.cli.edit_cmd:close_command",
    "reopen": "followup.cli.edit_cmd:reopen_command",
    "assign": "followup.cli.edit_cmd:assign_command",
    "due": "followup.cli.edit_cmd:due_command",
    "priority": "followup.cli.edit_cmd:priority_command",
    "accept": "followup.cli.accept_cmd:accept_command",
    "dismiss": "followup.cli.dismiss_cmd:dismiss_command",
    "forget": "followup.cli.forget_cmd:forget_command",
    "report": "followup.cli.report_cmd:report_command",
    "remind": "followup.cli.remind_cmd:remind_command",
    "config": "followup.cli.config_cmd:config_command",
    "ci": "followup.cli.ci_cmd:ci_command",
    "tui": "followup.cli.tui_cmd:tui_command",
}


def one_line(message: str) -> str:
    """Return a message as the one lower-case line `error: …` carries."""
    text = " ".join(message.split()).removesuffix(".")
    first, _, rest = text.partition(" ")
    # "Missing argument" reads "missing argument"; "GitHub" and "URL" keep their capitals.
    if first[:1].isupper() and first[1:].islower():
        text = first.lower() + (f" {rest}" if rest else "")
    return text


def _usage_message(exc: click.ClickException) -> str:
    if isinstance(exc, click.NoSuchOption):
        hint = did_you_mean(exc.option_name, exc.possibilities or ())
        text = f"no such option: {exc.option_name}{hint}"
    else:
        text = one_line(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        text += f" (see '{ctx.command_path} --help')"
    return text


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
        return add_global_options(command)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Find the command args name, or fail saying which command was probably meant."""
        name = args[0]
        if name not in COMMANDS and not name.startswith("-") and not ctx.resilient_parsing:
            raise click.UsageError(f"no such command {name!r}{did_you_mean(name, COMMANDS)}", ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every command with the whole first paragraph of its help, never cut."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            first = inspect.cleandoc(command.help or "").split("\n\n")[0]
            rows.append((name, " ".join(first.split())))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, reporting failures in one line."""
        try:
            return super().invoke(ctx)
        except FollowupError as exc:
            self._fail(ctx, one_line(str(exc)), exits.exit_code_for(exc))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            self._fail(ctx, "interrupted", ExitCode.CANCELLED)
        except Exception as exc:
            if os.environ.get("FOLLOWUP_DEBUG"):
                raise
            detail = clean(" ".join(str(exc).split())) or type(exc).__name__
            self._fail(
                ctx,
                f"internal error ({type(exc).__name__}: {detail}); please report it "
                "(set FOLLOWUP_DEBUG=1 to see where)",
                ExitCode.INTERNAL,
            )

    def _fail(self, ctx: click.Context, message: str, code: ExitCode) -> NoReturn:
        click.echo(f"error: {message}", err=True)
        state = ctx.find_object(CliContext)
        if state is not None and state.report is not None:
            # A JSON report still ends as a document, carrying the error.
            state.report.fail(message, code)
        ctx.exit(int(code))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; click's own errors are one `error: …` line too."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            click.echo(f"error: {_usage_message(exc)}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("error: cancelled", err=True)
            sys.exit(int(ExitCode.CANCELLED))
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=FollowupGroup,
    invoke_without_command=True,
    epilog=examples(
        "followup import docs/postmortems/*.md",
        "followup list --owner @dana",
        "followup file docs/postmortems/2019-12-05-gh-pages.md --dry-run",
        "followup sync --watch 5m",
    )
    + "\n\nGlobal options (--db, --github-url, --verbose) go before or after the command.\n\n"
    + exits.epilog(),
)
@click.version_option(__version__, prog_name="followup")
@group_options
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, github_url: str | None, verbose: int) -> None:
    """Turn post-mortem action items into tracked work, and keep track of it.

    Run without a command to open the terminal UI.
    """
    configure_logging(verbose)
    state = CliContext(flags={"database_url": database_url, "github_url": github_url})
    ctx.obj = state
    ctx.call_on_close(state.close)
    if verbose:
        log_start(ctx)
    if ctx.invoked_subcommand is None:
        tui = cli.get_command(ctx, "tui")
        assert tui is not None
        ctx.invoke(tui)


def main() -> None:
    """Run the command line (the `followup` console script)."""
    cli(prog_name="followup")
