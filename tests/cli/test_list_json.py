"""Every field of `followup list --format json`, pinned to what it means (list.schema.json)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from followup import clock
from tests.cli.schemas import check, problems
from tests.conftest import GH_PAGES, RunCli
from tests.sync.world import ALERT, CLIENT, PIN, PROTECT, SCRATCH, fake_clock, filed_store

TODAY = date(2026, 11, 21)
DOC = """---
title: Queue backlog
date: 2026-03-02
repo: Acme/Queue
---
# Queue backlog

## Action items

- [ ] Add an alert on queue depth
  - Owner: @dana
  - Priority: P1
  - Due: March 3, 2026
  - Type: detect
- [ ] Fix the consumers (see https://github.com/acme/queue/issues/4 and #7)
  - Owner: lee
  - Due: once the vendor ships
- [ ] Write a runbook, due 2026-11-21
- [ ] Drain the dead-letter queue, due 2026-11-20
- [x] Restart the stuck consumers (@lee) due 2026-01-01
- [ ] Move to the new broker, due 2027-01-01
- [ ] Protect the main branch: require 2 approving reviews
"""


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def listed(run_cli: RunCli, *args: str) -> dict[str, dict[str, Any]]:
    """Return list --format json by title (validated against the schema by run_cli)."""
    result = run_cli("list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    return {item["title"]: item for item in items}


@pytest.fixture
def doc_items(run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    path = tmp_path / "2026-03-02-queue.md"
    path.write_text(DOC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_cli("import", str(path)).exit_code == 0
    return listed(run_cli)


ALERT_DOC = "Add an alert on queue depth"
FIX = "Fix the consumers (see https://github.com/acme/queue/issues/4 and #7)"
TODAY_DUE = "Write a runbook"
YESTERDAY_DUE = "Drain the dead-letter queue"
DONE_LATE = "Restart the stuck consumers"
FUTURE = "Move to the new broker"
MAIN = "Protect the main branch: require 2 approving reviews"


def test_overdue_is_true_only_for_outstanding_items_due_before_today(
    doc_items: dict[str, Any],
) -> None:
    assert doc_items[YESTERDAY_DUE]["overdue"] is True
    assert doc_items[ALERT_DOC]["overdue"] is True
    # Due today is not late yet; a future date is not; a done item never is; no date never is.
    assert doc_items[TODAY_DUE]["overdue"] is False
    assert doc_items[FUTURE]["overdue"] is False
    assert doc_items[DONE_LATE]["due"] == "2026-01-01"
    assert doc_items[DONE_LATE]["overdue"] is False
    assert doc_items[FIX]["overdue"] is False
    assert doc_items[MAIN]["due"] is None and doc_items[MAIN]["overdue"] is False


def test_overdue_filter_and_field_agree(run_cli: RunCli, doc_items: dict[str, Any]) -> None:
    overdue = listed(run_cli, "--overdue")
    assert set(overdue) == {t for t, item in doc_items.items() if item["overdue"]}
    assert set(overdue) == {YESTERDAY_DUE, ALERT_DOC}


def test_due_is_iso_and_due_text_keeps_the_documents_wording(doc_items: dict[str, Any]) -> None:
    assert doc_items[ALERT_DOC]["due"] == "2026-03-03"
    assert doc_items[ALERT_DOC]["due_text"] == "March 3, 2026"
    # A date followup cannot read keeps its wording and has no due date.
    assert doc_items[FIX]["due"] is None
    assert doc_items[FIX]["due_text"] == "once the vendor ships"
    assert doc_items[TODAY_DUE]["due_text"] == "2026-11-21"
    assert doc_items[MAIN]["due_text"] is None


def test_who_what_and_where(doc_items: dict[str, Any]) -> None:
    alert = doc_items[ALERT_DOC]
    assert alert["postmortem"] == "2026-03-02-queue"
    assert alert["owner"] == "dana"  # without its @
    assert doc_items[FIX]["owner"] == "lee"
    assert doc_items[TODAY_DUE]["owner"] is None
    assert alert["priority"] == "P1" and doc_items[FIX]["priority"] is None
    assert alert["type"] == "detect" and doc_items[FIX]["type"] is None
    # The front matter's repository, in lower case, for every item of the document.
    assert {item["repo"] for item in doc_items.values()} == {"acme/queue"}
    assert alert["source"] == {"file": "2026-03-02-queue.md", "line": 10}
    assert doc_items[FIX]["source"]["line"] == 15


def test_status_kind_and_protection(doc_items: dict[str, Any]) -> None:
    assert doc_items[DONE_LATE]["status"] == "done"
    assert doc_items[ALERT_DOC]["status"] == "open"
    assert doc_items[ALERT_DOC]["status_reason"] is None
    main = doc_items[MAIN]
    assert main["kind"] == "branch_protection"
    assert main["protection"]["branch"] == "main"
    assert main["protection"]["required_approving_review_count"] == 2
    # The repository as the document spells it (the item's `repo` is the normalised one).
    assert main["protection"]["repo"].lower() == main["repo"] == "acme/queue"
    assert doc_items[ALERT_DOC]["kind"] == "issue"
    assert doc_items[ALERT_DOC]["protection"] is None


def test_links_are_the_references_the_text_makes(doc_items: dict[str, Any]) -> None:
    assert doc_items[FIX]["links"] == [
        {
            "kind": "issue",
            "text": "https://github.com/acme/queue/issues/4",
            "url": "https://github.com/acme/queue/issues/4",
            "repo": "acme/queue",
            "number": 4,
        },
        {"kind": "number", "text": "#7", "url": None, "repo": None, "number": 7},
    ]
    assert doc_items[ALERT_DOC]["links"] == []


def test_ids_name_items_for_show(run_cli: RunCli, doc_items: dict[str, Any]) -> None:
    item = doc_items[ALERT_DOC]
    shown = run_cli("show", item["id"][:4], "--format", "json")
    assert json.loads(shown.stdout)["id"] == item["id"]
    assert json.loads(shown.stdout)["title"] == ALERT_DOC


def test_issue_is_the_linked_issue_as_last_synced(
    run_cli: RunCli, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = filed_store(engine, fake_clock(monkeypatch))
    items = listed(run_cli)
    assert items[ALERT]["id"] == ids[ALERT]
    assert items[ALERT]["issue"] == {
        "repo": SCRATCH,
        "number": 12,
        "url": f"https://github.com/{SCRATCH}/issues/12",
        "state": "open",
    }
    assert items[ALERT]["status"] == "filed"
    assert items[CLIENT]["issue"]["number"] == 7
    assert items[PROTECT]["issue"] is None and items[PROTECT]["status"] == "done"
    assert items[PIN]["repo"] == "octo-org/docs"


def test_the_example_post_mortem_matches_the_schema(run_cli: RunCli) -> None:
    run_cli("import", str(GH_PAGES), "--repo", "googleapis/docs")
    items = json.loads(run_cli("list", "--format", "json", "--all").stdout)
    check(items, "list")
    assert len(items) == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("overdue", "yes"),
        ("owner", "@dana"),
        ("priority", "P7"),
        ("due", "March 3"),
        ("kind", "protection"),
        ("status", "closed"),
    ],
)
def test_the_schema_refuses_a_field_with_another_meaning(
    doc_items: dict[str, Any], field: str, value: object
) -> None:
    item = dict(doc_items[ALERT_DOC])
    assert problems([item], "list") == []
    item[field] = value
    assert problems([item], "list") != []


def test_the_schema_refuses_an_overdue_item_without_a_date_or_closed(
    doc_items: dict[str, Any],
) -> None:
    undated = dict(doc_items[FIX], overdue=True)
    closed = dict(doc_items[DONE_LATE], overdue=True)
    assert problems([undated], "list") != []
    assert problems([closed], "list") != []
    missing = {k: v for k, v in doc_items[ALERT_DOC].items() if k != "due_text"}
    assert problems([missing], "list") != []
