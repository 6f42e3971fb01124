"""`followup config`: every setting, its value and where it came from."""

from __future__ import annotations

import json
from typing import Any

import click
from rich import box
from rich.table import Table
from rich.text import Text

from followup import paths
from followup.cli.context import CliContext, pass_cli
from followup.config import mask_url, setting_help, setting_names


@click.command("config")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_cli
def config_command(cli: CliContext, fmt: str) -> None:
    """Show the settings in effect and where each one comes from."""
    loaded = cli.loaded
    if fmt == "json":
        data = {
            name: {
                "value": _shown(name, getattr(loaded.settings, name)),
                "source": loaded.sources[name],
            }
            for name in setting_names()
        }
        click.echo(json.dumps(data, indent=2))
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Setting", style="bold", no_wrap=True)
    table.add_column("Value and source", overflow="fold")
    for name in setting_names():
        value = getattr(loaded.settings, name)
        if name == "database_url" and value is None:
            value = loaded.settings.database_url_or_default()
        cell = Text("" if value is None else str(_shown(name, value)))
        cell.append(f"  ({loaded.sources[name]})", style="cyan")
        cell.append(f"\n{setting_help(name)}", style="dim")
        table.add_row(name, cell)
    cli.out.print(table)
    cli.out.print(
        f"Config file: {paths.config_file()}   Environment: FOLLOWUP_<SETTING>",
        style="dim",
        highlight=False,
    )


def _shown(name: str, value: Any) -> Any:
    """Return a setting as printed: a database URL without its password."""
    if name == "database_url" and isinstance(value, str):
        return mask_url(value)
    return value
