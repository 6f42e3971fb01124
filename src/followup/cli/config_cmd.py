"""`followup config`: every setting, its value and where it came from."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from followup import paths
from followup.cli import printing
from followup.cli.context import CliContext, pass_cli
from followup.cli.exits import ExitCode
from followup.cli.options import examples
from followup.config import (
    POLICY_SETTINGS,
    LoadedSettings,
    load_settings,
    mask_url,
    setting_help,
    setting_names,
)
from followup.errors import ConfigError

FLAG_NAMES = {"database_url": "--db"}


def _despite(cli: CliContext) -> tuple[LoadedSettings, str | None]:
    """Return the settings, and the error that made some source unreadable, if any.

    A broken config file (or variable, or flag) must not hide the others: each failing
    source is left out in turn, the file first, so what remains is still shown.
    """
    try:
        return cli.loaded, None
    except ConfigError as exc:
        problem = str(exc)
    empty = Path(os.devnull)
    attempts: list[dict[str, object]] = [
        {"flags": cli.flags, "config_path": empty},
        {"flags": cli.flags, "config_path": empty, "env": {}},
        {"flags": None, "config_path": empty, "env": {}},
    ]
    for attempt in attempts:
        try:
            return load_settings(flag_names=FLAG_NAMES, **attempt), problem  # type: ignore[arg-type]
        except ConfigError:
            continue
    raise AssertionError("the defaults are always valid")


@click.command(
    "config",
    epilog=examples("followup config", "FOLLOWUP_REPO=acme/docs followup config --format json"),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json (docs/schemas/config.schema.json) for scripts.",
)
@pass_cli
def config_command(cli: CliContext, fmt: str) -> None:
    """Show the settings in effect and where each one comes from (even if one is broken)."""
    loaded, problem = _despite(cli)
    if fmt == "json":
        data = {
            name: {
                "value": _shown(name, getattr(loaded.settings, name)),
                "source": loaded.sources[name],
            }
            for name in setting_names()
        }
        click.echo(json.dumps(data, indent=2))
    else:
        _show(cli, loaded)
    if problem is not None:
        printing.line(cli.err, Text.assemble(("error: ", "red"), problem))
        printing.line(cli.err, "the settings above leave out the source with the error")
        click.get_current_context().exit(int(ExitCode.CONFIG))


def _show(cli: CliContext, loaded: LoadedSettings) -> None:
    rows = []
    for name in setting_names():
        value = getattr(loaded.settings, name)
        if name == "database_url" and value is None:
            value = loaded.settings.database_url_or_default()
        if name in POLICY_SETTINGS and value is None:
            value = "none"
        rows.append((name, "" if value is None else str(_shown(name, value)), loaded.sources[name]))
    widest = max(len(name) for name, _, _ in rows) + 2
    widest += max(cell_len(value) + len(source) + 4 for _, value, source in rows)
    if printing.plain(cli.out) or widest > cli.out.width:
        for name, value, source in rows:
            shown = f" = {value}  " if value else " =  "
            printing.line(cli.out, Text.assemble((name, "bold"), shown, (f"({source})", "cyan")))
            printing.line(cli.out, Text(f"    {setting_help(name)}", style="dim"))
    else:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("Setting", style="bold", no_wrap=True)
        table.add_column("Value and source")
        for name, value, source in rows:
            cell = Text(value)
            cell.append(f"  ({source})", style="cyan")
            cell.append(f"\n{setting_help(name)}", style="dim")
            table.add_row(name, cell)
        printing.show(cli.out, table)
    printing.line(
        cli.out,
        f"Config file: {paths.config_file()}   Environment: FOLLOWUP_<SETTING>",
        style="dim",
    )


def _shown(name: str, value: Any) -> Any:
    """Return a setting as printed: a database URL without its password."""
    if name == "database_url" and isinstance(value, str):
        return mask_url(value)
    return value
