"""Where followup keeps its files: one function per location."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "followup"


def config_dir() -> Path:
    """Return the folder that holds config.toml (honours XDG_CONFIG_HOME)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    """Return the config file's path; FOLLOWUP_CONFIG points elsewhere."""
    override = os.environ.get("FOLLOWUP_CONFIG")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def data_dir() -> Path:
    """Return the folder that holds the database (honours XDG_DATA_HOME)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    """Return the SQLite file used when no database URL is configured."""
    return data_dir() / "followup.db"


def state_dir() -> Path:
    """Return the folder for what the TUI remembers between runs (honours XDG_STATE_HOME)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
