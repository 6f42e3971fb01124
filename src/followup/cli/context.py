"""What every command shares: settings, the store and the consoles, all opened lazily."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import click
from rich.console import Console
from rich.text import Text

from followup.cli import printing
from followup.cli.exits import ExitCode
from followup.cli.suggest import did_you_mean
from followup.config import (
    ENV_PREFIX,
    LoadedSettings,
    Settings,
    load_settings,
    mask_url,
    setting_names,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger("followup.cli")


class RunReport(Protocol):
    """What the context needs of a command's report (cli/reporting.Report)."""

    def warn(self, message: str) -> None:
        """Keep a warning and print it on stderr."""

    def fail(self, message: str, code: ExitCode) -> None:
        """End the report with the error that stopped the run."""


# FOLLOWUP_* variables that are not settings but are still followup's own.
OTHER_VARIABLES = frozenset({"FOLLOWUP_CONFIG", "FOLLOWUP_DEBUG", "FOLLOWUP_PAGER"})
OTHER_PREFIXES = ("FOLLOWUP_RECORD_", "FOLLOWUP_TEST_")


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """Return a warning for each FOLLOWUP_* variable that names no setting."""
    known = {ENV_PREFIX + name.upper() for name in setting_names()}
    warnings = []
    for var in sorted(env):
        if not var.startswith(ENV_PREFIX) or var in known or var in OTHER_VARIABLES:
            continue
        if var.startswith(OTHER_PREFIXES):
            continue
        hint = did_you_mean(var, known | OTHER_VARIABLES)
        warnings.append(f"{var} is not a followup setting, so it is ignored{hint}")
    return warnings


@dataclass
class CliContext:
    """Hold the flags given to the group and open what a command asks for."""

    flags: dict[str, Any] = field(default_factory=dict)
    # Outside text is data: no console reads a string as Rich markup or :emoji: codes.
    out: Console = field(default_factory=lambda: Console(markup=False, emoji=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, markup=False, emoji=False))
    report: RunReport | None = None
    _loaded: LoadedSettings | None = None
    _checked_env: bool = False
    _engine: Engine | None = None

    def set_flag(self, name: str, value: Any) -> None:
        """Take a global option given after the command; settings read later see it."""
        self.flags[name] = value
        self._loaded = None

    @property
    def loaded(self) -> LoadedSettings:
        """Return the settings with their sources, reading them on first use."""
        if self._loaded is None:
            self._loaded = load_settings(self.flags, flag_names={"database_url": "--db"})
            changed = {k: v for k, v in self._loaded.sources.items() if v != "default"}
            log.debug("settings not at their default, and where from: %s", changed)
            if not self._checked_env:
                self._checked_env = True
                for warning in unknown_variables(os.environ):
                    self.warn(warning)
        return self._loaded

    @property
    def settings(self) -> Settings:
        """Return the merged settings."""
        return self.loaded.settings

    def engine(self) -> Engine:
        """Return the store's engine, opening and migrating it on first use."""
        if self._engine is None:
            # Imported here: SQLAlchemy and SQLModel are a noticeable part of start-up.
            from followup.store import create_store_engine
            from followup.sync.policy import refresh_deadlines

            url = self.settings.database_url_or_default()
            log.info("opening the store at %s", mask_url(url))
            self._engine = create_store_engine(url)
            # Cheap when nothing changed: one query finds no post-mortem to date again.
            refresh_deadlines(self._engine, self.settings.policy)
        return self._engine

    def close(self) -> None:
        """Release the store's connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def warn(self, message: str) -> None:
        """Print a one-line warning on stderr (and keep it in the run's report)."""
        if self.report is not None:
            self.report.warn(message)
            return
        printing.line(self.err, Text.assemble(("warning: ", "yellow"), message))


pass_cli = click.make_pass_decorator(CliContext)
