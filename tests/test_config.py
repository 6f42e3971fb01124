"""Settings: defaults < config.toml < FOLLOWUP_* < flags, and `followup config` shows where from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followup import paths
from followup.config import load_settings
from followup.errors import ConfigError
from tests.conftest import RunCli


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    loaded = load_settings()
    assert loaded.settings.github_url == "https://api.github.com"
    assert loaded.settings.write_interval == 1.0
    assert loaded.settings.protection_method == "auto"
    assert set(loaded.sources.values()) == {"default"}
    assert loaded.settings.database_url_or_default().endswith("followup/followup.db")


def test_file_then_environment_then_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config('write_interval = 0.5\nrepo = "octo/file"\nprotection_method = "ruleset"\n')
    monkeypatch.setenv("FOLLOWUP_REPO", "octo/env")
    monkeypatch.setenv("FOLLOWUP_WAIT_FOR_RATE_LIMIT", "yes")
    loaded = load_settings({"repo": "octo/flag", "database_url": None})
    s = loaded.settings
    assert (s.write_interval, s.protection_method, s.repo, s.wait_for_rate_limit) == (
        0.5,
        "ruleset",
        "octo/flag",
        True,
    )
    assert loaded.sources["write_interval"] == str(path)
    assert loaded.sources["wait_for_rate_limit"] == "env FOLLOWUP_WAIT_FOR_RATE_LIMIT"
    assert loaded.sources["repo"] == "flag --repo"
    assert loaded.sources["database_url"] == "default"


def test_the_config_file_honours_xdg_config_home(isolated_home: Path) -> None:
    assert paths.config_file() == isolated_home / ".config" / "followup" / "config.toml"


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        (
            "FOLLOWUP_WRITE_INTERVAL",
            "soon",
            "FOLLOWUP_WRITE_INTERVAL: write_interval must be a number",
        ),
        ("FOLLOWUP_WRITE_INTERVAL", "-1", "must be a number ≥ 0"),
        ("FOLLOWUP_MAX_RETRIES", "2.5", "must be a whole number"),
        ("FOLLOWUP_PROTECTION_METHOD", "magic", "one of classic, ruleset, auto"),
        ("FOLLOWUP_WAIT_FOR_RATE_LIMIT", "perhaps", "true or false"),
        ("FOLLOWUP_GITHUB_URL", "ghe.example.com", "must start with https://"),
    ],
)
def test_bad_values_name_their_origin(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, message: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_enterprise_url_is_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_GITHUB_URL", "https://ghe.example.com/api/v3/")
    assert load_settings().settings.github_url == "https://ghe.example.com/api/v3"


def test_a_broken_or_unknown_config_file_is_refused() -> None:
    write_config("write_interval = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()
    write_config("writeinterval = 2\n")
    with pytest.raises(ConfigError, match="unknown setting 'writeinterval'"):
        load_settings()


def test_config_command_shows_values_and_sources(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_SYNC_INTERVAL", "3")
    result = run_cli("config", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sync_interval"] == {"value": 3.0, "source": "env FOLLOWUP_SYNC_INTERVAL"}
    assert data["database_url"]["source"] == "flag --db"
    table = run_cli("config")
    assert "sync_interval" in table.stdout and "FOLLOWUP_SYNC_INTERVAL" in table.stdout


def test_config_errors_are_one_line_in_the_cli(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "many")
    result = run_cli("list")
    assert result.exit_code == 3
    assert (
        result.stderr
        == "error: FOLLOWUP_MAX_RETRIES: max_retries must be a whole number ≥ 0, got 'many'\n"
    )
