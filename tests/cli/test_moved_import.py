"""`import` of a renamed post-mortem file says it moved; `list` and `forget` follow the move."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli

DOC = """---
title: Queue backlog
date: 2026-05-01
repo: acme/queue
---
# Queue backlog

## Action items

- Add an alert on queue depth
- Restart the stuck consumers
- Write a runbook
"""


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_import_line_says_where_the_file_moved_from(run_cli: RunCli, tmp_path: Path) -> None:
    old = tmp_path / "2026-05-01-queue.md"
    old.write_text(DOC, encoding="utf-8")
    assert run_cli("import", str(old)).exit_code == 0
    new = old.rename(tmp_path / "2026-05-01-queue-backlog.md")

    moved = run_cli("import", str(new))

    assert moved.exit_code == 0, moved.output
    said = flat(moved.stdout)
    assert "✔ 2026-05-01-queue 3 items (moved from" in said
    assert "2026-05-01-queue.md; no item changed)" in said
    assert "0 new, 0 updated, 0 removed items" in said
    again = json.loads(run_cli("import", str(new), "--format", "json").stdout)
    (document,) = again["postmortems"]
    assert (document["slug"], document["moved_from"], document["unchanged"]) == (
        "2026-05-01-queue",
        None,
        True,
    )
    listed = json.loads(run_cli("list", "--format", "json").stdout)
    # The list names each item's file as it is now.
    assert {(item["postmortem"], Path(item["source"]["file"]).name) for item in listed} == {
        ("2026-05-01-queue", "2026-05-01-queue-backlog.md")
    }
    # The post-mortem is named by its file's path as it is now.
    forgot = run_cli("forget", str(new), "--yes")
    assert forgot.exit_code == 0, forgot.output
    assert "forgot 2026-05-01-queue" in flat(forgot.stdout)


def test_the_json_report_names_the_old_file(run_cli: RunCli, tmp_path: Path) -> None:
    old = tmp_path / "queue.md"
    old.write_text(DOC, encoding="utf-8")
    run_cli("import", str(old))
    new = old.rename(tmp_path / "queue-backlog.md")

    report = json.loads(run_cli("import", str(new), "--format", "json").stdout)

    (document,) = report["postmortems"]
    assert document["slug"] == "queue"
    assert Path(document["moved_from"]).name == "queue.md"
    assert report["summary"]["created"] == 0
    # The document was read again under its new name: its diagnosis comes with it.
    assert document["diagnosis"]["sources"] == ["Action items"]
    assert document["diagnosis"]["items"] == 3
