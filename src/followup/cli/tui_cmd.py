"""`followup tui`, also what a bare `followup` runs."""

from __future__ import annotations

import click


@click.command("tui")
@click.pass_context
def tui_command(ctx: click.Context) -> None:
    """Open the terminal UI."""
    # The TUI lands in its own issue; until then a bare `followup` shows the help.
    parent = ctx.parent
    assert parent is not None
    click.echo(parent.get_help())
