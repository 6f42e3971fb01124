"""`followup protect` and `followup verify` from the command line, against recorded exchanges."""

from __future__ import annotations

import json
from typing import Any

import pytest

from followup.cli import protect_cmd
from tests.conftest import GH_PAGES, SCRATCH_REPO, RunCli

# The scratch repository the cassettes were recorded against (see tests/cassettes/README.md).
REPO = SCRATCH_REPO
PROTECT_ITEM = "Protect gh-pages branch. Don't allow deletion."


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GH_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "0")


def imported(run_cli: RunCli, *repo: str) -> str:
    """Import the example and return the id of its protection item."""
    result = run_cli("import", str(GH_PAGES), *repo)
    assert result.exit_code == 0, result.output
    items = json.loads(run_cli("list", "--format", "json").stdout)
    return str(next(i["id"] for i in items if i["kind"] == "branch_protection"))


def protection_item(run_cli: RunCli, item_id: str) -> dict[str, Any]:
    result = run_cli("show", item_id, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def flat(text: str) -> str:
    """Return text with line wrapping undone, as rich wraps at 80 columns off a terminal."""
    return " ".join(text.split())


def writes(cassette: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in cassette.requests if r.method != "GET"]


@pytest.mark.vcr
def test_the_example_end_to_end(run_cli: RunCli, vcr: Any) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    result = run_cli("protect", "--all", "--yes")
    assert result.exit_code == 0, result.output
    assert "allow deletions" in result.stdout
    assert f"{REPO}:gh-pages: protected (classic) and verified" in result.stdout
    item = protection_item(run_cli, item_id)
    assert item["status"] == "done"
    assert item["status_reason"] is None
    status_changes = [(h["old"], h["new"]) for h in item["history"] if h["field"] == "status"]
    assert status_changes[-1] == ("open", "done")
    applied = next(h for h in item["history"] if h["field"] == "protection")
    assert applied["new"] == "classic: allow_deletions=false"
    assert applied["detail"]["verified"] is True
    put = next(r for r in vcr.requests if r.method == "PUT")
    assert json.loads(put.body)["allow_deletions"] is False
    assert vcr.all_played
    listed = json.loads(run_cli("list", "--format", "json", "--status", "done").stdout)
    assert [i["title"] for i in listed] == [PROTECT_ITEM]


@pytest.mark.vcr
def test_dry_run_sends_no_write(run_cli: RunCli, vcr: Any) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    result = run_cli("protect", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Planning every pending branch-protection item." in result.stderr
    assert item_id in result.stdout and f"{REPO}:gh-pages" in result.stdout
    assert "GitHub's default for a newly protected branch" in flat(result.stdout)
    assert "Nothing was sent to GitHub." in flat(result.stdout)
    assert writes(vcr) == []
    assert protection_item(run_cli, item_id)["status"] == "open"


@pytest.mark.vcr
def test_without_a_terminal_or_yes_nothing_is_written(run_cli: RunCli, vcr: Any) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    result = run_cli("protect", item_id)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == f"error: {protect_cmd.NEEDS_YES}"
    assert writes(vcr) == []
    assert protection_item(run_cli, item_id)["status"] == "open"


@pytest.mark.vcr
def test_declining_the_confirmation_changes_nothing(
    run_cli: RunCli, vcr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    monkeypatch.setattr(protect_cmd, "_interactive", lambda: True)
    result = run_cli("protect", item_id, input="n\n")
    assert result.exit_code == 0, result.output
    assert "Apply the changes above to 1 branch? [y/N]" in result.output
    assert "Nothing was changed." in result.stdout
    assert writes(vcr) == []


@pytest.mark.vcr
def test_confirming_applies(run_cli: RunCli, vcr: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    monkeypatch.setattr(protect_cmd, "_interactive", lambda: True)
    result = run_cli("protect", item_id[:4], input="y\n")
    assert result.exit_code == 0, result.output
    assert protection_item(run_cli, item_id)["status"] == "done"
    assert vcr.all_played


@pytest.mark.vcr
def test_verify_flags_drift_and_exits_1(run_cli: RunCli) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    assert run_cli("protect", "--yes").exit_code == 0
    result = run_cli("verify")
    assert result.exit_code == 1
    assert f"{item_id} {REPO}:gh-pages: regressed: allow deletions is yes (wanted no)" in flat(
        result.stdout
    )
    assert "1 regressed" in result.stdout
    listed = json.loads(run_cli("list", "--format", "json", "--status", "regressed").stdout)
    assert [i["id"] for i in listed] == [item_id]
    assert "run 'followup protect" in listed[0]["status_reason"]


@pytest.mark.vcr
def test_a_failure_is_one_line_and_stored_on_the_item(run_cli: RunCli) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    result = run_cli("protect", "--yes")
    assert result.exit_code == 1
    assert "cannot protect: the token may not administer" in flat(result.stdout)
    item = protection_item(run_cli, item_id)
    assert item["status"] == "open"
    assert item["status_reason"].startswith(f"the token may not administer {REPO}")
    shown = run_cli("list")
    assert "the token may not administer" in flat(shown.stdout)


def test_an_item_without_a_repository_names_the_fix(run_cli: RunCli) -> None:
    item_id = imported(run_cli)
    result = run_cli("protect", "--yes")
    assert result.exit_code == 1
    reason = protection_item(run_cli, item_id)["status_reason"]
    assert "--repo" in reason and "repo:" in reason


def test_nothing_pending_needs_no_token(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GH_TOKEN")
    result = run_cli("protect")
    assert result.exit_code == 0, result.output
    assert "No pending branch-protection items." in result.stdout
    result = run_cli("verify")
    assert result.exit_code == 0, result.output
    assert "No protection applied by followup to verify." in result.stdout


def test_ids_and_all_together_are_refused(run_cli: RunCli) -> None:
    result = run_cli("protect", "abc", "--all")
    assert result.exit_code == 2
    assert "error: give item ids or --all, not both" in result.stderr


def test_an_issue_item_is_not_protected(run_cli: RunCli) -> None:
    imported(run_cli, "--repo", REPO)
    items = json.loads(run_cli("list", "--format", "json").stdout)
    issue_id = next(i["id"] for i in items if i["kind"] == "issue")
    result = run_cli("protect", issue_id, "--dry-run")
    assert result.exit_code == 2
    assert f"item {issue_id} is not a branch-protection item" in result.stderr


SAME_BRANCH = f"""---
repo: {REPO}
---
# Docs outage

## Action items

- Disallow force pushes to `gh-pages`
"""


def two_items_on_one_branch(run_cli: RunCli, tmp_path: Any) -> None:
    imported(run_cli, "--repo", REPO)
    other = tmp_path / "2026-05-01-docs.md"
    other.write_text(SAME_BRANCH, encoding="utf-8")
    assert run_cli("import", str(other)).exit_code == 0


@pytest.mark.vcr("test_dry_run_sends_no_write.yaml")
def test_a_dry_run_counts_branches_not_items(run_cli: RunCli, tmp_path: Any) -> None:
    two_items_on_one_branch(run_cli, tmp_path)
    result = run_cli("protect", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: 1 branch would change (2 items), 0 already satisfied" in flat(result.stdout)
    assert result.stdout.count(f"{REPO}:gh-pages") == 2


@pytest.mark.vcr("test_dry_run_sends_no_write.yaml")
def test_a_dry_runs_json_counts_branches_and_items(run_cli: RunCli, tmp_path: Any) -> None:
    two_items_on_one_branch(run_cli, tmp_path)
    report = json.loads(run_cli("protect", "--dry-run", "--format", "json").stdout)
    assert report["dry_run"] is True and report["exit_code"] == 0
    assert [i["target"] for i in report["items"]] == [f"{REPO}:gh-pages"] * 2
    assert [i["action"] for i in report["items"]] == ["change", "change"]
    assert report["summary"]["items_to_change"] == 2
    assert report["summary"]["branches_to_change"] == 1
    protection = {i["title"]: i["protection"] for i in report["items"]}[PROTECT_ITEM]
    assert (protection["repo"], protection["branch"], protection["method"]) == (
        REPO,
        "gh-pages",
        "classic",
    )
    # The branch is not protected yet: before is GitHub's unprotected state, after the plan's.
    assert protection["before"] == {
        "protection": "none",
        "allow_deletions": True,
        "allow_force_pushes": True,
    }
    assert protection["after"] == {
        "protection": "classic",
        "allow_deletions": False,
        "allow_force_pushes": False,
    }
    requested = next(c for c in protection["changes"] if c["setting"] == "allow_deletions")
    assert requested == {
        "setting": "allow_deletions",
        "before": True,
        "after": False,
        "note": "requested",
    }


@pytest.mark.vcr("test_the_example_end_to_end.yaml")
def test_a_runs_json_says_what_each_branch_was_and_is(run_cli: RunCli) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    result = run_cli("protect", "--all", "--yes", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is False and report["ok"] is True
    (item,) = report["items"]
    assert (item["id"], item["action"], item["ok"], item["error"]) == (item_id, "done", True, None)
    assert item["target"] == f"{REPO}:gh-pages"
    assert item["protection"]["before"]["allow_deletions"] is True
    assert item["protection"]["after"]["allow_deletions"] is False
    assert item["protection"]["method"] == "classic"
    assert report["summary"]["done"] == 1 and report["summary"]["failed"] == 0
    assert report["summary"]["branches_to_change"] == 1


@pytest.mark.vcr("test_verify_flags_drift_and_exits_1.yaml")
def test_verifys_json_gives_each_regressions_cause(run_cli: RunCli) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    assert run_cli("protect", "--yes").exit_code == 0
    result = run_cli("verify", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["exit_code"]) == (False, 1)
    (item,) = report["items"]
    assert (item["id"], item["action"], item["ok"], item["status"]) == (
        item_id,
        "regressed",
        False,
        "regressed",
    )
    assert item["message"] == "allow deletions is yes (wanted no)"
    assert item["missing"] == [{"setting": "allow_deletions", "wanted": False, "live": True}]
    assert report["summary"]["regressed"] == 1 and report["summary"]["reads"] == 1
    assert report["warnings"] == []  # the cause is on the item, said once


@pytest.mark.vcr("test_a_failure_is_one_line_and_stored_on_the_item.yaml")
def test_a_failed_items_json_carries_the_error(run_cli: RunCli) -> None:
    item_id = imported(run_cli, "--repo", REPO)
    result = run_cli("protect", "--yes", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    (item,) = report["items"]
    assert item["id"] == item_id and item["ok"] is False
    assert item["error"].startswith(f"the token may not administer {REPO}")


def test_json_needs_yes_to_apply(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protect_cmd, "_interactive", lambda: True)
    imported(run_cli, "--repo", REPO)
    monkeypatch.setattr(protect_cmd, "plan_protection", _one_change)
    result = run_cli("protect", "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["errors"] == [protect_cmd.NEEDS_YES] and report["exit_code"] == 2


def _one_change(engine: Any, client: Any, **kwargs: Any) -> list[Any]:
    from followup.github.protection_mapping import DiffRow
    from followup.sync.protect import ProtectionPlan

    row = DiffRow("allow_deletions", True, False, "requested")
    return [ProtectionPlan("abc", "t", "open", REPO, "main", {}, "classic", (row,))]
