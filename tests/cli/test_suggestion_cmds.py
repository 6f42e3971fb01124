"""`followup accept` and `dismiss`: suggestions found in prose, decided by a person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli

PROSE = """---
title: Login latency
date: 2026-01-10
repo: octo/app
---

# Login latency

## Summary

Logins were slow for an hour. We will add an alert on login latency by end of January.
We will protect the `main` branch from force pushes.

## Action items

- Raise the connection limit (due 2026-02-01)
"""
ALERT = "Add an alert on login latency by end of January"
PROTECT = "Protect the main branch from force pushes"
LIMIT = "Raise the connection limit"


@pytest.fixture
def doc(run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "2026-01-10-login.md"
    path.write_text(PROSE, encoding="utf-8")
    assert run_cli("import", str(path)).exit_code == 0
    return path


def listed(run_cli: RunCli, *args: str) -> dict[str, dict[str, Any]]:
    result = run_cli("list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {item["title"]: item for item in json.loads(result.stdout)}


def ids(run_cli: RunCli) -> dict[str, str]:
    return {title: item["id"] for title, item in listed(run_cli, "--all").items()}


def run_json(run_cli: RunCli, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_accept_makes_suggestions_open_items(run_cli: RunCli, doc: Path) -> None:
    known = ids(run_cli)
    code, report = run_json(run_cli, "accept", known[ALERT], known[PROTECT][:5])
    assert code == 0
    assert report["summary"] == {"accepted": 2, "skipped": 0}
    assert [(i["id"], i["action"], i["old"], i["new"]) for i in report["items"]] == [
        (known[ALERT], "accepted", "suggested", "open"),
        (known[PROTECT], "accepted", "suggested", "open"),
    ]
    assert report["items"][0]["postmortem"] == "2026-01-10-login"
    assert report["items"][0]["source"]["file"] == "2026-01-10-login.md"
    now = listed(run_cli)
    assert now[ALERT]["status"] == now[PROTECT]["status"] == "open"


def test_dismissed_suggestions_are_hidden_and_stay_so_across_reimports(
    run_cli: RunCli, doc: Path
) -> None:
    known = ids(run_cli)
    result = run_cli("dismiss", known[PROTECT])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "1 item dismissed"
    assert PROTECT not in listed(run_cli)
    # The document changes (the sentence moves, a new item comes): the decision stands.
    doc.write_text(PROSE.replace("an hour.", "an hour and a half.") + "- Add a canary\n", "utf-8")
    assert run_cli("import", str(doc)).exit_code == 0
    everything = listed(run_cli, "--all")
    assert everything[PROTECT]["status"] == "dismissed"
    assert everything[PROTECT]["id"] == known[PROTECT]
    assert everything[ALERT]["status"] == "suggested"
    assert "Add a canary" in everything
    assert listed(run_cli, "--status", "dismissed").keys() == {PROTECT}
    # The sentence leaves the document, then comes back: still the same, dismissed, item.
    doc.write_text(PROSE.replace("We will protect the `main` branch from force pushes.\n", ""))
    assert run_cli("import", str(doc)).exit_code == 0
    assert listed(run_cli, "--all")[PROTECT]["status"] == "dismissed"
    doc.write_text(PROSE, encoding="utf-8")
    assert run_cli("import", str(doc)).exit_code == 0
    back = listed(run_cli, "--all")[PROTECT]
    assert (back["id"], back["status"]) == (known[PROTECT], "dismissed")


def test_an_item_that_is_no_suggestion_is_skipped_with_the_reason(
    run_cli: RunCli, doc: Path
) -> None:
    known = ids(run_cli)
    code, report = run_json(run_cli, "dismiss", known[LIMIT], known[ALERT])
    assert code == 0
    assert report["summary"] == {"dismissed": 1, "skipped": 1}
    skipped = report["items"][0]
    assert (skipped["action"], skipped["old"], skipped["new"]) == ("skipped", "open", "open")
    assert skipped["message"] == "not a suggestion (it is open); close it as won't do instead"
    assert listed(run_cli)[LIMIT]["status"] == "open"


def test_an_unknown_id_changes_nothing(run_cli: RunCli, doc: Path) -> None:
    known = ids(run_cli)
    result = run_cli("accept", known[ALERT], "zzzzzzz")
    assert result.exit_code == 5
    assert result.stderr.strip() == "error: no item with id 'zzzzzzz' (see 'followup list')"
    assert listed(run_cli)[ALERT]["status"] == "suggested"
    code, report = run_json(run_cli, "dismiss", "zzzzzzz")
    assert code == 5 and report["errors"] and report["items"] == []


def test_suggestions_are_never_filed_nor_counted_until_accepted(run_cli: RunCli, doc: Path) -> None:
    known = ids(run_cli)
    code, plan = run_json(run_cli, "file", "--dry-run", str(doc))
    assert code == 0
    planned = {item["id"] for item in plan["items"]}
    assert known[LIMIT] in planned
    assert not planned & {known[ALERT], known[PROTECT]}
    totals = json.loads(run_cli("report", "--format", "json").stdout)["totals"]
    assert (totals["total"], totals["suggested"]) == (1, 2)

    assert run_cli("accept", known[ALERT]).exit_code == 0
    code, plan = run_json(run_cli, "file", "--dry-run", str(doc))
    assert known[ALERT] in {item["id"] for item in plan["items"] if item["action"] == "create"}
    totals = json.loads(run_cli("report", "--format", "json").stdout)["totals"]
    assert (totals["total"], totals["suggested"]) == (2, 1)


def test_a_suggestion_is_never_protected(run_cli: RunCli, doc: Path) -> None:
    known = ids(run_cli)
    result = run_cli("protect", "--dry-run", known[PROTECT])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: item {known[PROTECT]} is a suggestion found in prose: accept it first "
        f"(followup accept {known[PROTECT]})"
    )


def test_list_shows_suggestions_apart_after_the_items(run_cli: RunCli, doc: Path) -> None:
    lines = run_cli("list").stdout.splitlines()
    heading = next(n for n, line in enumerate(lines) if line.startswith("Suggested:"))
    before, after = "\n".join(lines[:heading]), "\n".join(lines[heading:])
    assert LIMIT in before and ALERT not in before and PROTECT not in before
    assert ALERT in after and PROTECT in after and LIMIT not in after
    assert "1 item, 2 suggestions" in lines
