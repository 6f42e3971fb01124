"""Due dates by policy from the command line: list's marks, JSON, show, a changed policy."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from followup import clock, paths
from tests.conftest import RunCli

TODAY = date(2026, 6, 10)
DOC = """---
title: Queue stalled
date: 2026-05-01
---
## Action items

- [ ] Alert on queue depth (P0, @dana)
- [ ] Write the runbook (P1, @lee)
- [ ] Rewrite the consumer (P2, @sam) due 2026-12-01
- [ ] Tidy the dashboards (P3)
"""


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 5, 4, 9, 0, tzinfo=UTC))


@pytest.fixture
def queue(tmp_path: Path, run_cli: RunCli) -> Path:
    path = tmp_path / "queue.md"
    path.write_text(DOC, encoding="utf-8")
    result = run_cli("import", str(path), "--repo", "acme/queue")
    assert result.exit_code == 0, result.output
    return path


def listed(run_cli: RunCli, *args: str) -> dict[str, dict[str, object]]:
    result = run_cli("list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {str(i["title"]): i for i in json.loads(result.stdout)}


def test_json_says_where_each_due_date_comes_from(run_cli: RunCli, queue: Path) -> None:
    items = listed(run_cli)
    alert = items["Alert on queue depth"]
    assert (alert["due"], alert["due_source"], alert["policy_due"]) == (
        "2026-05-08",
        "policy",
        "2026-05-08",
    )
    assert alert["overdue"] is True and alert["past_policy"] is True
    rewrite = items["Rewrite the consumer"]
    # The document's date wins; the P2 deadline (56 days from the incident) is still known.
    assert (rewrite["due"], rewrite["due_source"], rewrite["policy_due"]) == (
        "2026-12-01",
        "document",
        "2026-06-26",
    )
    assert rewrite["past_policy"] is False
    tidy = items["Tidy the dashboards"]
    assert (tidy["due"], tidy["due_source"], tidy["policy_due"]) == (None, None, None)


def test_list_marks_policy_dates_and_explains_its_marks(run_cli: RunCli, queue: Path) -> None:
    out = run_cli("list").stdout
    assert "due 2026-05-08* !" in out  # set by the policy, and overdue
    assert "due 2026-05-29*" in out and "due 2026-05-29* !" in out
    assert "⚑" not in out  # nothing outlived its policy deadline without being overdue
    assert "* due date set by the policy   ! overdue" in out


def test_a_later_document_date_is_still_flagged_past_the_policy(
    run_cli: RunCli, queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 7, 1))
    out = run_cli("list").stdout
    assert "due 2026-12-01 ⚑" in out
    assert "⚑ past its policy deadline" in out
    assert list(listed(run_cli, "--past-policy")) == [
        "Alert on queue depth",
        "Write the runbook",
        "Rewrite the consumer",
    ]
    csv = run_cli("list", "--format", "csv").stdout.splitlines()
    assert csv[0].endswith(",due_source,past_policy")
    assert csv[3].endswith(",document,yes")


def test_show_explains_the_due_date_and_the_deadline(run_cli: RunCli, queue: Path) -> None:
    alert = listed(run_cli)["Alert on queue depth"]
    out = run_cli("show", str(alert["id"])).stdout
    assert "Due from:        the policy for its priority" in out
    deadline = "Policy deadline: 2026-05-08 (P0, from the post-mortem's date 2026-05-01)"
    assert f"{deadline} ⚑ passed" in out
    assert "due set to 2026-05-08  (policy)" in out
    shown = json.loads(run_cli("show", str(alert["id"]), "--format", "json").stdout)
    assert shown["due_source"] == "policy"


def test_an_undated_post_mortem_counts_from_its_import_and_says_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "undated.md"
    path.write_text("# Undated\n\n## Action items\n\n- [ ] Fix it (P0)\n", encoding="utf-8")
    run_cli("import", str(path), "--repo", "acme/queue")
    (item,) = listed(run_cli).values()
    assert item["due"] == "2026-05-11"  # imported 2026-05-04, plus 7 days
    out = run_cli("show", str(item["id"])).stdout
    assert "(P0, from its first import: the post-mortem has no date)" in out


def test_a_changed_policy_moves_the_policy_dates_on_the_next_command(
    run_cli: RunCli, queue: Path
) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[policy]\nP0 = 2\nP1 = "none"\nP3 = 30\n', encoding="utf-8")
    items = listed(run_cli)
    assert items["Alert on queue depth"]["due"] == "2026-05-03"
    assert items["Write the runbook"]["due"] is None
    assert items["Write the runbook"]["due_source"] is None
    assert items["Tidy the dashboards"]["due"] == "2026-05-31"
    assert items["Rewrite the consumer"]["due"] == "2026-12-01"


def test_an_edited_date_wins_and_shows_as_edited(run_cli: RunCli, queue: Path) -> None:
    alert = listed(run_cli)["Alert on queue depth"]
    assert run_cli("due", str(alert["id"]), "2026-07-01").exit_code == 0
    after = listed(run_cli)["Alert on queue depth"]
    assert (after["due"], after["due_source"], after["overdue"]) == ("2026-07-01", "edited", False)
    assert after["past_policy"] is True
    assert "due 2026-07-01 ⚑" in run_cli("list").stdout


def test_a_new_priority_from_the_command_line_dates_the_item_at_once(
    run_cli: RunCli, queue: Path
) -> None:
    tidy = listed(run_cli)["Tidy the dashboards"]
    assert run_cli("priority", str(tidy["id"]), "P1").exit_code == 0
    assert listed(run_cli)["Tidy the dashboards"]["due"] == "2026-05-29"
