"""What every command shares: settings, the store and the consoles, all opened lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.text import Text

from followup.config import LoadedSettings, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class CliContext:
    """Hold the flags given to the group and open what a command asks for."""

    flags: dict[str, Any] = field(default_factory=dict)
    # Outside text is data: no console reads a string as Rich markup or :emoji: codes.
    out: Console = field(default_factory=lambda: Console(markup=False, emoji=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, markup=False, emoji=False))
    _loaded: LoadedSettings | None = None
    _engine: Engine | None = None

    @property
    def loaded(self) -> LoadedSettings:
        """Return the settings with their sources, reading them on first use."""
        if self._loaded is None:
            self._loaded = load_settings(self.flags, flag_names={"database_url": "--db"})
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

            self._engine = create_store_engine(self.settings.database_url_or_default())
        return self._engine

    def close(self) -> None:
        """Release the store's connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def warn(self, message: str) -> None:
        """Print a one-line warning on stderr."""
        # soft_wrap: a warning stays one line, however narrow the terminal.
        self.err.print(
            Text.assemble(("warning: ", "yellow"), message), highlight=False, soft_wrap=True
        )


pass_cli = click.make_pass_decorator(CliContext)
