"""`import` and `file` as JSON: what happened to each item, and documents for failed runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GH_PAGES, RunCli

DOC = """---
repo: acme/queue
---
# Queue backlog

## Action items

- Add an alert on queue depth
- Restart the stuck consumers
- Write a runbook
"""


def imported(run_cli: RunCli, path: Path, *args: str) -> dict[str, Any]:
    result = run_cli("import", str(path), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def actions(report: dict[str, Any]) -> dict[str, str]:
    return {item["title"]: item["action"] for item in report["items"]}


def test_each_item_says_what_the_import_did_to_it(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "2026-05-01-queue.md"
    path.write_text(DOC, encoding="utf-8")

    first = imported(run_cli, path)
    assert set(actions(first).values()) == {"created"}
    assert first["summary"] == {
        "postmortems": 1,
        "created": 3,
        "suggested": 0,
        "updated": 0,
        "removed": 0,
        "skipped_files": 0,
    }
    (document,) = first["postmortems"]
    assert (document["slug"], document["items"], document["unchanged"]) == (
        "2026-05-01-queue",
        3,
        False,
    )
    assert {item["repo"] for item in first["items"]} == {"acme/queue"}
    assert [item["source"]["line"] for item in first["items"]] == [8, 9, 10]

    again = imported(run_cli, path)
    assert set(actions(again).values()) == {"unchanged"}
    assert again["postmortems"][0]["unchanged"] is True

    path.write_text(
        DOC.replace("- Write a runbook\n", "").replace("queue depth", "queue depth and age"),
        encoding="utf-8",
    )
    edited = imported(run_cli, path)
    assert actions(edited) == {
        "Add an alert on queue depth and age": "updated",
        "Restart the stuck consumers": "unchanged",
        "Write a runbook": "removed",
    }
    assert edited["summary"]["updated"] == 1 and edited["summary"]["removed"] == 1
    assert {i["id"] for i in edited["items"]} == {i["id"] for i in first["items"]}


def test_an_unreadable_file_ends_as_a_document_with_exit_2(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("import", str(GH_PAGES), str(tmp_path / "nope.md"), "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["items"] == []
    assert report["errors"][-1] == "1 file could not be read; nothing was imported"
    assert "nope.md" in report["errors"][0]
    assert json.loads(run_cli("list", "--format", "json").stdout) == []


def test_skipped_files_are_listed(run_cli: RunCli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.md"
    broken.write_bytes(b"\xff\xfe\x00garbage")
    report = imported(run_cli, GH_PAGES, str(broken), "--skip-invalid")
    assert [f["file"] for f in report["skipped_files"]] == [str(broken)]
    assert report["summary"]["skipped_files"] == 1
    assert len(report["items"]) == 3


def test_file_without_a_token_is_a_document_with_exit_4(run_cli: RunCli) -> None:
    result = run_cli("file", str(GH_PAGES), "--repo", "octo-org/docs", "--format", "json")
    assert result.exit_code == 4
    report = json.loads(result.stdout)
    assert report["exit_code"] == 4 and report["items"] == []
    assert report["errors"][0].startswith("no GitHub token found")
    # The import before the failure is reported too.
    assert report["import"]["postmortems"][0]["slug"] == "2019-12-05-gh-pages"


def test_a_dry_run_in_json_gives_the_exact_issue(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "2026-05-01-queue.md"
    path.write_text(DOC, encoding="utf-8")
    result = run_cli("file", str(path), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and report["checked_github"] is False
    assert report["summary"] == {"create": 3, "link": 0, "skip": 0, "fail": 0}
    first = report["items"][0]
    assert first["action"] == "create" and first["issue"] is None
    new = first["new_issue"]
    assert (new["repo"], new["title"]) == ("acme/queue", "Add an alert on queue depth")
    assert "followup" in new["labels"] and new["assignees"] == []
    assert "<!-- followup:item=" in new["body"]
    assert any("no GitHub token" in w for w in report["warnings"])


def test_an_item_that_cannot_be_filed_fails_the_dry_run(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "2026-05-01-queue.md"
    path.write_text("# Queue\n\n## Action items\n\n- Add an alert\n", encoding="utf-8")
    result = run_cli("file", str(path), "--dry-run", "--format", "json")
    assert result.exit_code == 1
    (item,) = json.loads(result.stdout)["items"]
    assert (item["action"], item["ok"]) == ("fail", False)
    assert "no repository to file it in: pass --repo" in item["error"]
