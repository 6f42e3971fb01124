"""The [policy] table and remind_interval: typed settings, shown by `followup config`."""

from __future__ import annotations

import json
from datetime import date

import pytest

from followup import paths
from followup.config import load_settings
from followup.errors import ConfigError
from followup.policy import DEFAULT_POLICY, DuePolicy
from tests.conftest import RunCli


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_default_policy_is_a_week_four_weeks_eight_weeks_and_none() -> None:
    settings = load_settings().settings
    assert settings.policy == DEFAULT_POLICY == DuePolicy(7, 28, 56, None)
    assert settings.remind_interval == 7
    start = date(2026, 3, 2)
    assert DEFAULT_POLICY.deadline("P0", start) == date(2026, 3, 9)
    assert DEFAULT_POLICY.deadline("p1", start) == date(2026, 3, 30)
    assert DEFAULT_POLICY.deadline("P2", start) == date(2026, 4, 27)
    assert DEFAULT_POLICY.deadline("P3", start) is None
    assert DEFAULT_POLICY.deadline(None, start) is None


def test_the_policy_table_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('[policy]\nP0 = 3\np2 = "none"\nP3 = 90\n')
    monkeypatch.setenv("FOLLOWUP_POLICY_P3", "120")
    loaded = load_settings()
    assert loaded.settings.policy == DuePolicy(3, 28, None, 120)
    assert loaded.sources["policy_p0"].endswith("config.toml")
    assert loaded.sources["policy_p3"] == "env FOLLOWUP_POLICY_P3"
    assert loaded.settings.policy.key == "P0=3,P1=28,P2=-,P3=120"
    assert loaded.settings.policy.describe() == "P0 3 days, P1 28 days, P2 none, P3 120 days"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[policy]\nP5 = 3\n", "unknown priority 'P5' in \\[policy\\]"),
        ("[policy]\nP1 = -2\n", "\\[policy\\] P1 must be a whole number of days ≥ 1, or none"),
        ("[policy]\nP1 = 2.5\n", "\\[policy\\] P1 must be a whole number of days"),
        ("[policy]\nP1 = 'soon'\n", "\\[policy\\] P1 must be"),
        ("policy_p1 = 3\n", "unknown setting 'policy_p1' \\(did you mean 'policy'"),
        ("remind_interval = 0\n", "remind_interval must be a whole number of days ≥ 1"),
    ],
)
def test_bad_policies_are_refused_with_their_origin(text: str, message: str) -> None:
    write_config(text)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_none_false_and_zero_mean_no_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config("[policy]\nP0 = false\nP1 = 0\n")
    monkeypatch.setenv("FOLLOWUP_POLICY_P2", "none")
    assert load_settings().settings.policy == DuePolicy(None, None, None, None)


def test_config_shows_the_policy(run_cli: RunCli) -> None:
    write_config("[policy]\nP1 = 14\n")
    data = json.loads(run_cli("config", "--format", "json").stdout)
    assert data["policy_p1"]["value"] == 14
    assert data["policy_p1"]["source"].endswith("config.toml")
    assert data["policy_p3"] == {"value": None, "source": "default"}
    assert data["remind_interval"] == {"value": 7, "source": "default"}
    text = run_cli("config").stdout
    assert "policy_p1 = 14" in text
    assert "policy_p3 = none  (default)" in text
